import { describe, expect, it } from 'vitest';
import { encodeBase64, encodeBase64Portable, tryDecodeBase64, tryDecodeBase64Portable } from './encoding.js';

/** A deterministic byte source (xorshift), so a failure can be replayed. */
function bytesOf(seed: number, n: number): Uint8Array {
  let x = seed | 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

describe('base64 through Buffer and through the portable loops', () => {
  it('encodes every length alike and decodes back to the same bytes', () => {
    for (let n = 0; n < 300; n++) {
      const bytes = bytesOf(n + 1, n);
      const text = encodeBase64(bytes);
      expect(text).toBe(encodeBase64Portable(bytes));
      const back = tryDecodeBase64(text);
      expect(back).toEqual(bytes);
      expect(back).toEqual(tryDecodeBase64Portable(text));
      expect(back?.constructor).toBe(Uint8Array);
    }
  });

  it('encodes a view into a larger buffer by its own bytes only', () => {
    const whole = bytesOf(7, 64);
    const view = whole.subarray(5, 20);
    expect(encodeBase64(view)).toBe(encodeBase64Portable(view));
  });

  it('refuses the same non-canonical spellings', () => {
    const texts = [
      'QQ==', // canonical "A"
      'QR==', // non-zero trailing bits
      'QUI=',
      'QUJ=', // non-zero trailing bits
      'QUJD',
      'QUJD\n',
      'QU JD',
      'QUJ',
      'Q===',
      '====',
      'QQ=A',
      '=QQQ',
      'QUJD-_==',
      'QUJDRA',
      'QUJDRA==',
      'QUJD RA=',
      'QUJDé===',
      '',
    ];
    for (const t of texts) expect([t, tryDecodeBase64(t)]).toEqual([t, tryDecodeBase64Portable(t)]);
    expect(tryDecodeBase64('QR==')).toBeUndefined();
    expect(tryDecodeBase64('QUJD\n')).toBeUndefined();
  });

  it('decodes a body bigger than a Buffer pool slab alike', () => {
    const bytes = bytesOf(3, 100_001);
    const text = encodeBase64(bytes);
    expect(text).toBe(encodeBase64Portable(bytes));
    const back = tryDecodeBase64(text) as Uint8Array;
    expect(back.length).toBe(bytes.length);
    expect(encodeBase64Portable(back)).toBe(text);
  });
});
