import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INSTITUTION_KINDS, INSTITUTIONAL_DUTIES } from '../../src/domain/legal/index.js';
import { LOCALES } from '../../web/src/i18n/locales.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const catalogue = (locale: string): Record<string, string> =>
  JSON.parse(readFileSync(join(root, 'web/src/i18n/messages', `${locale}.json`), 'utf8')) as Record<
    string,
    string
  >;

/**
 * Issue 19: institutional duties and the kinds of institution that hold them are named in the
 * user's language on the register and the roles screens, not shown as their codes.
 */
describe('duty and institution names', () => {
  it.each([...LOCALES])(
    '%s names every duty and institution kind, each differently and not as its code',
    (l) => {
      const cat = catalogue(l);
      const duties = INSTITUTIONAL_DUTIES.map((d) => cat[`duty.${d}`]);
      const kinds = INSTITUTION_KINDS.map((k) => cat[`institution.${k}`]);
      for (const [i, name] of duties.entries()) {
        expect(name, `duty.${INSTITUTIONAL_DUTIES[i]}`).toBeTruthy();
        expect(name).not.toBe(INSTITUTIONAL_DUTIES[i]);
      }
      for (const name of kinds) expect(name).toBeTruthy();
      expect(new Set(duties).size).toBe(duties.length);
      expect(new Set(kinds).size).toBe(kinds.length);
    },
  );
});
