import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../log/index.js';
import { Refusal } from './inbox-reading.js';
import { PACK_ABOVE, unpackOriginal, wireOriginal } from './packed-original.js';

const body = new TextEncoder().encode('{"lines":['.padEnd(PACK_ABOVE + 10, ' ').concat(']}'));
const stored = { codec: 'br', data: brotliCompressSync(body) };
const bundle = (original: object) => ({ source: 's', index: 1, original });

async function refusal(b: unknown, limit = 1 << 20): Promise<string> {
  try {
    await unpackOriginal(b, limit);
  } catch (err) {
    if (err instanceof Refusal) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('a packed original (decision 0071)', () => {
  it('is sent packed only when big and stored packed', () => {
    expect(wireOriginal(body, stored, 'k:s', PACK_ABOVE)).toEqual({
      packed: encodeBase64(stored.data),
      codec: 'br',
      signature: 'k:s',
    });
    expect(wireOriginal(body, { codec: 'identity', data: body }, 'k:s', PACK_ABOVE)).toEqual({
      bytes: encodeBase64(body),
      signature: 'k:s',
    });
    const small = body.subarray(0, PACK_ABOVE - 1);
    expect(wireOriginal(small, stored, 'k:s', PACK_ABOVE)).toHaveProperty('bytes', encodeBase64(small));
  });

  it('unpacks to the signed bytes in hand, with the stream to store as it is', async () => {
    const out = await unpackOriginal(bundle(wireOriginal(body, stored, 'k:s', PACK_ABOVE)), 1 << 20);
    const original = (out.bundle as { original: { bytes: Uint8Array; signature: string } }).original;
    expect(Buffer.from(original.bytes).equals(Buffer.from(body))).toBe(true);
    expect(original.signature).toBe('k:s');
    expect(out.packed?.codec).toBe('br');
    expect(out.packed?.data.equals(stored.data)).toBe(true);
  });

  it('leaves a bundle with its bytes, or none, as it is', async () => {
    const plain = bundle({ bytes: 'AAAA', signature: 'k:s' });
    expect(await unpackOriginal(plain, 10)).toEqual({ bundle: plain });
    expect(await unpackOriginal({ source: 's' }, 10)).toEqual({ bundle: { source: 's' } });
  });

  it('refuses a malformed packed original or one that unpacks past the limit', async () => {
    const packed = encodeBase64(stored.data);
    expect(await refusal(bundle({ packed, codec: 'gzip', signature: 'k:s' }))).toMatch(/^LOG_MALFORMED/);
    expect(await refusal(bundle({ packed, codec: 'br', signature: 'k:s', bytes: 'AAAA' }))).toMatch(
      /^LOG_MALFORMED/,
    );
    expect(await refusal(bundle({ packed: '%%%', codec: 'br', signature: 'k:s' }))).toMatch(
      /^LOG_MALFORMED: original.packed is not base64/,
    );
    expect(await refusal(bundle({ packed: encodeBase64(body), codec: 'br', signature: 'k:s' }))).toMatch(
      /^LOG_MALFORMED: original.packed does not unpack/,
    );
    expect(await refusal(bundle({ packed, codec: 'br', signature: 'k:s' }), PACK_ABOVE)).toMatch(
      /^LOG_MALFORMED: original.packed does not unpack to a body of at most/,
    );
    expect(await refusal(bundle({ packed, codec: 'br', signature: 'k:s' }), body.length)).toBe('accepted');
  });
});
