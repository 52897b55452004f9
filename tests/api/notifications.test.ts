import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Obligation } from '../../src/domain/deadlines/index.js';
import { verifyWebhookSignature } from '../../src/domain/notifications/index.js';
import {
  createDurableEventSink,
  createWebhookDispatcher,
  type DurableEventSink,
  type ObligationSource,
  runSchedulerOnce,
  type StoredEvent,
} from '../../src/services/notifications/index.js';
import type { Ports } from '../../src/services/ports.js';
import { isoNow, systemRandom } from '../../src/services/ports.js';
import { type Db, openPostgres, openSqlite } from '../../src/store/db.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { planOf } from '../fixtures/plans.js';

/** Reads an SSE response into frames as they arrive. */
function sseReader(res: Response) {
  const frames: { id?: number; event?: string; data?: { type: string; data: Record<string, unknown> } }[] =
    [];
  const comments: string[] = [];
  let buffer = '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const done = (async () => {
    for (;;) {
      const { value, done: end } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (end || !value) return;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const f: (typeof frames)[number] = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('id: ')) f.id = Number(line.slice(4));
          else if (line.startsWith('event: ')) f.event = line.slice(7);
          else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
        }
        if (f.id !== undefined) frames.push(f);
        cut = buffer.indexOf('\n\n');
      }
    }
  })();
  return {
    frames,
    comments,
    async waitFor(pred: () => boolean, ms = 5000) {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end)
          throw new Error(`timed out; frames: ${JSON.stringify(frames.map((f) => f.event))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await reader.cancel().catch(() => undefined);
      await done;
    },
  };
}

describe.each(testDialects())('notifications on %s', (dialect) => {
  let t: TestApp;
  let base: string;
  let hookServer: Server;
  let hookUrl: string;
  let hookMode: 'echo' | 'ok' | 'fail' = 'echo';
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    // The receiver below listens on loopback, which webhooks may reach only when allowed.
    t = await createTestApp(dialect, { demo: true, env: { CUSTOS_WEBHOOK_ALLOW_PRIVATE: '1' } });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (hookMode === 'fail') {
          res.writeHead(500).end('down');
        } else if (hookMode === 'echo') {
          const { challenge } = JSON.parse(body) as { challenge?: string };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge }));
        } else {
          res.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/custos`;
  });
  afterAll(async () => {
    await new Promise((r) => hookServer.close(r));
    await t.close();
  });

  const as = (login: string) => bearer(t.token(login));
  const post = (url: string, login: string, body: unknown) =>
    t.app.inject({ method: 'POST', url, headers: as(login), payload: body as object });
  const get = (url: string, login: string) => t.app.inject({ method: 'GET', url, headers: as(login) });
  const tick = () => t.clock.advance(60_000);
  const openCase = async (state: string, title: string) => {
    tick();
    const r = await post('/api/cases', 'agency.inspector', { kind: 'question', state, title });
    expect(r.statusCode).toBe(201);
    return r.json().id as string;
  };
  const stream = (login: string, lastEventId?: number) =>
    fetch(`${base}/api/events`, {
      headers: {
        ...as(login),
        ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }),
      },
    });

  it('streams scoped events live and resumes with Last-Event-ID without gaps or leaks', async () => {
    const res = await stream('xa-ssac.submitter');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const live = sseReader(res);
    await live.waitFor(() => live.comments.includes('connected'));
    const id = await openCase('XA', 'live one');
    await live.waitFor(() => live.frames.length === 1);
    const first = live.frames[0];
    expect(first).toMatchObject({ event: 'case.opened', data: { type: 'case.opened', data: { case: id } } });
    await live.close();

    // missed while disconnected: one XA event (visible) and one XC event (not visible)
    tick();
    await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'question-sent',
      note: 'q',
      dueDate: '2027-02-01',
    });
    await openCase('XC', 'not for XA');
    tick();
    await post(`/api/cases/${id}/transitions`, 'xa-ssac.submitter', { to: 'answered', note: 'a' });

    const resumed = sseReader(await stream('xa-ssac.submitter', first?.id));
    await resumed.waitFor(() => resumed.frames.length >= 2);
    const after = await openCase('XA', 'after resume');
    await resumed.waitFor(() => resumed.frames.length >= 3);
    expect(resumed.frames.map((f) => f.event)).toEqual([
      'case.question-sent',
      'case.answered',
      'case.opened',
    ]);
    expect(resumed.frames[2]?.data?.data.case).toBe(after);
    const ids = resumed.frames.map((f) => f.id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids[0]).toBeGreaterThan(first?.id as number);
    await resumed.close();

    // XC's authority saw only its own case; the regional inspectorate sees XA's but not XC's
    const xc = sseReader(await stream('xc-ssac.submitter', 0));
    const rsa = sseReader(await stream('rsa.inspector', 0));
    await xc.waitFor(() => xc.frames.some((f) => f.data?.data.title === 'not for XA'));
    await rsa.waitFor(() => rsa.frames.some((f) => f.data?.data.case === after));
    expect(xc.frames.every((f) => f.data?.data.title === 'not for XA')).toBe(true);
    expect(rsa.frames.some((f) => f.data?.data.title === 'not for XA')).toBe(false);
    await xc.close();
    await rsa.close();
  });

  it('fills the inbox of the users who may see an event, and marks read', async () => {
    const id = await openCase('XB', 'inbox case');
    const inbox = (await get('/api/inbox?unread=1', 'xb-ssac.reviewer')).json();
    const item = inbox.items.find((i: { event: { data: { case?: string } } }) => i.event.data.case === id);
    expect(item).toMatchObject({ event: { type: 'case.opened', state: 'XB' }, readAt: null });
    const xa = (await get('/api/inbox', 'xa-ssac.reviewer')).json();
    expect(xa.items.some((i: { event: { data: { case?: string } } }) => i.event.data.case === id)).toBe(
      false,
    );
    const marked = await post('/api/inbox/read', 'xb-ssac.reviewer', { ids: [item.id] });
    expect(marked.json()).toEqual({ updated: 1 });
    expect((await post('/api/inbox/read', 'xb-ssac.reviewer', { all: true })).statusCode).toBe(200);
    expect((await get('/api/inbox?unread=1', 'xb-ssac.reviewer')).json().unread).toBe(0);
    // another user cannot mark someone else's items
    expect((await post('/api/inbox/read', 'xa-ssac.reviewer', { ids: [item.id] })).json()).toEqual({
      updated: 0,
    });
  });

  it("reads a user's inbox page and unread rows, and a webhook's pending deliveries, on their own indexes", async () => {
    // The unread count is a kept figure (decision 0103), not a count of rows.
    const statements: [string, string][] = [
      ["select id from inbox where user_id = 'u' order by id desc limit 50", 'inbox_user_order'],
      ["select n from inbox_unread_counts where user_id = 'u'", 'inbox_unread_counts'],
      ["update inbox set read_at = 't' where user_id = 'u' and read_at is null", 'inbox_unread'],
      // Disabling a webhook gives up its pending deliveries (migration 0050).
      [
        "update webhook_deliveries set status = 'dead' where webhook_id = 'w' and status = 'pending'",
        'webhook_deliveries_pending',
      ],
    ];
    for (const [text, index] of statements) {
      const { plan, sorts } = await planOf(t.ports.db, text);
      expect(sorts, `${text}\n${plan}`).toBe(false);
      expect(plan, text).toContain(index);
    }
  });

  it('announces a new message to the state, but never an internal note', async () => {
    const id = await openCase('XB', 'message case');
    const messages = async () =>
      (await get('/api/inbox', 'xb-ssac.reviewer'))
        .json()
        .items.filter(
          (i: { event: { type: string; data: { case?: string } } }) =>
            i.event.type === 'case.message' && i.event.data.case === id,
        );
    tick();
    expect(
      (await post(`/api/cases/${id}/messages`, 'agency.inspector', { text: 'internal view', internal: true }))
        .statusCode,
    ).toBe(201);
    expect(await messages()).toEqual([]);
    tick();
    expect(
      (
        await post(`/api/cases/${id}/messages`, 'agency.inspector', {
          text: 'please explain',
          internal: false,
        })
      ).statusCode,
    ).toBe(201);
    expect(await messages()).toHaveLength(1);
  });

  it('publishes checkpoints to auditors', async () => {
    await openCase('XA', 'something to integrate');
    await t.log.flush(true);
    // The event reaches the inbox after the flush returns: wait for it, not for a fixed 50 ms
    // (a loaded machine missed it).
    const published = async (login: string) =>
      ((await get('/api/inbox', login)).json() as { items: { event: { type: string } }[] }).items.some(
        (i) => i.event.type === 'checkpoint.published',
      );
    await expect.poll(() => published('xc-ssac.auditor')).toBe(true);
    expect(await published('xc-ssac.submitter')).toBe(false);
  });

  it('delivers signed webhooks only to a verified URL, retrying with backoff on a fake clock', async () => {
    const bad = await post('/api/webhooks', 'xa-ssac.admin', { url: 'http://example.org/hook' });
    expect(bad.statusCode).toBe(400);
    // The problem carries what the browser words it from (decision 0059).
    expect(bad.json().error.details).toEqual([
      expect.objectContaining({
        field: 'url',
        code: 'SCHEME',
        rule: 'oneOf',
        values: { allowed: ['https'] },
      }),
    ]);
    const injected = await post('/api/webhooks', 'xa-ssac.admin', {
      url: hookUrl,
      headers: { 'X-A': 'v\r\nAuthorization: x' },
    });
    expect(injected.statusCode).toBe(400);
    expect((await post('/api/webhooks', 'xa-ssac.submitter', { url: hookUrl })).statusCode).toBe(403);

    const reg = await post('/api/webhooks', 'xa-ssac.admin', {
      url: hookUrl,
      events: ['case.opened', 'case.question-sent'],
    });
    expect(reg.statusCode).toBe(201);
    const { id: hookId, secret, status } = reg.json() as { id: string; secret: string; status: string };
    expect(status).toBe('pending');
    // not verified yet: nothing is queued for it
    await openCase('XA', 'before verification');
    const dispatcher = createWebhookDispatcher(t.ports, { rng: () => 0 });
    expect(await dispatcher.runDue()).toEqual({ attempted: 0, delivered: 0, failed: 0 });
    // a receiver that does not echo the challenge is refused
    hookMode = 'ok';
    expect((await post(`/api/webhooks/${hookId}/verify`, 'xa-ssac.admin', {})).statusCode).toBe(400);
    hookMode = 'echo';
    const verified = await post(`/api/webhooks/${hookId}/verify`, 'xa-ssac.admin', {});
    expect(verified.json().status).toBe('verified');
    expect((await post(`/api/webhooks/${hookId}/verify`, 'xb-ssac.admin', {})).statusCode).toBe(404);

    hookMode = 'ok';
    received.length = 0;
    const caseId = await openCase('XA', 'after verification');
    expect(await dispatcher.runDue()).toEqual({ attempted: 1, delivered: 1, failed: 0 });
    const delivery = received[0];
    expect(delivery).toBeDefined();
    const header = delivery?.headers['custos-signature'] as string;
    const now = Math.floor(t.clock.now().getTime() / 1000);
    expect(verifyWebhookSignature({ secret, header, body: delivery?.body ?? '', now })).toEqual({
      timestamp: now,
    });
    expect(() =>
      verifyWebhookSignature({ secret: 'wrong-secret', header, body: delivery?.body ?? '', now }),
    ).toThrow();
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      event: { type: 'case.opened', data: { case: caseId } },
    });
    expect(delivery?.headers['custos-event']).toBe('case.opened');

    // failure → retry after 500 ms (attempt 1, rng 0: half of the 1 s ceiling), then 1 000 ms
    hookMode = 'fail';
    await openCase('XA', 'failing delivery');
    expect(await dispatcher.runDue()).toMatchObject({ attempted: 1, failed: 1 });
    expect(await dispatcher.runDue()).toMatchObject({ attempted: 0 });
    t.clock.advance(499);
    expect(await dispatcher.runDue()).toMatchObject({ attempted: 0 });
    t.clock.advance(1);
    expect(await dispatcher.runDue()).toMatchObject({ attempted: 1, failed: 1 });
    t.clock.advance(999);
    expect(await dispatcher.runDue()).toMatchObject({ attempted: 0 });
    hookMode = 'ok';
    t.clock.advance(1);
    expect(await dispatcher.runDue()).toMatchObject({ attempted: 1, delivered: 1 });
    const log = (await get(`/api/webhooks/${hookId}/deliveries`, 'xa-ssac.admin')).json() as {
      eventType: string;
      status: string;
      attempts: number;
      lastStatus: number;
    }[];
    expect(log.map((d) => [d.eventType, d.status, d.attempts])).toEqual([
      ['case.opened', 'delivered', 3],
      ['case.opened', 'delivered', 1],
    ]);
    // an unsubscribed type is not delivered; a removed webhook gets nothing more
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/webhooks/${hookId}`, headers: as('xa-ssac.admin') }))
        .statusCode,
    ).toBe(204);
    await openCase('XA', 'after removal');
    expect(await dispatcher.runDue()).toMatchObject({ attempted: 0 });
  });

  it('gives up after the last attempt (dead letter)', async () => {
    hookMode = 'echo';
    const reg = (
      await post('/api/webhooks', 'xb-ssac.admin', { url: hookUrl, events: ['case.opened'] })
    ).json();
    await post(`/api/webhooks/${reg.id}/verify`, 'xb-ssac.admin', {});
    hookMode = 'fail';
    const dispatcher = createWebhookDispatcher(t.ports, { rng: () => 0, retry: { maxAttempts: 3 } });
    await openCase('XB', 'dead letter');
    for (let i = 0; i < 5; i++) {
      await dispatcher.runDue();
      t.clock.advance(10_000);
    }
    const log = (await get(`/api/webhooks/${reg.id}/deliveries`, 'xb-ssac.admin')).json();
    // Every failure is one answer (issue 15 item 3): not even the receiver's status is kept.
    expect(log[0]).toMatchObject({
      status: 'dead',
      attempts: 3,
      lastStatus: null,
      lastError: 'delivery failed',
    });
  });

  /**
   * Two processes at once. PostgreSQL: truly concurrent. SQLite: one after the other, since two
   * better-sqlite3 connections in ONE thread would wait on each other's lock (separate processes
   * do not); the unique keys are what is being tested either way.
   */
  async function both<T>(passes: (() => Promise<T>)[]): Promise<T[]> {
    if (dialect === 'postgres') return Promise.all(passes.map((p) => p()));
    const out: T[] = [];
    for (const p of passes) out.push(await p());
    return out;
  }

  function secondDb(): Db {
    return dialect === 'postgres'
      ? openPostgres(t.tdb.url as string, 3)
      : openSqlite(join(t.tdb.dataDir, 'custos.db'));
  }

  it('sends each deadline reminder exactly once, even from two processes, and catches up', async () => {
    const obligations: Obligation[] = [
      {
        id: 'ICR:XA-F1:2026-11',
        type: 'ICR',
        mba: 'XA-F1',
        agreement: 'CSA-XA',
        month: '2026-11',
        dueDate: '2026-12-05',
        status: 'upcoming',
        basis: { ref: 'INFCIRC/153 para 63(a)', instrument: 'INFCIRC-153', version: 1 },
        rejectedAttempts: 0,
      },
      {
        id: 'ICR:XA-F1:2026-09',
        type: 'ICR',
        mba: 'XA-F1',
        agreement: 'CSA-XA',
        month: '2026-09',
        dueDate: '2026-10-30',
        status: 'missing',
        basis: { ref: 'INFCIRC/153 para 63(a)', instrument: 'INFCIRC-153', version: 1 },
        rejectedAttempts: 0,
      },
    ];
    const source: ObligationSource = async () => [{ state: 'XA', obligations }];
    // The server's source gives one state at a time: the second process uses that form.
    const streamed: ObligationSource = async function* () {
      yield { state: 'XA', obligations };
    };
    const db2 = secondDb();
    const logger = pino({ level: 'silent' });
    const sink2 = createDurableEventSink({ db: db2, clock: t.clock, random: systemRandom, logger });
    const ports2: Ports = { ...t.ports, db: db2, events: sink2 };
    try {
      t.clock.current = new Date('2026-11-29T08:00:00Z');
      const passes = [
        () => runSchedulerOnce(t.ports, t.ports.events as DurableEventSink, source),
        () => runSchedulerOnce(ports2, sink2, streamed),
        () => runSchedulerOnce(t.ports, t.ports.events as DurableEventSink, source),
      ];
      const runs = await both(passes);
      expect(runs.reduce((n, r) => n + r.reminders, 0)).toBe(2);
      expect(runs.reduce((n, r) => n + r.casesOpened, 0)).toBe(1);
      const deadlineEvents = async () =>
        (
          await t.ports.db.kysely
            .selectFrom('events')
            .select('type')
            .where('type', 'like', 'deadline.%')
            .execute()
        )
          .map((e) => e.type)
          .sort();
      expect(await deadlineEvents()).toEqual(['deadline.due-7d', 'deadline.missed']);
      // the server was down for three days: the first pass after restart sends due-1d once
      t.clock.current = new Date('2026-12-04T07:00:00Z');
      await both([
        () => runSchedulerOnce(ports2, sink2, streamed),
        () => runSchedulerOnce(t.ports, t.ports.events as DurableEventSink, source),
      ]);
      expect(await deadlineEvents()).toEqual(['deadline.due-1d', 'deadline.due-7d', 'deadline.missed']);
      const cases = (await get('/api/cases?kind=missing-report', 'xa-ssac.submitter')).json();
      expect(cases.total).toBe(1);
      expect(cases.items[0]).toMatchObject({ mba: 'XA-F1', about: { obligation: 'ICR:XA-F1:2026-09' } });
      const inbox = (await get('/api/inbox', 'xa-ssac.submitter')).json();
      expect(
        inbox.items.filter((i: { event: { type: string } }) => i.event.type === 'deadline.due-1d'),
      ).toHaveLength(1);
    } finally {
      await sink2.stop();
      await db2.close();
    }
  });

  it('flags an overdue answer once', async () => {
    const id = await openCase('XB', 'overdue');
    tick();
    const due = new Date(t.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
    await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'question-sent',
      note: 'q',
      dueDate: due,
    });
    const sink = t.ports.events as DurableEventSink;
    expect((await runSchedulerOnce(t.ports, sink, undefined)).overdue).toBe(0);
    t.clock.advance(3 * 86_400_000);
    expect((await runSchedulerOnce(t.ports, sink, undefined)).overdue).toBe(1);
    expect((await runSchedulerOnce(t.ports, sink, undefined)).overdue).toBe(0);
    expect((await get(`/api/cases/${id}`, 'xb-ssac.submitter')).json().overdue).toBe(true);
  });

  it('stops a replay as soon as its subscriber has gone', async () => {
    const sink = t.ports.events as DurableEventSink;
    const from = (await sink.readAfter(0, 1_000_000)).at(-1)?.id ?? 0;
    for (let i = 0; i < 1200; i++) {
      await sink.publish({
        type: 'case.opened',
        state: 'XC',
        organisation: null,
        at: isoNow(t.clock),
        data: { n: i },
      });
    }
    const before = sink.subscriberCount();
    const got: StoredEvent[] = [];
    const off = await sink.subscribe(
      { canSee: () => true, send: (e) => got.push(e), open: () => got.length < 10 },
      from,
    );
    // Ten sent, then it had gone: no more of the first page, no second or third page, not subscribed.
    expect(got.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sink.subscriberCount()).toBe(before);
    off();
  });

  it('replays and goes on live with no gap and no repeat while more events arrive than it holds', async () => {
    // A sink on the same store that holds three live events per replay: the rest are read again.
    const sink = createDurableEventSink({
      db: t.ports.db,
      clock: t.clock,
      random: systemRandom,
      logger: pino({ level: 'silent' }),
      replayBuffer: 3,
    });
    const from = (await sink.readAfter(0, 1_000_000)).at(-1)?.id ?? 0;
    const publish = (n: number) =>
      sink.publish({
        type: 'case.opened',
        state: 'XC',
        organisation: null,
        at: isoNow(t.clock),
        data: { n },
      });
    for (let i = 0; i < 1200; i++) await publish(i);
    const got: StoredEvent[] = [];
    let live: Promise<void> | undefined;
    const off = await sink.subscribe(
      {
        canSee: () => true,
        send: (e) => {
          got.push(e);
          // While the replay is at its first event, 300 more arrive from ten publishers at once:
          // more at each of its reads than it holds.
          live ??= Promise.all(
            Array.from({ length: 10 }, async (_, p) => {
              for (let i = 0; i < 30; i++) await publish(1200 + p * 30 + i);
            }),
          ).then(() => undefined);
        },
      },
      from,
    );
    try {
      await live;
      const end = Date.now() + 10_000;
      while (got.length < 1500 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      // Each event once, in the order of the store.
      const ids = got.map((e) => e.id);
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
      expect(got.map((e) => e.data.n as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 1500 }, (_, i) => i),
      );
    } finally {
      off();
      await sink.stop();
    }
  });

  it('carries an event published by another process to this one’s subscribers', async () => {
    const db2 = secondDb();
    const sink2 = createDurableEventSink({
      db: db2,
      clock: t.clock,
      random: systemRandom,
      logger: pino({ level: 'silent' }),
    });
    const sink = t.ports.events as DurableEventSink;
    await sink.startListening(50);
    const got: StoredEvent[] = [];
    const off = await sink.subscribe({ canSee: () => true, send: (e) => got.push(e) });
    try {
      await sink2.publish({
        type: 'case.opened',
        state: 'XC',
        organisation: null,
        at: t.clock.now().toISOString(),
        data: { from: 'other' },
      });
      const end = Date.now() + 5000;
      while (!got.some((e) => e.data.from === 'other') && Date.now() < end)
        await new Promise((r) => setTimeout(r, 10));
      expect(got.some((e) => e.data.from === 'other')).toBe(true);
    } finally {
      off();
      await sink.stop();
      await sink2.stop();
      await db2.close();
    }
  });
});
