import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../log/index.js';
import { Refusal } from './inbox-reading.js';
import { unpackOriginal, wireOriginal } from './packed-original.js';

/** Past what is unpacked on the request's thread (64 KiB). */
const BIG = 64 * 1024 + 10;
const body = new TextEncoder().encode('{"lines":['.padEnd(BIG, ' ').concat(']}'));
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
  it('is sent packed when stored packed and the peer reads packed originals, whatever its size', () => {
    expect(wireOriginal(body, stored, 'k:s', true)).toEqual({
      packed: encodeBase64(stored.data),
      codec: 'br',
      signature: 'k:s',
    });
    expect(wireOriginal(body, { codec: 'identity', data: body }, 'k:s', true)).toEqual({
      bytes: encodeBase64(body),
      signature: 'k:s',
    });
    expect(wireOriginal(body, stored, 'k:s', false)).toEqual({ bytes: encodeBase64(body), signature: 'k:s' });
    const small = new TextEncoder().encode('{"lines":[]}');
    const smallStored = { codec: 'br', data: brotliCompressSync(small) };
    expect(wireOriginal(small, smallStored, 'k:s', true)).toHaveProperty(
      'packed',
      encodeBase64(smallStored.data),
    );
  });

  it('unpacks to the signed bytes in hand, with the stream to store as it is', async () => {
    const small = new TextEncoder().encode('{"lines":[1,2,3]}');
    const smallStored = { codec: 'br', data: brotliCompressSync(small) };
    // A big body on the pool, a small one on the request's thread: the same answer.
    for (const [bytes, packed] of [
      [body, stored],
      [small, smallStored],
    ] as const) {
      const out = await unpackOriginal(bundle(wireOriginal(bytes, packed, 'k:s', true)), 1 << 20);
      const original = (out.bundle as { original: { bytes: Uint8Array; signature: string } }).original;
      expect(Buffer.from(original.bytes).equals(Buffer.from(bytes))).toBe(true);
      expect(original.signature).toBe('k:s');
      expect(out.packed?.codec).toBe('br');
      expect(out.packed?.data.equals(packed.data)).toBe(true);
    }
  });

  it('refuses a small stream that unpacks past the limit, on the thread or not', async () => {
    // A few hundred bytes that unpack to 1 MiB: past the thread's share, so the pool answers.
    const bomb = brotliCompressSync(new Uint8Array(1 << 20));
    expect(bomb.length).toBeLessThan(1024);
    const packed = encodeBase64(bomb);
    expect(await refusal(bundle({ packed, codec: 'br', signature: 'k:s' }), 1000)).toMatch(
      /^LOG_MALFORMED: original.packed does not unpack to a body of at most 1000 bytes/,
    );
    expect(await refusal(bundle({ packed, codec: 'br', signature: 'k:s' }), 2 << 20)).toBe('accepted');
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
    expect(await refusal(bundle({ packed, codec: 'br', signature: 'k:s' }), BIG)).toMatch(
      /^LOG_MALFORMED: original.packed does not unpack to a body of at most/,
    );
    expect(await refusal(bundle({ packed, codec: 'br', signature: 'k:s' }), body.length)).toBe('accepted');
  });
});
