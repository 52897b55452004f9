import { describe, expect, it } from 'vitest';
import { isNotificationEvent, NOTIFICATION_EVENTS } from './events.js';
import { isSafeHeaderValue, validateWebhookTarget, type WebhookTarget } from './webhook-target.js';

function codes(t: WebhookTarget, allowHttp = false): string[] {
  try {
    validateWebhookTarget(t, { allowHttp });
  } catch (e) {
    const err = e as { code: string; details: { field: string; code: string }[] };
    expect(err.code).toBe('VALIDATION_FAILED');
    return err.details.map((d) => `${d.field}:${d.code}`);
  }
  return [];
}

describe('webhook header safety', () => {
  it('refuses CR, LF, NUL and other controls in values', () => {
    expect(isSafeHeaderValue('Bearer abc.def')).toBe(true);
    expect(isSafeHeaderValue('a\tb')).toBe(true);
    for (const bad of ['x\r\nAuthorization: y', 'x\ny', 'x\ry', 'x\u0000', 'x\u007f', ' x', 'x ', 'ĀB']) {
      expect(isSafeHeaderValue(bad)).toBe(false);
    }
  });
  it('accepts a clean https target', () => {
    expect(codes({ url: 'https://hooks.example.org/custos?x=1', headers: { 'X-Api-Key': 'k-123' } })).toEqual(
      [],
    );
  });
  it('collects every problem', () => {
    expect(
      codes({
        url: 'http://user:pw@hooks.example.org/',
        headers: {
          'X-Ok': 'a\r\nInjected: yes',
          'Bad Name': 'v',
          'Custos-Signature': 'forged',
          'x-ok': 'dup',
          'Proxy-Authorization': 'p',
        },
      }),
    ).toEqual([
      'url:SCHEME',
      'url:CREDENTIALS',
      'headers.X-Ok:NOT_ALLOWED',
      'headers.X-Ok:UNSAFE_VALUE',
      'headers.Bad Name:UNSAFE_NAME',
      'headers.Custos-Signature:NOT_ALLOWED',
      'headers.x-ok:NOT_ALLOWED',
      'headers.x-ok:DUPLICATE',
      'headers.Proxy-Authorization:NOT_ALLOWED',
    ]);
  });
  it('allows only a fixed set of headers (issue 15 item 3)', () => {
    expect(
      codes({
        url: 'https://h.example.org/',
        headers: { Authorization: 'Bearer x', 'X-Webhook-Token': 't' },
      }),
    ).toEqual([]);
    for (const name of [
      'Host',
      'Cookie',
      'X-Forwarded-For',
      'Forwarded',
      'X-Real-IP',
      'Custos-Event',
      'Proxy-Authorization',
    ])
      expect(codes({ url: 'https://h.example.org/', headers: { [name]: 'v' } })).toEqual([
        `headers.${name}:NOT_ALLOWED`,
      ]);
  });
  it('checks the raw URL before the parser strips tabs and newlines', () => {
    expect(codes({ url: 'https://hooks.example.org/a\r\nX-Injected: 1' })).toEqual(['url:UNSAFE_CHARACTER']);
    expect(codes({ url: 'not a url' })).toEqual(['url:UNSAFE_CHARACTER', 'url:NOT_A_URL']);
    expect(codes({ url: 'http://localhost:8080/hook' }, true)).toEqual([]);
    expect(codes({ url: 'ftp://example.org/' }, true)).toEqual(['url:SCHEME']);
  });
});

describe('notification events', () => {
  it('lists the fifteen event names', () => {
    expect(NOTIFICATION_EVENTS).toHaveLength(15);
    expect(isNotificationEvent('case.message')).toBe(true);
    expect(isNotificationEvent('deadline.due-7d')).toBe(true);
    expect(isNotificationEvent('deadline.due-30d')).toBe(false);
  });
});
