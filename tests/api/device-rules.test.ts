import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/cli/reports.js';
import { GENESIS_PREV, signBatch } from '../../src/domain/monitoring/index.js';
import { ed25519PublicKey } from '../../src/log/index.js';
import { runCokPass } from '../../src/services/monitoring/cok-timer.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { demoSeed, icr, initialReport, submit } from '../fixtures/reports.js';

/**
 * The rules of issue 18 §5 beyond one device's chain (decision 0038): re-verification by an
 * inspector, an inspection's window bounding what it excuses, camera triggers while the
 * containment's seal is open, and a gate's counts against the ICR lines declared through its KMP.
 */
describe.each(testDialects())('monitoring rules (%s)', (dialect) => {
  let t: TestApp;
  const admin = () => bearer(t.adminToken);
  const as = (login: string) => bearer(t.token(login));
  const heads = new Map<string, { seq: number; hash: string; seed: Uint8Array }>();

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  async function register(id: string, extra: object, n: number) {
    const seed = new Uint8Array(32).fill(n);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/devices',
      headers: admin(),
      payload: {
        id,
        owners: ['agency'],
        publicKey: Buffer.from(ed25519PublicKey(seed)).toString('base64'),
        heartbeatSeconds: 3600,
        ...extra,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    heads.set(id, { seq: 0, hash: GENESIS_PREV, seed });
  }
  async function send(id: string, events: object[]) {
    const h = heads.get(id) as { seq: number; hash: string; seed: Uint8Array };
    const b = signBatch(h.seed, { device: id, seq: h.seq + 1, prev: h.hash, events: events as never });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/devices/${id}/batches`,
      headers: { 'content-type': 'application/json', 'custos-signature': b.header },
      payload: Buffer.from(b.bytes),
    });
    expect(res.statusCode, res.body).toBe(201);
    heads.set(id, { ...h, seq: h.seq + 1, hash: b.hash });
  }
  const status = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/devices/${id}/status`, headers: admin() })).json() as {
      cok: string;
      intervals: { reason: string; closedBy: string | null; detail: string; to: string | null }[];
      alarms: { code: string; at: string; values?: Record<string, unknown> }[];
    };
  const now = (plusMs = 0) => new Date(t.clock.now().getTime() + plusMs).toISOString();
  const reverify = (login: string, id: string, body: object, org = 'agency') => {
    const bytes = Buffer.from(JSON.stringify(body));
    return t.app.inject({
      method: 'POST',
      url: `/api/devices/${id}/reverify`,
      headers: {
        ...as(login),
        'content-type': 'application/json',
        'custos-signature': signatureHeader(demoSeed(t, org), bytes),
      },
      payload: bytes,
    });
  };
  const rvBody = (device: string, n: number) => ({
    v: 1,
    type: 'custos/device-reverification',
    device,
    n,
    note: 'seal checked',
  });

  it('restores CoK by a signed re-verification of an owning inspectorate’s inspector, once', async () => {
    await register('XA-RV-1', { kind: 'seal', facility: 'XA-STO' }, 31);
    await send('XA-RV-1', [{ time: now(), type: 'seal-open' }]);
    expect((await status('XA-RV-1')).cok).toBe('lost');
    // The alarm → case trail: its case is named on the status once opened.
    await runCokPass(t.ports);
    const trail = (await status('XA-RV-1')).alarms as unknown as { code: string; caseId: string | null }[];
    expect(trail).toEqual([expect.objectContaining({ code: 'SEAL_OPENED', caseId: expect.any(String) })]);
    // The state sees the device's health but does not re-verify; nor does an administrator.
    expect((await reverify('xa-ssac.admin', 'XA-RV-1', rvBody('XA-RV-1', 2), 'xa-ssac')).statusCode).toBe(
      403,
    );
    expect((await reverify('agency.admin', 'XA-RV-1', rvBody('XA-RV-1', 2))).statusCode).toBe(403);
    // Another inspectorate, not an owner, does not see it at all.
    expect((await reverify('rsa.inspector', 'XA-RV-1', rvBody('XA-RV-1', 2), 'rsa')).statusCode).toBe(404);
    const bad = await reverify('agency.inspector', 'XA-RV-1', { ...rvBody('XA-RV-1', 2), extra: 1 });
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const forged = await reverify('agency.inspector', 'XA-RV-1', rvBody('XA-RV-1', 2), 'rsa');
    expect(forged.json()).toMatchObject({ error: { code: 'KEY_UNKNOWN' } });
    expect((await status('XA-RV-1')).cok).toBe('lost');

    const ok = await reverify('agency.inspector', 'XA-RV-1', rvBody('XA-RV-1', 2));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ closed: 1, logIndex: expect.any(Number) });
    const s = await status('XA-RV-1');
    expect(s.cok).toBe('intact');
    expect(s.intervals).toEqual([
      expect.objectContaining({
        reason: 'seal-opened',
        closedBy: 'reverification',
        detail: expect.stringContaining('re-verified by'),
      }),
    ]);
    // The same signed body again: refused, nothing changes.
    const again = await reverify('agency.inspector', 'XA-RV-1', rvBody('XA-RV-1', 2));
    expect(again.statusCode).toBe(409);
    const record = await t.app.inject({
      method: 'GET',
      url: `/api/records/${encodeURIComponent('device-change:XA-RV-1:2')}`,
      headers: admin(),
    });
    expect(record.statusCode, record.body).toBe(200);
    expect(JSON.stringify(record.json())).toContain('custos/device-reverification');
  });

  it('lets an inspection excuse a seal opening only within its planned window', async () => {
    await register('XA-IN-1', { kind: 'seal', facility: 'XA-STO' }, 32);
    const arrived = (ms: number) => new Date(t.clock.now().getTime() - ms).toISOString();
    const row = (id: string, at: string) => ({
      id,
      type: 'routine' as const,
      facility: 'XA-STO',
      state: 'XA',
      facility_kind: 'other' as const,
      mbas: '["XA-S1"]',
      participants: '[]',
      starts_at: at,
      notice_given_at: null,
      arrived_at: at,
      notice_terms: 'routine',
      required_notice_hours: 24,
      planned_man_days: 2,
      inventory_ekg: null,
      throughput_ekg: null,
      status: 'in-progress' as const,
      created_at: at,
      created_by: 'test',
    });
    // Left "in progress" five days ago with two man-days planned: it covers nothing now.
    await t.ports.db.kysely
      .insertInto('inspections')
      .values(row('INS-OLD', arrived(5 * 86_400_000)))
      .execute();
    await send('XA-IN-1', [{ time: now(), type: 'seal-open' }]);
    expect((await status('XA-IN-1')).alarms.map((a) => a.code)).toEqual(['SEAL_OPENED']);
    await send('XA-IN-1', [{ time: now(1000), type: 'seal-close' }]);
    // An inspection that arrived an hour ago covers the next opening.
    await t.ports.db.kysely
      .insertInto('inspections')
      .values(row('INS-NOW', arrived(3_600_000)))
      .execute();
    await send('XA-IN-1', [{ time: now(2000), type: 'seal-open' }]);
    expect((await status('XA-IN-1')).alarms).toHaveLength(1);
  });

  it('raises CAMERA_UNDECLARED for a trigger while its containment’s seal is open, once per opening', async () => {
    await register('XA-CS-1', { kind: 'seal', facility: 'XA-FAB', containment: 'vault-2' }, 33);
    await register('XA-CC-1', { kind: 'camera', facility: 'XA-FAB', containment: 'vault-2' }, 34);
    const img = 'ab'.repeat(32);
    // Closed seal: a trigger is just a trigger.
    await send('XA-CC-1', [{ time: now(), type: 'camera-trigger', imageSha256: img }]);
    t.clock.advance(60_000);
    await send('XA-CS-1', [{ time: now(), type: 'seal-open' }]);
    t.clock.advance(60_000);
    await send('XA-CC-1', [
      { time: now(), type: 'camera-trigger', imageSha256: img },
      { time: now(1000), type: 'camera-trigger', imageSha256: img },
    ]);
    const cam = await status('XA-CC-1');
    expect(cam.alarms.map((a) => a.code)).toEqual(['CAMERA_UNDECLARED']);
    // The seal's own opening, with no inspection at the facility, is SEAL_OPENED on the seal.
    expect((await status('XA-CS-1')).alarms.map((a) => a.code)).toEqual(['SEAL_OPENED']);
    expect(cam.cok).toBe('degraded');
    t.clock.advance(60_000);
    await send('XA-CS-1', [{ time: now(), type: 'seal-close' }]);
    t.clock.advance(60_000);
    await send('XA-CC-1', [{ time: now(), type: 'camera-trigger', imageSha256: img }]);
    expect((await status('XA-CC-1')).alarms).toHaveLength(1);
  });

  it('compares a gate’s day with the ICR lines through its KMP once the state has declared it', async () => {
    const saved = t.clock.current;
    t.clock.current = new Date('2026-01-12T18:00:00Z');
    await register('XA-GT-1', { kind: 'gate', facility: 'XA-FAB', kmp: 'A' }, 35);
    await send('XA-GT-1', [
      { time: '2026-01-12T09:00:00Z', type: 'gate-count', direction: 'in', items: 1 },
      { time: '2026-01-12T15:00:00Z', type: 'gate-count', direction: 'in', items: 1 },
    ]);
    t.clock.current = new Date('2026-01-20T10:00:00Z');
    // The day is over but not declared yet: nothing to compare.
    await runCokPass(t.ports);
    expect((await status('XA-GT-1')).alarms.filter((a) => a.code === 'GATE_MISMATCH')).toEqual([]);
    t.clock.current = new Date('2026-02-05T10:00:00Z');
    const line = (n: number, date: string, code: string, batch: string) => ({
      line: n,
      date,
      code,
      batch,
      kmp: 'A',
      element: 'E',
      weight: 1000,
      fissileWeight: 40,
      isotope: 'G',
      basis: 'M',
      form: 'U2',
      counterpart: { state: 'XA', mba: 'XA-S1' },
    });
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'))).statusCode).toBe(201);
    const r = await submit(t, 'xa-ssac.submitter', icr(1, '2026-01', [line(1, '2026-01-12', 'RD', 'G-1')]));
    expect(r.statusCode, r.body).toBe(201);
    const pass = await runCokPass(t.ports);
    expect(pass?.alarms).toBeGreaterThanOrEqual(1);
    const alarms = (await status('XA-GT-1')).alarms.filter((a) => a.code !== 'DEVICE_SILENT');
    expect(alarms).toEqual([expect.objectContaining({ code: 'GATE_MISMATCH', at: '2026-01-12T00:00:00Z' })]);
    // The counts as values, worded by the browser (decision 0052): one RD line declared one item in.
    expect(alarms[0]?.values).toEqual(
      expect.objectContaining({ kmp: 'A', day: '2026-01-12', declaredIn: 1, declaredOut: 0 }),
    );
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/alarms?code=GATE_MISMATCH',
      headers: admin(),
    });
    expect(listed.json()).toMatchObject({ total: 1 });
    // Compared once: a further pass adds nothing.
    expect((await runCokPass(t.ports))?.alarms).toBe(0);
    t.clock.current = saved;
  });
});
