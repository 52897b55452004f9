import { describe, expect, it } from 'vitest';
import { DETAIL_CODES, ERROR_CODES } from './errors.js';

describe('the closed code sets', () => {
  it('lists each code once, in the codes’ own spelling', () => {
    for (const list of [ERROR_CODES, DETAIL_CODES]) {
      expect(new Set(list).size).toBe(list.length);
      for (const code of list) expect(code).toMatch(/^[A-Z][A-Z0-9_]*[A-Z0-9]$/);
    }
  });
});
