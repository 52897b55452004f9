import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_PREV, signBatch } from '../../src/domain/monitoring/index.js';
import { ed25519PublicKey, parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * Joint use of a device's data granted and withdrawn after installation (issue 18 §6, decision
 * 0063): a logged device change citing the registry agreement, the party rows rewritten with it,
 * every read of the data following at once, refusals with their JOINT_USE rule and values, and
 * the audit finding a party row added or deleted behind the log.
 */
describe.each(testDialects())('joint use of a device’s data (%s)', (dialect) => {
  let t: TestApp;
  const seed = new Uint8Array(32).fill(31);
  const publicKey = Buffer.from(ed25519PublicKey(seed)).toString('base64');
  const as = (login: string) => bearer(t.token(login));
  const ID = 'JU-CAM';
  const batchRecord = `/api/records/${encodeURIComponent(`device-batch:${ID}:1`)}`;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/devices',
      headers: as('agency.admin'),
      payload: {
        id: ID,
        kind: 'camera',
        facility: 'XA-STO',
        owners: ['agency'],
        publicKey,
        heartbeatSeconds: 600,
      },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    // A batch from before any grant: joint use is of the device's data, this one included.
    const b = signBatch(seed, {
      device: ID,
      seq: 1,
      prev: GENESIS_PREV,
      events: [{ time: t.clock.now().toISOString(), type: 'camera-trigger', imageSha256: 'ab'.repeat(32) }],
    });
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/devices/${ID}/batches`,
      headers: { 'content-type': 'application/json', 'custos-signature': b.header },
      payload: Buffer.from(b.bytes),
    });
    expect(sent.statusCode, sent.body).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const code = async (login: string, url: string) =>
    (await t.app.inject({ method: 'GET', url, headers: as(login) })).statusCode;
  const grant = (login: string, payload: Record<string, unknown>, id = ID) =>
    t.app.inject({ method: 'POST', url: `/api/devices/${id}/joint-use`, headers: as(login), payload });
  const withdraw = (login: string, payload: Record<string, unknown>, id = ID) =>
    t.app.inject({
      method: 'POST',
      url: `/api/devices/${id}/joint-use/withdraw`,
      headers: as(login),
      payload,
    });
  const changes = async () =>
    Number(
      (
        (await t.ports.db.kysely
          .selectFrom('device_changes')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('device', '=', ID)
          .executeTakeFirst()) as { n: number | string }
      ).n,
    );
  const jointRows = async () =>
    (
      await t.ports.db.kysely
        .selectFrom('device_parties')
        .select('organisation')
        .where('device', '=', ID)
        .where('role', '=', 'joint')
        .orderBy('organisation')
        .execute()
    ).map((r) => r.organisation);
  const list = async (login: string) =>
    (await t.app.inject({ method: 'GET', url: '/api/devices', headers: as(login) }))
      .json()
      .items.filter((d: { id: string }) => d.id === ID)
      .map((d: { access: string[] }) => d.access.join('+'));

  it('gives no joint use at registration: it is granted only by a logged change citing an agreement', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/devices',
      headers: as('agency.admin'),
      payload: {
        id: 'JU-REG',
        kind: 'camera',
        facility: 'XA-STO',
        owners: ['agency'],
        jointUse: ['rsa'],
        publicKey,
        heartbeatSeconds: 600,
      },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'body.jointUse', code: 'FIELD_UNKNOWN' })],
    });
    expect(await code('agency.admin', '/api/devices/JU-REG')).toBe(404);
  });

  it('refuses each wrong grant with its rule and values, storing nothing', async () => {
    const before = await changes();
    const refused = async (login: string, payload: Record<string, unknown>) => {
      const res = await grant(login, payload);
      const body = res.json();
      return {
        status: res.statusCode,
        code: body.error.code,
        rule: body.error.details?.[0]?.rule,
        values: body.error.details?.[0]?.values,
      };
    };
    // A state cannot grant itself the data; another inspectorate does not see the device at all.
    expect(await refused('xa-ssac.admin', { organisation: 'xa-ssac', agreement: 'CSA-XA' })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(await refused('rsa.admin', { organisation: 'rsa', agreement: 'CSA-XA' })).toMatchObject({
      status: 404,
    });
    // An owner's inspector reads the data but does not grant it.
    expect((await refused('agency.inspector', { organisation: 'rsa', agreement: 'CSA-XA' })).status).toBe(
      403,
    );
    const cases: [Record<string, unknown>, number, string, string, Record<string, unknown>][] = [
      [
        { organisation: 'nobody', agreement: 'CSA-XA' },
        422,
        'UNKNOWN_REFERENCE',
        'unknownOrganisation',
        { organisation: 'nobody' },
      ],
      [
        { organisation: 'rsa', agreement: 'NO-SUCH' },
        422,
        'UNKNOWN_REFERENCE',
        'unknownAgreement',
        { agreement: 'NO-SUCH' },
      ],
      [
        { organisation: 'agency', agreement: 'CSA-XA' },
        400,
        'VALIDATION_FAILED',
        'owner',
        { organisation: 'agency' },
      ],
      [
        { organisation: 'xb-ssac', agreement: 'CSA-XA' },
        400,
        'VALIDATION_FAILED',
        'otherState',
        { organisation: 'xb-ssac', state: 'XB' },
      ],
      [
        { organisation: 'rsa', agreement: 'CSA-XB' },
        400,
        'VALIDATION_FAILED',
        'stateNotParty',
        { agreement: 'CSA-XB', state: 'XA' },
      ],
      [
        { organisation: 'rsa', agreement: 'REG-RC' },
        400,
        'VALIDATION_FAILED',
        'ownerNotParty',
        { agreement: 'REG-RC', owners: ['agency'] },
      ],
    ];
    for (const [payload, status, c, rule, values] of cases)
      expect(await refused('agency.admin', payload), JSON.stringify(payload)).toEqual({
        status,
        code: c,
        rule,
        values,
      });
    expect((await grant('agency.admin', { organisation: 'rsa' })).statusCode).toBe(400);
    expect(await changes()).toBe(before);
    expect(await jointRows()).toEqual([]);
  });

  it('grants the partner inspectorate the data, past batches included, under its agreement', async () => {
    expect(await code('rsa.inspector', `/api/devices/${ID}/events`)).toBe(404);
    expect(await code('rsa.inspector', batchRecord)).toBe(404);
    const res = await grant('agency.admin', {
      organisation: 'rsa',
      agreement: 'CSA-XA',
      reference: 'Joint-use arrangement AG/RSA 2026-7',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ jointUse: ['rsa'], changes: 2 });
    expect(await jointRows()).toEqual(['rsa']);
    const events = await t.app.inject({
      method: 'GET',
      url: `/api/devices/${ID}/events`,
      headers: as('rsa.inspector'),
    });
    expect(events.statusCode).toBe(200);
    expect(events.json().items.map((e: { type: string }) => e.type)).toEqual(['camera-trigger']);
    expect(await code('rsa.inspector', batchRecord)).toBe(200);
    await t.log.flush(); // a receipt waits for a checkpoint covering the record
    expect(await code('rsa.inspector', `${batchRecord}/receipt`)).toBe(200);
    expect(await list('rsa.inspector')).toEqual(['data+health']);
    // The grant is a logged change citing the agreement, readable by whoever sees the device.
    const change = await t.app.inject({
      method: 'GET',
      url: `/api/records/${encodeURIComponent(`device-change:${ID}:2`)}`,
      headers: as('xa-ssac.reviewer'),
    });
    expect(change.statusCode).toBe(200);
    expect(change.json().content).toMatchObject({
      action: 'grant-joint-use',
      jointUse: ['rsa'],
      grant: { organisation: 'rsa', agreement: 'CSA-XA', reference: 'Joint-use arrangement AG/RSA 2026-7' },
    });
    const uses = await t.app.inject({
      method: 'GET',
      url: `/api/devices/${ID}/joint-use`,
      headers: as('rsa.inspector'),
    });
    expect(uses.json().items).toEqual([
      expect.objectContaining({ organisation: 'rsa', agreement: 'CSA-XA', by: expect.any(String) }),
    ]);
    const again = await grant('agency.admin', { organisation: 'rsa', agreement: 'CSA-XA' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details[0]).toMatchObject({
      code: 'JOINT_USE',
      rule: 'granted',
      values: { organisation: 'rsa', device: ID },
    });
  });

  it('keeps the barrier for the state until its joint-use agreement is granted, and after it is withdrawn', async () => {
    expect(await code('xa-ssac.reviewer', `/api/devices/${ID}/status`)).toBe(200);
    expect(await code('xa-ssac.reviewer', `/api/devices/${ID}/events`)).toBe(403);
    expect(await code('xa-ssac.reviewer', batchRecord)).toBe(404);
    const res = await grant('agency.admin', { organisation: 'xa-ssac', agreement: 'CSA-XA' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await code('xa-ssac.reviewer', `/api/devices/${ID}/events`)).toBe(200);
    expect(await code('xa-ssac.reviewer', batchRecord)).toBe(200);
    expect(await list('xa-ssac.reviewer')).toEqual(['data+health']);
    // Granted, the state still does not manage the device: it cannot withdraw or grant.
    expect((await withdraw('xa-ssac.admin', { organisation: 'rsa' })).statusCode).toBe(403);
    expect(
      (await withdraw('agency.admin', { organisation: 'xa-ssac', reason: 'arrangement ended' })).statusCode,
    ).toBe(200);
    expect(await code('xa-ssac.reviewer', `/api/devices/${ID}/events`)).toBe(403);
    expect(await code('xa-ssac.reviewer', batchRecord)).toBe(404);
    expect(await code('xa-ssac.reviewer', `/api/devices/${ID}/status`)).toBe(200);
    expect(await list('xa-ssac.reviewer')).toEqual(['health']);
  });

  it('withdraws the partner’s joint use at once from every read of the data', async () => {
    const res = await withdraw('agency.admin', { organisation: 'rsa' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ jointUse: [] });
    expect(await jointRows()).toEqual([]);
    for (const url of [
      `/api/devices/${ID}`,
      `/api/devices/${ID}/events`,
      `/api/devices/${ID}/status`,
      batchRecord,
      `${batchRecord}/receipt`,
      `/api/records/${encodeURIComponent(`device-change:${ID}:2`)}`,
    ])
      expect(await code('rsa.inspector', url), url).toBe(404);
    expect(await list('rsa.inspector')).toEqual([]);
    const again = await withdraw('agency.admin', { organisation: 'rsa' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details[0]).toMatchObject({
      rule: 'notGranted',
      values: { organisation: 'rsa' },
    });
    const owner = await withdraw('agency.admin', { organisation: 'agency' });
    expect(owner.json().error.details[0]).toMatchObject({ rule: 'owner' });
    // Five changes: registration, two grants, two withdrawals; each a logged record.
    expect(await changes()).toBe(5);
  });

  it('grants nothing on a removed device', async () => {
    const removed = await t.app.inject({
      method: 'POST',
      url: `/api/devices/${ID}/lifecycle`,
      headers: as('agency.admin'),
      payload: { action: 'remove' },
    });
    expect(removed.statusCode).toBe(200);
    const res = await grant('agency.admin', { organisation: 'rsa', agreement: 'CSA-XA' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: [{ code: 'JOINT_USE', rule: 'removed', values: { device: ID } }],
    });
  });

  it('passes the audit, which finds a party row added or deleted behind the log', async () => {
    await t.log.flush();
    const audit = async () =>
      (await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey))).findings.map(
        (f) => `${f.kind} ${f.where}`,
      );
    expect(await audit()).toEqual([]);
    const db = t.ports.db.kysely;
    await db
      .insertInto('device_parties')
      .values({ device: ID, organisation: 'rsa', role: 'joint' })
      .execute();
    expect(await audit()).toEqual([`derived-mismatch device ${ID} parties`]);
    await db.deleteFrom('device_parties').where('device', '=', ID).execute();
    expect(await audit()).toEqual([`derived-mismatch device ${ID} parties`]);
    await db
      .insertInto('device_parties')
      .values({ device: ID, organisation: 'agency', role: 'owner' })
      .execute();
    expect(await audit()).toEqual([]);
    await db.updateTable('devices').set({ joint_use: '["xb-ssac"]' }).where('id', '=', ID).execute();
    expect(await audit()).toEqual([`derived-mismatch device ${ID} parties`]);
  }, 120_000);
});
