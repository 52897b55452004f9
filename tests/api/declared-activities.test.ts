import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_PREV, signBatch } from '../../src/domain/monitoring/index.js';
import { ed25519PublicKey, parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * Declared activities (issue 18 §5): a camera trigger while its containment's seal is open is
 * CAMERA_UNDECLARED unless the state declared an activity at that containment covering it. The
 * declaration is the state's (its submitters), a logged record, and bounded in time.
 */
describe.each(testDialects())('declared activities (%s)', (dialect) => {
  let t: TestApp;
  const heads = new Map<string, { seq: number; hash: string; seed: Uint8Array }>();
  const as = (login: string) => bearer(t.token(login));

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    for (const [id, kind, n] of [
      ['DA-SEAL', 'seal', 41],
      ['DA-CAM', 'camera', 42],
    ] as const) {
      const seed = new Uint8Array(32).fill(n);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/devices',
        headers: bearer(t.adminToken),
        payload: {
          id,
          kind,
          facility: 'XA-STO',
          containment: 'VAULT-7',
          owners: ['agency'],
          publicKey: Buffer.from(ed25519PublicKey(seed)).toString('base64'),
          heartbeatSeconds: 3600,
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      heads.set(id, { seq: 0, hash: GENESIS_PREV, seed });
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

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
  const cameraAlarms = async () =>
    (
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/devices/DA-CAM/status',
          headers: as('agency.inspector'),
        })
      ).json() as {
        alarms: { code: string; at: string }[];
      }
    ).alarms
      .filter((a) => a.code === 'CAMERA_UNDECLARED')
      .map((a) => a.at)
      .sort();
  const declare = (login: string, payload: object, facility = 'XA-STO') =>
    t.app.inject({
      method: 'POST',
      url: `/api/facilities/${facility}/activities`,
      headers: as(login),
      payload,
    });
  const trigger = (time: string) => ({ time, type: 'camera-trigger', imageSha256: 'ab'.repeat(32) });

  it('refuses what is not the state’s to declare, or not a bounded window, and stores nothing', async () => {
    const ok = {
      containment: 'VAULT-7',
      from: '2026-11-28T04:00:00Z',
      to: '2026-11-28T06:00:00Z',
      description: 'Drum transfer',
    };
    expect((await declare('agency.inspector', ok)).statusCode).toBe(403);
    expect([403, 404]).toContain((await declare('xb-ssac.submitter', ok)).statusCode);
    expect((await declare('xa-ssac.submitter', ok, 'NO-SUCH')).statusCode).toBe(404);
    const backwards = await declare('xa-ssac.submitter', { ...ok, to: '2026-11-28T03:00:00Z' });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.code).toBe('VALIDATION_FAILED');
    // Each check's problem carries a rule and values, so the page words it (decision 0064).
    expect(backwards.json().error.details).toEqual([
      expect.objectContaining({
        field: 'to',
        code: 'FIELD_INVALID',
        rule: 'notAfterFrom',
        values: { from: new Date(ok.from).toISOString(), to: '2026-11-28T03:00:00.000Z' },
      }),
    ]);
    const tooLong = await declare('xa-ssac.submitter', { ...ok, to: '2026-12-30T04:00:00Z' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.details).toEqual([
      expect.objectContaining({ field: 'to', code: 'FIELD_INVALID', rule: 'spanDays', values: { max: 31 } }),
    ]);
    expect((await declare('xa-ssac.submitter', { ...ok, extra: 1 })).statusCode).toBe(400);
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/facilities/XA-STO/activities',
      headers: as('xa-ssac.reviewer'),
    });
    expect(list.json()).toMatchObject({ items: [], total: 0 });
  });

  it('explains camera triggers inside the declared window, not the ones outside it', async () => {
    // An opening with no declaration: the camera's trigger is unexplained.
    await send('DA-SEAL', [
      { time: '2026-11-28T01:00:00Z', type: 'heartbeat' },
      { time: '2026-11-28T01:10:00Z', type: 'seal-open' },
      { time: '2026-11-28T01:40:00Z', type: 'seal-close' },
    ]);
    await send('DA-CAM', [
      { time: '2026-11-28T01:00:00Z', type: 'heartbeat' },
      trigger('2026-11-28T01:15:00Z'),
    ]);
    expect(await cameraAlarms()).toEqual(['2026-11-28T01:15:00Z']);

    // The state declares work in the vault from 04:00 to 06:00: a logged record.
    const res = await declare('xa-ssac.submitter', {
      containment: 'VAULT-7',
      from: '2026-11-28T04:00:00Z',
      to: '2026-11-28T06:00:00Z',
      description: 'Transfer of UO2 drums between racks',
    });
    expect(res.statusCode, res.body).toBe(201);
    const declared = res.json() as { id: string; logIndex: number; state: string };
    expect(declared.state).toBe('XA');
    const recordUrl = `/api/records/${encodeURIComponent(`declared-activity:${declared.id}`)}`;
    const record = await t.app.inject({ method: 'GET', url: recordUrl, headers: as('agency.inspector') });
    expect(record.statusCode, record.body).toBe(200);
    expect(record.body).toContain('Transfer of UO2 drums between racks');
    expect(
      (await t.app.inject({ method: 'GET', url: recordUrl, headers: as('xb-ssac.reviewer') })).statusCode,
    ).toBe(404);

    // The seal opens at 04:10 and stays open: a trigger at 04:20 is declared, one at 07:00 is not.
    await send('DA-SEAL', [
      { time: '2026-11-28T04:00:00Z', type: 'heartbeat' },
      { time: '2026-11-28T04:10:00Z', type: 'seal-open' },
    ]);
    await send('DA-CAM', [
      { time: '2026-11-28T04:00:00Z', type: 'heartbeat' },
      trigger('2026-11-28T04:20:00Z'),
    ]);
    expect(await cameraAlarms()).toEqual(['2026-11-28T01:15:00Z']);
    await send('DA-CAM', [trigger('2026-11-28T07:00:00Z')]);
    expect(await cameraAlarms()).toEqual(['2026-11-28T01:15:00Z', '2026-11-28T07:00:00Z']);

    const list = await t.app.inject({
      method: 'GET',
      url: '/api/facilities/XA-STO/activities',
      headers: as('agency.inspector'),
    });
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: declared.id, containment: 'VAULT-7' }] });
  });

  it('the audit rebuilds the declaration from its row and names one edited behind the log’s back', async () => {
    await t.log.flush();
    const audit = () => auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect((await audit()).findings).toEqual([]);
    await t.ports.db.kysely
      .updateTable('device_declared_activities')
      .set({ to_at: '2026-11-28T23:00:00.000Z' })
      .execute();
    const findings = (await audit()).findings.map((f) => `${f.kind} ${f.where}`);
    expect(findings.some((f) => f.includes('declared-activity:'))).toBe(true);
  });
});
