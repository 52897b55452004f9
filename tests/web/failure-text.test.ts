import { describe, expect, it } from 'vitest';
import { LogError } from '../../src/log/errors.js';
import { ApiError } from '../../web/src/api/client.js';
import type { Translate } from '../../web/src/i18n/I18nProvider.js';
import { failureText } from '../../web/src/i18n/problems.js';
import { declarationOfJson } from '../../web/src/pages/legal/upload.js';
import { KeyFileError } from '../../web/src/signing.js';

/** The key and values a page would word, so the test sees which message was chosen. */
const t = ((key: string, values?: Record<string, unknown>) =>
  values === undefined ? key : `${key} ${JSON.stringify(values)}`) as Translate;

/**
 * Decision 0064: a failure the browser meets is worded from the catalogues by its code or typed
 * reason; an exception's own English text never reaches the page.
 */
describe('failures in the user’s language', () => {
  it('words an API refusal, a key file, a log proof and anything else from the catalogue', () => {
    expect(failureText(t, new ApiError(409, 'DEVICE_CHAIN_BROKEN', 'the chain is broken'))).toBe(
      'error.DEVICE_CHAIN_BROKEN',
    );
    expect(failureText(t, new ApiError(0, 'NETWORK', 'Failed to fetch'))).toBe('advice.network.title');
    expect(failureText(t, new KeyFileError('length', 31))).toBe('keyFile.length {"bytes":31}');
    expect(failureText(t, new LogError('LOG_RANGE', 'entry 12 is beyond the tree'))).toBe('error.LOG_RANGE');
    for (const e of [new TypeError('x.map is not a function'), new SyntaxError('Unexpected token'), 'boom'])
      expect(failureText(t, e)).toBe('failure.unexpected');
  });

  it('reads a declaration file or says why it is not one, by reason', () => {
    expect(
      declarationOfJson('{"article":"2.a.ix","period":{"from":"2026-01-01"},"items":[{"q":1}]}'),
    ).toEqual({
      article: '2.a.ix',
      period: { from: '2026-01-01', to: undefined },
      items: [{ q: '1' }],
    });
    expect(declarationOfJson('[{"a":"b"}]')).toEqual({ items: [{ a: 'b' }] });
    expect(declarationOfJson('{"items": [1, 2')).toBe('notJson');
    // Before decision 0064 these threw a TypeError whose English the page showed.
    expect(declarationOfJson('{"items": 5}')).toBe('notDeclaration');
    expect(declarationOfJson('[1, 2]')).toBe('notDeclaration');
    expect(declarationOfJson('"text"')).toBe('notDeclaration');
  });
});
