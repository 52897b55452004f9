/** The app's own messages, so stories find what a user reads in any of the six languages. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIntl } from 'react-intl';
import { ROOT } from './harness.js';

export type Say = (key: string, values?: Record<string, string | number>) => string;

export function messagesOf(locale: string): Say {
  const read = (l: string) =>
    JSON.parse(readFileSync(join(ROOT, 'web/src/i18n/messages', `${l}.json`), 'utf8')) as Record<
      string,
      string
    >;
  const intl = createIntl({ locale, messages: read(locale) });
  return (key, values) => intl.formatMessage({ id: key }, values);
}
