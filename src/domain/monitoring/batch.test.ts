import { describe, expect, it } from 'vitest';
import { BATCH_LIMITS, formatBatch, GENESIS_PREV, parseBatch, parseInstant } from './batch.js';
import type { BatchContent, DeviceEvent } from './batch.types.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

const everyType: DeviceEvent[] = [
  { time: '2026-12-06T01:00:00Z', type: 'heartbeat', battery: 87.5, temperature: 21.4, tamper: false },
  { time: '2026-12-06T01:00:01Z', type: 'seal-open' },
  { time: '2026-12-06T01:00:02Z', type: 'seal-close' },
  { time: '2026-12-06T01:00:03Z', type: 'tamper' },
  { time: '2026-12-06T01:00:04Z', type: 'camera-trigger', imageSha256: 'ab'.repeat(32) },
  { time: '2026-12-06T01:00:05Z', type: 'gate-count', direction: 'in', items: 3 },
  { time: '2026-12-06T02:00:06+01:00', type: 'radiation', countsPerSecond: 12.25 },
];
const content: BatchContent = { device: 'SEAL-1', seq: 1, prev: GENESIS_PREV, events: everyType };

function detailsOf(bytes: Uint8Array) {
  const r = parseBatch(bytes);
  if (r.ok) throw new Error('expected a refusal');
  return r;
}

describe('parseBatch', () => {
  it('reads every event type from the bytes formatBatch writes, times parsed to UTC instants', () => {
    const r = parseBatch(formatBatch(content));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.batch.device).toBe('SEAL-1');
    expect(r.batch.seq).toBe(1);
    expect(r.batch.events.map((e) => e.type)).toEqual([
      'heartbeat',
      'seal-open',
      'seal-close',
      'tamper',
      'camera-trigger',
      'gate-count',
      'radiation',
    ]);
    expect(r.batch.events[6]?.at).toBe(Date.parse('2026-12-06T01:00:06Z'));
    expect(r.batch.events[0]).toMatchObject({ battery: 87.5, temperature: 21.4, tamper: false });
  });

  it('writes the documented wire form and leaves a read event’s instant off it', () => {
    const read = parseBatch(formatBatch(content));
    if (!read.ok) throw new Error('unreadable');
    const again = new TextDecoder().decode(formatBatch(read.batch));
    expect(again).toBe(new TextDecoder().decode(formatBatch(content)));
    expect(again.startsWith('{"device":"SEAL-1","seq":1,"prev":"0000')).toBe(true);
    expect(again).not.toContain('"at"');
  });

  it('refuses malformed JSON and invalid UTF-8 with MALFORMED', () => {
    expect(detailsOf(utf8('{"device":')).details).toEqual([
      { code: 'MALFORMED', rule: 'body', values: {}, message: 'the batch is not valid JSON' },
    ]);
    expect(detailsOf(Uint8Array.from([0x7b, 0xff, 0x7d])).details[0]?.message).toBe(
      'the batch is not valid UTF-8',
    );
    expect(detailsOf(utf8('')).details[0]?.code).toBe('MALFORMED');
  });

  it('refuses an oversized batch before reading it, and too many events, as too large', () => {
    const big = detailsOf(new Uint8Array(BATCH_LIMITS.maxBytes + 1));
    expect(big.tooLarge).toBe(true);
    expect(big.details[0]?.code).toBe('TOO_LONG');
    const events = Array.from({ length: 11 }, () => ({
      time: '2026-12-06T01:00:00Z',
      type: 'tamper' as const,
    }));
    const many = parseBatch(formatBatch({ ...content, events }), { maxBytes: 1 << 20, maxEvents: 10 });
    expect(many).toMatchObject({
      ok: false,
      tooLarge: true,
      details: [{ code: 'TOO_MANY', field: 'events' }],
    });
  });

  it('lists every problem at once, with the field of each', () => {
    const text = JSON.stringify({
      device: 'a/b',
      seq: 0,
      prev: 'XYZ',
      extra: 1,
      events: [
        { time: '2026-02-30T00:00:00Z', type: 'heartbeat', battery: 101, colour: 'red' },
        { time: '2026-12-06T01:00:00Z', type: 'camera-trigger' },
        { time: '2026-12-06T01:00:00Z', type: 'gate-count', direction: 'up', items: 1.5 },
        { time: '2026-12-06T01:00:00Z', type: 'constructor' },
        { type: 'radiation', countsPerSecond: -1 },
        7,
      ],
    });
    const r = detailsOf(utf8(text));
    expect(r.tooLarge).toBe(false);
    expect(r.details.map((d) => [d.field, d.code])).toEqual([
      ['extra', 'FIELD_UNKNOWN'],
      ['device', 'FIELD_FORMAT'],
      ['seq', 'FIELD_FORMAT'],
      ['prev', 'FIELD_FORMAT'],
      ['events[0].time', 'DATE_INVALID'],
      ['events[0].battery', 'FIELD_FORMAT'],
      ['events[0].colour', 'FIELD_UNKNOWN'],
      ['events[1].imageSha256', 'FIELD_MISSING'],
      ['events[2].direction', 'FIELD_FORMAT'],
      ['events[2].items', 'FIELD_FORMAT'],
      ['events[3].type', 'FIELD_FORMAT'],
      ['events[4].time', 'FIELD_MISSING'],
      ['events[4].countsPerSecond', 'FIELD_FORMAT'],
      ['events[5]', 'FIELD_TYPE'],
    ]);
  });

  it('refuses a first batch whose prev is not 64 zeros, a non-object, and an empty event list', () => {
    const prev = 'ab'.repeat(32);
    expect(detailsOf(formatBatch({ ...content, prev })).details).toMatchObject([
      { field: 'prev', code: 'PREV_MISMATCH' },
    ]);
    expect(detailsOf(utf8('[1]')).details).toMatchObject([{ field: '', code: 'FIELD_TYPE' }]);
    expect(detailsOf(formatBatch({ ...content, events: [] })).details).toMatchObject([
      { field: 'events', code: 'EMPTY' },
    ]);
    expect(detailsOf(utf8('{}')).details.map((d) => d.field)).toEqual(['device', 'seq', 'prev', 'events']);
  });

  it('caps the list at 100 details and counts the rest', () => {
    const events = Array.from({ length: 150 }, () => ({ time: 'soon', type: 'tamper' }));
    const r = detailsOf(utf8(JSON.stringify({ ...content, events })));
    expect(r.details).toHaveLength(101);
    expect(r.details[100]).toEqual({
      code: 'TOO_MANY_ERRORS',
      values: { count: 50 },
      message: '50 further problems not listed',
    });
  });
});

describe('parseInstant', () => {
  it('reads RFC 3339 with Z or an offset and fractions, and refuses impossible calendars', () => {
    expect(parseInstant('2026-12-06T01:30:00.123Z')).toBe(Date.UTC(2026, 11, 6, 1, 30, 0, 123));
    expect(parseInstant('2026-12-06T03:30:00+02:00')).toBe(Date.UTC(2026, 11, 6, 1, 30));
    expect(parseInstant('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    for (const bad of [
      '2026-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-12-06T24:00:00Z',
      '2026-12-06T01:30:60Z',
      '2026-12-06 01:30:00Z',
      '2026-12-06T01:30:00',
      '2026-12-06T01:30:00+24:00',
    ]) {
      expect(parseInstant(bad), bad).toBeUndefined();
    }
  });
});
