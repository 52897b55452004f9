import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchContent,
  type DeviceEvent,
  GENESIS_PREV,
  type SignedBatch,
  signBatch,
  signBatchBytes,
} from '../../src/domain/monitoring/index.js';
import { computeKeyId } from '../../src/domain/registry/index.js';
import { ed25519PublicKey, parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * Remote monitoring over HTTP (issue 18 items 1-4 and 6, decision 0029): the device registry and
 * its logged lifecycle, one signed batch → one log record, idempotent re-sends, every refusal of
 * the Reliability section with its code and nothing else changed, paged events, the state of
 * health, the information barrier, and a day's backlog uploaded in order.
 */
describe.each(testDialects())('remote monitoring over HTTP (%s)', (dialect) => {
  let t: TestApp;
  const seed = new Uint8Array(32).fill(11);
  const publicKey = Buffer.from(ed25519PublicKey(seed)).toString('base64');
  const as = (login: string) => bearer(t.token(login));
  const NOW = Date.parse('2026-11-28T09:00:00Z');

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const register = (login: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/devices', headers: as(login), payload: body });
  const device = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    kind: 'seal',
    facility: 'XA-STO',
    owners: ['agency'],
    publicKey,
    heartbeatSeconds: 600,
    ...extra,
  });
  const send = (
    id: string,
    s: Pick<SignedBatch, 'bytes' | 'header'> | { bytes: Uint8Array; header?: string },
  ) =>
    t.app.inject({
      method: 'POST',
      url: `/api/devices/${id}/batches`,
      headers: { 'content-type': 'application/json', ...(s.header ? { 'custos-signature': s.header } : {}) },
      payload: Buffer.from(s.bytes),
    });
  const heartbeat = (at: number): DeviceEvent => ({
    time: new Date(at).toISOString(),
    type: 'heartbeat',
    battery: 80,
    temperature: 19.5,
    tamper: false,
  });
  const content = (id: string, seq: number, prev: string, start: number, n = 3): BatchContent => ({
    device: id,
    seq,
    prev,
    events: Array.from({ length: n }, (_, i) => heartbeat(start + i * 1000)),
  });
  const status = async (id: string, login = 'agency.inspector') =>
    (await t.app.inject({ method: 'GET', url: `/api/devices/${id}/status`, headers: as(login) })).json();
  const logSize = async () =>
    Number(
      (
        (await t.ports.db.kysely
          .selectFrom('log_entries')
          .select((eb) => eb.fn.countAll().as('n'))
          // Cases opened by the device alarms are logged too; they are the alarm path's, counted apart.
          .where('kind', 'not in', ['case-transition', 'case-message'])
          .executeTakeFirst()) as { n: number | string }
      ).n,
    );
  const counts = async (id: string) => {
    const q = t.ports.db.kysely;
    const n = async (table: 'device_batches' | 'device_events' | 'device_refusals') =>
      Number(
        (
          (await q
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('device', '=', id)
            .executeTakeFirst()) as { n: number | string }
        ).n,
      );
    return {
      batches: await n('device_batches'),
      events: await n('device_events'),
      refusals: await n('device_refusals'),
    };
  };

  it('registers a device for its owners’ administrators, with the key id of organisation keys, logged', async () => {
    const res = await register('agency.admin', device('SEAL-A', { kmp: 'A', containment: 'vault 1' }));
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json();
    expect(d).toMatchObject({
      id: 'SEAL-A',
      kind: 'seal',
      facility: 'XA-STO',
      state: 'XA',
      kmp: 'A',
      owners: ['agency'],
      keyId: computeKeyId(ed25519PublicKey(seed)),
      status: 'installed',
      lastSeq: 0,
    });
    expect(d.logIndex).toBeGreaterThanOrEqual(0);
    const rec = await t.app.inject({
      method: 'GET',
      url: `/api/records/${encodeURIComponent('device-change:SEAL-A:1')}`,
      headers: as('agency.inspector'),
    });
    expect(rec.statusCode, rec.body).toBe(200);

    expect((await register('xa-ssac.admin', device('SEAL-X'))).json().error.code).toBe('FORBIDDEN');
    expect((await register('rsa.admin', device('SEAL-X'))).json().error.code).toBe('FORBIDDEN');
    expect((await register('agency.inspector', device('SEAL-X'))).statusCode).toBe(403);
    expect((await register('agency.admin', device('SEAL-A'))).json().error.code).toBe('ALREADY_EXISTS');
    expect((await register('agency.admin', device('SEAL-X', { facility: 'NOPE' }))).json().error.code).toBe(
      'UNKNOWN_REFERENCE',
    );
    expect((await register('agency.admin', device('SEAL-X', { kmp: 'Z' }))).json().error.code).toBe(
      'UNKNOWN_REFERENCE',
    );
    expect((await register('agency.admin', device('SEAL-X', { owners: ['xa-ssac'] }))).statusCode).toBe(403);
    expect((await register('agency.admin', device('SEAL-X', { publicKey: 'A'.repeat(44) }))).statusCode).toBe(
      400,
    );
    expect((await register('agency.admin', device('a/b'))).statusCode).toBe(400);
  });

  it('accepts a signed batch (201, one log record) and the same batch again (200, same answer, nothing added)', async () => {
    const before = await logSize();
    const first = signBatch(seed, content('SEAL-A', 1, GENESIS_PREV, NOW - 60_000));
    const res = await send('SEAL-A', first);
    expect(res.statusCode, res.body).toBe(201);
    const receipt = res.json();
    expect(receipt).toEqual({
      seq: 1,
      logIndex: receipt.logIndex,
      receiptUrl: `/api/records/${encodeURIComponent('device-batch:SEAL-A:1')}/receipt`,
    });
    expect(await logSize()).toBe(before + 1);
    const again = await send('SEAL-A', first);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(receipt);
    expect(await logSize()).toBe(before + 1);
    expect(await counts('SEAL-A')).toEqual({ batches: 1, events: 3, refusals: 0 });
    const rec = await t.app.inject({
      method: 'GET',
      url: `/api/records/${encodeURIComponent('device-batch:SEAL-A:1')}`,
      headers: as('agency.inspector'),
    });
    expect(rec.statusCode, rec.body).toBe(200);
  });

  it('refuses each hostile batch with its code, records it, and changes nothing else', async () => {
    const one = (await t.ports.db.kysely
      .selectFrom('device_batches')
      .select('hash')
      .where('device', '=', 'SEAL-A')
      .where('seq', '=', 1)
      .executeTakeFirstOrThrow()) as { hash: string };
    const second = signBatch(seed, content('SEAL-A', 2, one.hash, NOW - 50_000));
    const third = signBatch(seed, content('SEAL-A', 3, second.hash, NOW - 40_000));
    const other = new Uint8Array(32).fill(12);
    const forged = signBatchBytes(other, second.bytes);
    const cases: [string, string, { bytes: Uint8Array; header?: string }, number, string, string?][] = [
      [
        'forged',
        'SEAL-A',
        { bytes: second.bytes, header: `${second.signature.keyId}:${forged.header.split(':')[1]}` },
        401,
        'DEVICE_AUTH_FAILED',
      ],
      ['another key', 'SEAL-A', forged, 401, 'DEVICE_AUTH_FAILED'],
      ['unsigned', 'SEAL-A', { bytes: second.bytes }, 401, 'DEVICE_AUTH_FAILED'],
      ['reordered: 3 before 2', 'SEAL-A', third, 409, 'DEVICE_CHAIN_BROKEN', 'SEQ_GAP'],
      [
        'a gap',
        'SEAL-A',
        signBatch(seed, content('SEAL-A', 9, one.hash, NOW)),
        409,
        'DEVICE_CHAIN_BROKEN',
        'SEQ_GAP',
      ],
      [
        'a fork',
        'SEAL-A',
        signBatch(seed, content('SEAL-A', 1, GENESIS_PREV, NOW - 30_000)),
        409,
        'DEVICE_CHAIN_BROKEN',
        'SEQ_FORK',
      ],
      [
        'wrong prev',
        'SEAL-A',
        signBatch(seed, content('SEAL-A', 2, 'a'.repeat(64), NOW)),
        409,
        'DEVICE_CHAIN_BROKEN',
        'PREV_MISMATCH',
      ],
      [
        'future',
        'SEAL-A',
        signBatch(seed, content('SEAL-A', 2, one.hash, NOW + 3_600_000)),
        422,
        'DEVICE_BATCH_INVALID',
        'EVENT_IN_FUTURE',
      ],
      [
        'too old',
        'SEAL-A',
        signBatch(seed, content('SEAL-A', 2, one.hash, NOW - 3 * 3_600_000)),
        422,
        'DEVICE_BATCH_INVALID',
        'EVENT_TOO_OLD',
      ],
      [
        'malformed JSON',
        'SEAL-A',
        signBatchBytes(seed, new TextEncoder().encode('{"device":"SEAL-A","seq":')),
        422,
        'DEVICE_BATCH_INVALID',
        'MALFORMED',
      ],
      [
        'another device named',
        'SEAL-A',
        signBatch(seed, content('SEAL-B', 2, one.hash, NOW)),
        422,
        'DEVICE_BATCH_INVALID',
        'DEVICE_MISMATCH',
      ],
      [
        'oversized',
        'SEAL-A',
        signBatch(seed, content('SEAL-A', 2, one.hash, NOW - 20_000, 12_000)),
        413,
        'DEVICE_BATCH_TOO_LARGE',
      ],
      ['unknown device', 'NO-SUCH', second, 404, 'DEVICE_UNKNOWN'],
    ];
    const log = await logSize();
    const stored = await counts('SEAL-A');
    let refusals = stored.refusals;
    for (const [name, id, batch, code, error, detail] of cases) {
      const res = await send(id, batch);
      expect(res.statusCode, `${name}: ${res.body.slice(0, 300)}`).toBe(code);
      const body = res.json();
      expect(body.error.code, name).toBe(error);
      if (detail)
        expect(
          body.error.details.map((d: { code: string }) => d.code),
          name,
        ).toContain(detail);
      if (name === 'a gap')
        // Which batches are missing, as values (decision 0052): seq 2 to 8, before 9.
        expect(body.error.details.find((d: { code: string }) => d.code === 'SEQ_GAP').values).toEqual({
          expected: 2,
          found: 9,
          missing: 7,
        });
      if (id === 'SEAL-A') refusals++;
      expect(await counts('SEAL-A'), name).toEqual({ ...stored, refusals });
      expect(await logSize(), name).toBe(log);
    }
    const s = await status('SEAL-A');
    expect(s.lastSeq).toBe(1);
    expect(s.refusals.map((r: { code: string }) => r.code)).toContain('DEVICE_AUTH_FAILED');
    // The refused batches, newest first and paged, each with its problems' codes and values
    // (decision 0064). The test clock stands still: equal times are ordered by seq, highest first.
    const refusalPage = async (q: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/devices/SEAL-A/refusals?${q}`,
          headers: as('agency.inspector'),
        })
      ).json();
    const all = await refusalPage('limit=100');
    expect(all.total).toBe(refusals);
    expect(all.items).toHaveLength(refusals);
    const order = all.items.map((r: { at: string; seq: number | null }) => [r.at, r.seq ?? -1]);
    expect([...order].sort((a, b) => (a[0] === b[0] ? b[1] - a[1] : a[0] < b[0] ? 1 : -1))).toEqual(order);
    expect([
      ...(await refusalPage('limit=3')).items,
      ...(await refusalPage('limit=3&offset=3')).items,
    ]).toEqual(all.items.slice(0, 6));
    const mismatch = all.items.find((r: { problems: { code: string }[] }) =>
      r.problems.some((p) => p.code === 'DEVICE_MISMATCH'),
    );
    expect(mismatch).toMatchObject({ code: 'DEVICE_BATCH_INVALID', seq: 2, transport: 'http' });
    expect(mismatch.problems).toEqual([
      expect.objectContaining({ code: 'DEVICE_MISMATCH', values: { named: 'SEAL-B', sentFor: 'SEAL-A' } }),
    ]);
    const future = all.items.find((r: { problems: { code: string }[] }) =>
      r.problems.some((p) => p.code === 'EVENT_IN_FUTURE'),
    );
    expect(future.seq).toBe(2);
    expect(future.problems[0]).toMatchObject({ code: 'EVENT_IN_FUTURE', values: { minutes: 5 } });
    expect(typeof future.problems[0].values.time).toBe('string');
    // One alarm per kind of incident until a re-verification (decision 0030): not one per forgery.
    expect(s.alarms.map((a: { code: string }) => a.code).sort()).toEqual([
      'DEVICE_AUTH_FAILED',
      'DEVICE_CHAIN_BROKEN',
    ]);
    expect(s.cok).toBe('lost');
    expect(s.intervals.map((i: { reason: string }) => i.reason).sort()).toEqual([
      'auth-failed',
      'chain-broken',
    ]);
    // The broken chain's interval says which batch was missing, as values (decision 0052).
    expect(s.intervals.find((i: { reason: string }) => i.reason === 'chain-broken').cause).toEqual({
      code: 'SEQ_GAP',
      values: { expected: 2, found: 3, missing: 1 },
    });
    // Each alarm opened its case through the alarm → case path (after the refusal was committed).
    let keys: string[] = [];
    for (let i = 0; i < 100 && keys.length < 2; i++) {
      keys = (
        await t.ports.db.kysely
          .selectFrom('cases')
          .select('case_key')
          .where('case_key', 'like', 'device:XA:SEAL-A:%')
          .execute()
      ).map((c) => c.case_key as string);
      if (keys.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    expect(keys.map((k) => k.split(':')[3]).sort()).toEqual(['DEVICE_AUTH_FAILED', 'DEVICE_CHAIN_BROKEN']);

    // The device sends in order again: 2 then 3 are accepted.
    expect((await send('SEAL-A', second)).statusCode).toBe(201);
    expect((await send('SEAL-A', third)).statusCode).toBe(201);
    // A replay of an older batch answers as the first time.
    expect((await send('SEAL-A', second)).json().seq).toBe(2);
    expect((await counts('SEAL-A')).batches).toBe(3);
  });

  it('pages a device’s events by time, in SQL', async () => {
    const get = (q: string, login = 'agency.inspector') =>
      t.app.inject({ method: 'GET', url: `/api/devices/SEAL-A/events?${q}`, headers: as(login) });
    const all = (await get('limit=1000')).json();
    expect(all.total).toBe(9);
    const times = all.items.map((e: { time: string }) => e.time);
    expect([...times].sort()).toEqual(times);
    expect(all.items[0]).toMatchObject({
      type: 'heartbeat',
      seq: 1,
      index: 0,
      data: { battery: 80, tamper: false },
    });
    const from = new Date(NOW - 50_000).toISOString();
    const to = new Date(NOW - 40_000).toISOString().replace('Z', '+00:00');
    const page = (
      await get(`from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=2&offset=1`)
    ).json();
    expect(page.total).toBe(3);
    expect(page.items.map((e: { seq: number; index: number }) => [e.seq, e.index])).toEqual([
      [2, 1],
      [2, 2],
    ]);
    expect((await get('from=yesterday')).statusCode).toBe(400);
  });

  it('keeps the information barrier: the state sees health and alarms, not the surveillance data', async () => {
    const code = async (login: string, url: string) =>
      (await t.app.inject({ method: 'GET', url, headers: as(login) })).statusCode;
    const batchRecord = `/api/records/${encodeURIComponent('device-batch:SEAL-A:1')}`;
    expect(await code('xa-ssac.reviewer', '/api/devices/SEAL-A/status')).toBe(200);
    expect(await code('xa-ssac.reviewer', '/api/devices/SEAL-A')).toBe(200);
    expect(await code('xa-ssac.reviewer', '/api/devices/SEAL-A/events')).toBe(403);
    expect(await code('xa-ssac.reviewer', batchRecord)).toBe(404);
    expect(await code('agency.inspector', '/api/devices/SEAL-A/events')).toBe(200);
    // The state sees its device's refused batches and why, but not the times its events give
    // (an event's time is what the device recorded, decision 0064); the owner sees them.
    expect(await code('xa-ssac.reviewer', '/api/devices/SEAL-A/refusals')).toBe(200);
    expect(await code('xb-ssac.reviewer', '/api/devices/SEAL-A/refusals')).toBe(404);
    expect(await code('rsa.inspector', '/api/devices/SEAL-A/refusals')).toBe(404);
    const problems = async (login: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/devices/SEAL-A/refusals?limit=1000',
          headers: as(login),
        })
      )
        .json()
        .items.flatMap((r: { problems: { code: string }[] }) => r.problems);
    const timed = (ps: { code: string }[]) => ps.filter((p) => p.code.startsWith('EVENT_'));
    const stateSees = timed(await problems('xa-ssac.reviewer'));
    expect(new Set(stateSees.map((p) => p.code))).toEqual(new Set(['EVENT_IN_FUTURE', 'EVENT_TOO_OLD']));
    for (const p of stateSees) expect(Object.keys(p).sort()).toEqual(['code', 'field']);
    for (const p of timed(await problems('agency.inspector'))) expect(p).toHaveProperty('values.time');
    // Other problems are about the batch, not what it recorded: the state has their values.
    expect(
      (await problems('xa-ssac.reviewer')).find((p: { code: string }) => p.code === 'DEVICE_MISMATCH'),
    ).toHaveProperty('values.sentFor', 'SEAL-A');
    // Another state, the partner inspectorate without an arrangement, an auditor: nothing at all.
    expect(await code('xb-ssac.reviewer', '/api/devices/SEAL-A/status')).toBe(404);
    expect(await code('rsa.inspector', '/api/devices/SEAL-A/status')).toBe(404);
    expect(await code('rsa.inspector', batchRecord)).toBe(404);
    expect(await code('agency.auditor', '/api/devices/SEAL-A')).toBe(404);
    const list = async (login: string) =>
      (await t.app.inject({ method: 'GET', url: '/api/devices', headers: as(login) }))
        .json()
        .items.map((d: { id: string; access: string[] }) => `${d.id}:${d.access.join('+')}`);
    expect(await list('xa-ssac.reviewer')).toEqual(['SEAL-A:health']);
    expect(await list('agency.admin')).toEqual(['SEAL-A:manage+data+health']);
    expect(await list('xb-ssac.reviewer')).toEqual([]);
    expect(await list('rsa.inspector')).toEqual([]);
    // Joint use by arrangement: the partner inspectorate sees the data of that device.
    const res = await register('agency.admin', device('CAM-J', { kind: 'camera' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(await code('rsa.inspector', '/api/devices/CAM-J/events')).toBe(404);
    const granted = await t.app.inject({
      method: 'POST',
      url: '/api/devices/CAM-J/joint-use',
      headers: as('agency.admin'),
      payload: { organisation: 'rsa', agreement: 'CSA-XA' },
    });
    expect(granted.statusCode, granted.body).toBe(200);
    expect(await code('rsa.inspector', '/api/devices/CAM-J/events')).toBe(200);
    expect(await list('rsa.inspector')).toEqual(['CAM-J:data+health']);
  });

  it('takes a day’s backlog of 2 000 batches uploaded in order after the device was offline', async () => {
    expect(
      (await register('agency.admin', device('RAD-B', { kind: 'radiation-monitor', heartbeatSeconds: 60 })))
        .statusCode,
    ).toBe(201);
    const start = NOW - 24 * 3_600_000;
    let prev = GENESIS_PREV;
    const log = await logSize();
    for (let seq = 1; seq <= 2000; seq++) {
      const s = signBatch(seed, content('RAD-B', seq, prev, start + (seq - 1) * 43_000, 5));
      const res = await send('RAD-B', s);
      if (res.statusCode !== 201) expect(`${seq}: ${res.body}`).toBe('201');
      prev = s.hash;
    }
    expect(await counts('RAD-B')).toEqual({ batches: 2000, events: 10_000, refusals: 0 });
    expect(await logSize()).toBe(log + 2000);
    const s = await status('RAD-B');
    expect(s).toMatchObject({ lastSeq: 2000, lastSeen: new Date(NOW).toISOString() });
  }, 600_000);

  it('follows the lifecycle: service, install with a new key, remove; a removed device’s batches are refused', async () => {
    const change = (action: string, extra: Record<string, unknown> = {}, login = 'agency.admin') =>
      t.app.inject({
        method: 'POST',
        url: '/api/devices/SEAL-A/lifecycle',
        headers: as(login),
        payload: { action, ...extra },
      });
    expect((await change('install')).json().error.code).toBe('INVALID_TRANSITION');
    expect((await change('service', {}, 'xa-ssac.admin')).statusCode).toBe(403);
    expect((await change('service')).json()).toMatchObject({ status: 'servicing' });
    const seed2 = new Uint8Array(32).fill(13);
    const key2 = Buffer.from(ed25519PublicKey(seed2)).toString('base64');
    const installed = (await change('install', { publicKey: key2 })).json();
    expect(installed).toMatchObject({ status: 'installed', keyId: computeKeyId(ed25519PublicKey(seed2)) });
    const three = (await t.ports.db.kysely
      .selectFrom('device_batches')
      .select('hash')
      .where('device', '=', 'SEAL-A')
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow()) as { hash: string };
    // The old key no longer signs for the device; the new one does.
    expect(
      (await send('SEAL-A', signBatch(seed, content('SEAL-A', 4, three.hash, NOW - 10_000)))).statusCode,
    ).toBe(401);
    expect(
      (await send('SEAL-A', signBatch(seed2, content('SEAL-A', 4, three.hash, NOW - 10_000)))).statusCode,
    ).toBe(201);
    expect((await change('remove')).json()).toMatchObject({ status: 'removed' });
    const refused = await send('SEAL-A', signBatch(seed2, content('SEAL-A', 5, three.hash, NOW)));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('DEVICE_NOT_IN_SERVICE');
    const changes = await t.ports.db.kysely
      .selectFrom('device_changes')
      .select(['n', 'action'])
      .where('device', '=', 'SEAL-A')
      .orderBy('n')
      .execute();
    expect(changes.map((c) => `${c.n}:${c.action}`)).toEqual([
      '1:register',
      '2:service',
      '3:install',
      '4:remove',
    ]);
  });

  it('passes the audit: every change and batch rebuilt from its rows', async () => {
    await t.log.flush();
    const r = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(r.findings).toEqual([]);
    // Tampering with a stored batch's bytes shows.
    await t.ports.db.kysely
      .updateTable('device_events')
      .set({ type: 'seal-open' })
      .where('device', '=', 'RAD-B')
      .where('seq', '=', 7)
      .where('idx', '=', 0)
      .execute();
    await t.ports.db.kysely
      .deleteFrom('device_events')
      .where('device', '=', 'RAD-B')
      .where('seq', '=', 8)
      .execute();
    const after = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(after.findings.map((f) => `${f.kind} ${f.where}`)).toContain(
      'record-changed device-batch:RAD-B:8',
    );
  }, 120_000);
});
