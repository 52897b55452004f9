import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCokPass } from '../../src/services/monitoring/cok-timer.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * The demo world's devices (issue 18 item 7): a week of signed, chained batches through the real
 * ingestion, an unexplained seal opening that raised SEAL_OPENED and opened a case, an opening
 * during the joint inspection that raised nothing, and nothing refused or silent.
 */
interface Health {
  cok: string;
  lastSeq: number;
  lastSeen: string | null;
  intervals: { reason: string; status: string; to: string | null; closedBy: string | null }[];
  alarms: { code: string; at: string; caseId: string | null }[];
  refusals: unknown[];
}

describe.each(testDialects())('the demo devices (%s)', (dialect) => {
  let t: TestApp;
  const get = (url: string, login = 'agency.inspector') =>
    t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
  const health = async (id: string, login?: string) =>
    (await get(`/api/devices/${id}/status`, login)).json() as Health;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: 'full' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('lists the three devices at the fabrication plant with a week of data up to now', async () => {
    const page = (await get('/api/devices?facility=XA-FAB')).json() as {
      items: { id: string; kind: string; lastSeq: number; lastSeen: string }[];
    };
    expect(page.items.map((d) => [d.id, d.kind]).sort()).toEqual([
      ['XA-FAB-CAM-01', 'camera'],
      ['XA-FAB-RAD-01', 'radiation-monitor'],
      ['XA-FAB-SEAL-01', 'seal'],
    ]);
    const now = t.clock.now().getTime();
    for (const d of page.items) {
      expect(d.lastSeq).toBe(42);
      expect(now - Date.parse(d.lastSeen)).toBeLessThan(10 * 60_000);
      expect(now - Date.parse(d.lastSeen)).toBeGreaterThanOrEqual(0);
    }
    // One log record per batch, each batch chained to the one before.
    const batches = await t.ports.db.kysely
      .selectFrom('device_batches')
      .select(['device', 'seq', 'hash', 'prev', 'log_index'])
      .orderBy('device')
      .orderBy('seq')
      .execute();
    expect(batches).toHaveLength(3 * 42);
    expect(new Set(batches.map((b) => b.log_index)).size).toBe(batches.length);
    for (let i = 1; i < batches.length; i++) {
      const [a, b] = [batches[i - 1], batches[i]] as [(typeof batches)[number], (typeof batches)[number]];
      if (a.device === b.device) expect(b.prev).toBe(a.hash);
    }
    const record = await get(`/api/records/${encodeURIComponent('device-batch:XA-FAB-SEAL-01:42')}`);
    expect(record.statusCode, record.body).toBe(200);
    expect(record.body).toContain(batches.find((b) => b.device === 'XA-FAB-SEAL-01' && b.seq === 42)?.hash);
  });

  it('the unexplained opening lost the seal’s CoK and opened a case; the inspected one raised nothing', async () => {
    const seal = await health('XA-FAB-SEAL-01');
    expect(seal.cok).toBe('lost');
    expect(seal.refusals).toEqual([]);
    expect(seal.alarms).toHaveLength(1);
    const alarm = seal.alarms[0] as Health['alarms'][number];
    expect(alarm.code).toBe('SEAL_OPENED');
    expect(alarm.caseId).not.toBeNull();
    const ago = t.clock.now().getTime() - Date.parse(alarm.at);
    expect(ago).toBeGreaterThan(4 * 86_400_000);
    expect(ago).toBeLessThan(5 * 86_400_000);
    expect(seal.intervals.filter((i) => i.to === null).map((i) => i.reason)).toEqual(['seal-opened']);
    const c = await get(`/api/cases/${alarm.caseId}`);
    expect(c.statusCode, c.body).toBe(200);
    expect(c.body).toContain('XA-FAB-SEAL-01');

    const events = (await get('/api/devices/XA-FAB-SEAL-01/events?limit=1000')).json() as {
      items: { type: string; time: string }[];
    };
    const opened = events.items.filter((e) => e.type === 'seal-open');
    expect(opened).toHaveLength(2);
    expect(opened[0]?.time).toBe(alarm.at);

    // The camera saw movement in the open cage: one CAMERA_UNDECLARED, for the unexplained opening only.
    const camera = await health('XA-FAB-CAM-01');
    expect(camera.alarms.map((a) => a.code)).toEqual(['CAMERA_UNDECLARED']);
    expect(camera.alarms[0]?.caseId).not.toBeNull();
    expect(camera.cok).toBe('degraded');

    // Tomorrow's work in the cage, declared by Arcadia: the state's data, a logged record.
    const declared = (await get('/api/facilities/XA-FAB/activities', 'xa-ssac.reviewer')).json() as {
      items: { containment: string; from: string; logIndex: number }[];
    };
    expect(declared.items.map((a) => a.containment)).toEqual(['XA-F1-CAGE-1']);
    expect(Date.parse(declared.items[0]?.from as string)).toBeGreaterThan(t.clock.now().getTime());

    const radiation = await health('XA-FAB-RAD-01');
    expect(radiation).toMatchObject({ cok: 'intact', alarms: [], intervals: [], refusals: [] });
  });

  it('no device is silent at the demo’s now, and the state sees health but not the data', async () => {
    await runCokPass(t.ports);
    for (const id of ['XA-FAB-SEAL-01', 'XA-FAB-CAM-01', 'XA-FAB-RAD-01'])
      expect((await health(id)).alarms.map((a) => a.code)).not.toContain('DEVICE_SILENT');
    const state = await health('XA-FAB-SEAL-01', 'xa-ssac.reviewer');
    expect(state.alarms.map((a) => a.code)).toEqual(['SEAL_OPENED']);
    expect((await get('/api/devices/XA-FAB-SEAL-01/events', 'xa-ssac.reviewer')).statusCode).toBe(403);
  });

  it('tells each caller its CoK, the change a re-verification signs, and whether it may re-verify', async () => {
    const seen = async (login: string) =>
      (await get('/api/devices/XA-FAB-SEAL-01', login)).json() as {
        cok: string;
        changes: number;
        access: string[];
      };
    expect(await seen('agency.inspector')).toMatchObject({
      cok: 'lost',
      changes: 1,
      access: ['data', 'health', 'reverify'],
    });
    // The agency's administrator manages the device but has not looked at it: no re-verification.
    expect((await seen('agency.admin')).access).toEqual(['manage', 'data', 'health']);
    expect(await seen('xa-ssac.reviewer')).toMatchObject({ cok: 'lost', access: ['health'] });
  });
});
