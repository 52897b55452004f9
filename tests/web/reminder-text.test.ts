import { createIntl } from 'react-intl';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../web/src/api.js';
import type { MessageKey } from '../../web/src/i18n/I18nProvider.js';
import en from '../../web/src/i18n/messages/en.json' with { type: 'json' };
import fr from '../../web/src/i18n/messages/fr.json' with { type: 'json' };
import { describeEvent, eventLink } from '../../web/src/live.js';

const translator = (locale: string, messages: Record<string, string>) => {
  const intl = createIntl({ locale, messages });
  return (key: MessageKey, values?: Record<string, string | number | Date>) =>
    intl.formatMessage({ id: key }, values);
};

const reminder = (type: string): LiveEvent =>
  ({
    id: 1,
    type,
    state: 'XB',
    organisation: null,
    at: '2026-11-22T06:00:00Z',
    data: {
      obligation: 'AP:2.a.ix:2026-Q3',
      reportType: 'AP_DECLARATION',
      article: '2.a.ix',
      provision: 'INFCIRC/540 Art. 3.d',
      mba: null,
      dueDate: '2026-11-29',
      reminder: type.slice('deadline.'.length),
    },
  }) as unknown as LiveEvent;

/** Issue 19: a declaration's reminder says its article and the Article 3 provision, in words. */
describe('Additional Protocol reminders in the inbox', () => {
  it('name the article and cite the provision, not the obligation code', () => {
    const soon = describeEvent(reminder('deadline.due-7d'), translator('en', en));
    expect(soon).toContain('article 2.a.ix');
    expect(soon).toContain('INFCIRC/540 Art. 3.d');
    expect(soon).not.toContain('AP:2.a.ix');
    const missed = describeEvent(reminder('deadline.missed'), translator('fr', fr));
    expect(missed).toContain('échéance');
    expect(missed).toContain('INFCIRC/540 Art. 3.d');
  });

  it("lead to the state's declarations", () => {
    expect(eventLink(reminder('deadline.due-1d'))).toBe('/states/XB/declarations');
  });
});
