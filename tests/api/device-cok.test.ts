import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_PREV, signBatch } from '../../src/domain/monitoring/index.js';
import { ed25519PublicKey } from '../../src/log/index.js';
import { runCokPass } from '../../src/services/monitoring/cok-timer.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * Continuity of knowledge as time passes (issue 18 §5, decision 0030): a device that stops
 * sending is found by the timer (DEVICE_SILENT once, CoK degraded), the alarm is listed in
 * GET /api/alarms and opens one case; its next batch, in an intact chain, closes the gap without
 * losing CoK and says so.
 */
describe.each(testDialects())('continuity of knowledge over time (%s)', (dialect) => {
  let t: TestApp;
  const seed = new Uint8Array(32).fill(21);
  const admin = () => bearer(t.adminToken);

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const heartbeats = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      time: new Date(from + i * 10_000).toISOString(),
      type: 'heartbeat' as const,
      battery: 80,
      tamper: false,
    }));
  const send = (bytes: Uint8Array, header: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/devices/XA-COK-1/batches',
      headers: { 'content-type': 'application/json', 'custos-signature': header },
      payload: Buffer.from(bytes),
    });
  const status = async () =>
    (await t.app.inject({ method: 'GET', url: '/api/devices/XA-COK-1/status', headers: admin() })).json() as {
      cok: string;
      intervals: { reason: string; closedBy: string | null }[];
      alarms: { code: string }[];
    };

  it('finds a silent device, lists its alarm, opens one case, and closes the gap with the backlog', async () => {
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/devices',
      headers: admin(),
      payload: {
        id: 'XA-COK-1',
        kind: 'seal',
        facility: 'XA-STO',
        owners: ['agency'],
        publicKey: Buffer.from(ed25519PublicKey(seed)).toString('base64'),
        heartbeatSeconds: 10,
      },
    });
    expect(reg.statusCode).toBe(201);
    const t0 = t.clock.now().getTime();
    const first = signBatch(seed, {
      device: 'XA-COK-1',
      seq: 1,
      prev: GENESIS_PREV,
      events: heartbeats(t0, 1),
    });
    t.clock.advance(1000);
    expect((await send(first.bytes, first.header)).statusCode).toBe(201);
    // Within heartbeat + tolerance: nothing.
    t.clock.advance(10_000);
    expect(await runCokPass(t.ports)).toEqual({ alarms: 0, cases: 0 });
    // Beyond it: silent, once.
    t.clock.advance(60_000);
    expect(await runCokPass(t.ports)).toEqual({ alarms: 1, cases: 1 });
    expect(await runCokPass(t.ports)).toEqual({ alarms: 0, cases: 0 });
    const s = await status();
    expect(s.cok).toBe('degraded');
    expect(s.alarms.map((a) => a.code)).toEqual(['DEVICE_SILENT']);
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/alarms?code=DEVICE_SILENT',
      headers: admin(),
    });
    expect(listed.json()).toMatchObject({
      total: 1,
      items: [{ code: 'DEVICE_SILENT', state: 'XA', ref: 'XA-COK-1' }],
    });
    // The backlog (heartbeats every 10 s all along) arrives in order: the gap closes, CoK kept.
    const backlog = signBatch(seed, {
      device: 'XA-COK-1',
      seq: 2,
      prev: first.hash,
      events: heartbeats(t0 + 10_000, 7),
    });
    expect((await send(backlog.bytes, backlog.header)).statusCode).toBe(201);
    const after = await status();
    expect(after.cok).toBe('intact');
    expect(after.intervals).toEqual([expect.objectContaining({ reason: 'silent', closedBy: 'backlog' })]);
  });
});
