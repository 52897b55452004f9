import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'whsec_test';
const body = '{"type":"report.accepted"}';
// Python: hmac.new(b'whsec_test', b'1700000000.' + body, hashlib.sha256).hexdigest()
const header = 't=1700000000,v1=f3fcdddf881b3f269214f0f455efb08d3fdd402f4cca91639ad0e138d050d676';

function reason(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const err = e as { code: string; details: { reason: string } };
    return `${err.code}:${err.details.reason}`;
  }
  return 'ok';
}

describe('signWebhook', () => {
  it('matches an independent HMAC-SHA256 over "<t>.<body>"', () => {
    expect(signWebhook(secret, 1_700_000_000, body)).toBe(header);
    expect(signWebhook(secret, 1_700_000_000, '')).toBe(
      't=1700000000,v1=5967f3c560522fa40cf2876ebc3c3a08551dd6959aaade3b413460591895bdcc',
    );
    expect(signWebhook(new TextEncoder().encode(secret), 1_700_000_000, new TextEncoder().encode(body))).toBe(
      header,
    );
  });
  it('refuses a non-integer timestamp', () => {
    expect(() => signWebhook(secret, 1.5, body)).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts within tolerance on either side', () => {
    expect(verifyWebhookSignature({ secret, header, body, now: 1_700_000_300 })).toEqual({
      timestamp: 1_700_000_000,
    });
    expect(verifyWebhookSignature({ secret, header, body, now: 1_699_999_700 }).timestamp).toBe(
      1_700_000_000,
    );
  });
  it('refuses outside tolerance, a changed body or secret, and malformed headers', () => {
    expect(reason(() => verifyWebhookSignature({ secret, header, body, now: 1_700_000_301 }))).toBe(
      'SIGNATURE_INVALID:too-old',
    );
    expect(reason(() => verifyWebhookSignature({ secret, header, body, now: 1_699_999_000 }))).toBe(
      'SIGNATURE_INVALID:too-new',
    );
    expect(
      reason(() => verifyWebhookSignature({ secret, header, body: `${body} `, now: 1_700_000_000 })),
    ).toBe('SIGNATURE_INVALID:mismatch');
    expect(reason(() => verifyWebhookSignature({ secret: 'other', header, body, now: 1_700_000_000 }))).toBe(
      'SIGNATURE_INVALID:mismatch',
    );
    for (const bad of [
      '',
      't=1700000000',
      `v1=${'0'.repeat(64)}`,
      't=abc,v1=00',
      `t=1,t=2,v1=${'0'.repeat(64)}`,
      'garbage',
    ]) {
      expect(reason(() => verifyWebhookSignature({ secret, header: bad, body, now: 1 }))).toBe(
        'SIGNATURE_INVALID:malformed',
      );
    }
  });
  it('accepts any of several v1 entries (secret rotation) and ignores unknown schemes', () => {
    const rotated = `t=1700000000,v0=xyz,v1=${'0'.repeat(64)},v1=${header.split('v1=')[1]}`;
    expect(verifyWebhookSignature({ secret, header: rotated, body, now: 1_700_000_000 }).timestamp).toBe(
      1_700_000_000,
    );
  });
  it('round-trips any body and secret', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (s, b, t) => {
          expect(
            verifyWebhookSignature({ secret: s, header: signWebhook(s, t, b), body: b, now: t }).timestamp,
          ).toBe(t);
        },
      ),
    );
  });
});
