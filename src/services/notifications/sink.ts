import pg from 'pg';
import type { Logger } from 'pino';
import type { InstitutionalDuty } from '../../domain/legal/index.js';
import { readsStateData } from '../../domain/policy/index.js';
import type { Db, DbOrTx } from '../../store/db.js';
import { createLegalRepo } from '../../store/legal.repo.js';
import {
  createInboxRepo,
  createNotificationsRepo,
  type EventRecord,
  type NotificationsRepo,
} from '../../store/notifications.repo.js';
import { createWebhooksRepo } from '../../store/webhooks.repo.js';
import type { DomainEvent, EventSink } from '../events.js';
import type { Clock, Random } from '../ports.js';

/** An event as stored: its id is the SSE event id and orders the stream. */
export interface StoredEvent extends DomainEvent {
  readonly id: number;
  /** Organisation ids that may see it; null = every signed-in user (log-wide events). */
  readonly audience: readonly string[] | null;
}

export interface EventSinkDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Live events held per subscriber while its replay runs (REPLAY_BUFFER; tests make it small). */
  readonly replayBuffer?: number;
}

/** A live subscriber (one SSE connection). */
export interface EventSubscriber {
  /** Policy filter, decided once per connection (cheap per event). */
  canSee(e: StoredEvent): boolean;
  send(e: StoredEvent): void;
  /** False once the subscriber has gone (its connection closed): a replay for it stops. */
  open?(): boolean;
}

/** Live events held for a subscriber while its replay runs; past this they are read again from the store. */
const REPLAY_BUFFER = 1000;

const CHANNEL = 'custos_events';
const PAGE = 500;
/** Event types that only go to inboxes of users with these roles (issue: "checkpoint published (auditors)"). */
const INBOX_ROLES: Readonly<Record<string, string>> = { 'checkpoint.published': 'auditor' };

function parseAudience(text: string | null): string[] | null {
  return text === null ? null : (JSON.parse(text) as string[]);
}

export function toStoredEvent(r: EventRecord): StoredEvent {
  return {
    id: Number(r.id),
    type: r.type,
    state: r.state,
    organisation: r.organisation,
    at: r.at,
    data: JSON.parse(r.data) as Record<string, unknown>,
    audience: parseAudience(r.audience),
  };
}

/**
 * The institutional duty an event about a state's obligation concerns (issue 19 item 3): a
 * deadline reminder is for whoever submits (reports or AP declarations), an inspection's notice
 * for whoever receives notices, complementary access for whoever grants access.
 */
function dutyOfEvent(e: DomainEvent): InstitutionalDuty | undefined {
  if (e.type.startsWith('deadline.'))
    return e.data.reportType === 'AP_DECLARATION' ? 'submit-declarations' : 'submit-reports';
  if (e.type === 'inspection.notice')
    return e.data.type === 'complementary-access' ? 'grant-access' : 'receive-notices';
  return undefined;
}

/**
 * The state's institutions an event goes to: for an obligation whose duty the state assigned
 * (GET /api/states/:code/institutions), its holders; otherwise all of them, as before roles.
 */
async function institutionsFor(repo: NotificationsRepo, q: DbOrTx, e: DomainEvent & { state: string }) {
  const duty = dutyOfEvent(e);
  const holders = duty === undefined ? [] : await createLegalRepo(q).holdersOf(q, e.state, duty);
  return holders.length > 0 ? holders : repo.organisationsOfState(q, e.state);
}

/**
 * Who may see an event (the policy's scoping, decided when it is published):
 * - the organisation it names (e.g. the submitting authority);
 * - the state's own authorities and operators — for an obligation, those holding its duty;
 * - inspectorates: those listed in `data.inspectorates` (a case's owner and partners), otherwise
 *   every inspectorate party to an agreement in force with the state (its scope);
 * - an event with neither state nor organisation (a checkpoint) is for everyone.
 */
async function audienceOf(repo: NotificationsRepo, q: DbOrTx, e: DomainEvent): Promise<string[] | null> {
  if (e.state === null && e.organisation === null) return null;
  const orgs = new Set<string>();
  if (e.organisation !== null) orgs.add(e.organisation);
  if (e.state !== null) {
    for (const o of await institutionsFor(repo, q, { ...e, state: e.state })) orgs.add(o);
    const listed = e.data.inspectorates;
    if (Array.isArray(listed)) {
      for (const i of listed) if (typeof i === 'string') orgs.add(i);
    } else {
      for (const o of await repo.inspectoratesAgreedWith(q, e.state)) orgs.add(o);
    }
  }
  return [...orgs].sort();
}

function hexId(random: Random, prefix: string): string {
  return `${prefix}${Buffer.from(random.bytes(12)).toString('hex')}`;
}

/**
 * Store one event with its inbox rows and webhook deliveries inside the caller's transaction.
 * With `key`, the event is stored only if the key was never used: the key and the event commit
 * together, so two schedulers racing for one reminder send it once. Answers the event id, or
 * undefined when the key was already taken. Call `wake()` after the transaction commits.
 */
function createEventWriter(deps: EventSinkDeps) {
  const repo = createNotificationsRepo(deps.db);
  const webhooks = createWebhooksRepo(deps.db);
  const inbox = createInboxRepo(deps.db);
  return async function insertEvent(tx: DbOrTx, e: DomainEvent, key?: string): Promise<number | undefined> {
    if (key !== undefined && !(await repo.claimKey(tx, key, e.at))) return undefined;
    await repo.lockEventOrder(tx);
    const audience = await audienceOf(repo, tx, e);
    const id = await repo.insertEvent(tx, {
      type: e.type,
      state: e.state,
      organisation: e.organisation,
      audience: audience === null ? null : JSON.stringify(audience),
      at: e.at,
      data: JSON.stringify(e.data),
    });
    if (key !== undefined) await repo.bindKey(tx, key, id);
    const role = INBOX_ROLES[e.type];
    const users =
      role !== undefined
        ? await repo.usersWithRole(tx, role)
        : audience !== null
          ? (await repo.usersOf(tx, audience))
              .filter((u) => e.state === null || readsStateData(u.roles))
              .map((u) => u.id)
          : [];
    await inbox.insertInbox(tx, users, id, e.at);
    const deliveries = (await webhooks.verifiedOf(tx, audience))
      .filter((h) => {
        const wanted = JSON.parse(h.events) as string[];
        // A log-wide event goes only to webhooks that asked for it by name (it is frequent).
        return audience === null ? wanted.includes(e.type) : wanted.length === 0 || wanted.includes(e.type);
      })
      .map((h) => ({
        id: hexId(deps.random, 'dlv_'),
        webhook_id: h.id,
        event_id: id,
        event_type: e.type,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: e.at,
        lease_until: null,
        last_status: null,
        last_error: null,
        created_at: e.at,
        updated_at: e.at,
        delivered_at: null,
      }));
    await webhooks.insertDeliveries(tx, deliveries);
    await repo.notify(tx, CHANNEL, id);
    return id;
  };
}

/**
 * Hearing events published by other processes: LISTEN on PostgreSQL, plus a poll (every
 * `pollMs`) that also serves SQLite files shared by several processes.
 */
function createCrossProcessListener(
  deps: Pick<EventSinkDeps, 'db' | 'logger'>,
  hear: { readonly notified: () => void; readonly polled: () => void },
) {
  const { db, logger } = deps;
  let listener: pg.Client | undefined;
  let poll: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    async start(pollMs: number): Promise<void> {
      stopped = false;
      if (db.dialect === 'postgres' && !listener && db.pool) {
        const client = new pg.Client(db.pool.options);
        client.on('notification', () => hear.notified());
        client.on('error', (err) => {
          logger.warn({ err }, 'event listener connection lost; relying on the poll');
          listener = undefined;
        });
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        listener = client;
      }
      if (!poll) {
        poll = setInterval(() => {
          if (!stopped) hear.polled();
        }, pollMs);
        poll.unref?.();
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      if (poll) clearInterval(poll);
      poll = undefined;
      const l = listener;
      listener = undefined;
      await l?.end().catch(() => undefined);
    },
  };
}

/** One event to every live subscriber that may see it; a failing subscriber does not stop the rest. */
function sendToEach(subscribers: ReadonlySet<EventSubscriber>, e: StoredEvent, logger: Logger): void {
  for (const s of subscribers) {
    try {
      if (s.canSee(e)) s.send(e);
    } catch (err) {
      logger.warn({ err }, 'event subscriber failed');
    }
  }
}

/**
 * The stored part of a subscription: pages of events after `position()` through `deliver`, a turn
 * of the event loop between pages, until a short page with no live event dropped meanwhile
 * (`dropped()` answers that and forgets it: the dropped ones are in the store, read on). False
 * as soon as the subscriber has gone.
 */
async function replayStored(
  readAfter: (after: number) => Promise<StoredEvent[]>,
  position: () => number,
  deliver: (e: StoredEvent) => void,
  open: () => boolean,
  dropped: () => boolean,
): Promise<boolean> {
  for (;;) {
    const page = await readAfter(position());
    for (const e of page) {
      if (!open()) return false;
      deliver(e);
    }
    if (!open()) return false;
    if (page.length < PAGE && !dropped()) return true;
    // A replay of years is not one long task.
    await new Promise((r) => setImmediate(r));
  }
}

/** What a subscription needs of its sink. */
interface SubscriptionContext {
  readonly subscribers: Set<EventSubscriber>;
  readonly readAfter: (after: number) => Promise<StoredEvent[]>;
  readonly replayBuffer: number;
  /** Where a subscriber with no Last-Event-ID starts: the fan-out's position, or the newest event. */
  start(): Promise<number>;
  /** The first subscriber's start becomes the fan-out's position. */
  started(id: number): void;
}

/**
 * Subscribe to the live stream. With `after` (Last-Event-ID), first replays every stored event
 * after it that the subscriber may see, then continues live without a gap or a duplicate. Live
 * events that arrive during the replay wait, at most `replayBuffer` of them: past that they are
 * dropped and the replay reads on from the store, where every one of them is (published events
 * are stored before they are fanned out), so none is lost or repeated.
 */
async function subscribeWithReplay(
  ctx: SubscriptionContext,
  s: EventSubscriber,
  after: number | undefined,
): Promise<() => void> {
  let lastSent = after ?? (await ctx.start());
  let replaying = after !== undefined;
  const buffer: StoredEvent[] = [];
  let overflowed = false;
  const deliver = (e: StoredEvent) => {
    if (e.id <= lastSent) return;
    lastSent = e.id;
    if (s.canSee(e)) s.send(e);
  };
  const hold = (e: StoredEvent) => {
    if (buffer.length < ctx.replayBuffer) buffer.push(e);
    else {
      buffer.length = 0;
      overflowed = true;
    }
  };
  const entry: EventSubscriber = { canSee: () => true, send: (e) => (replaying ? hold(e) : deliver(e)) };
  ctx.subscribers.add(entry);
  const unsubscribe = () => {
    ctx.subscribers.delete(entry);
  };
  ctx.started(lastSent);
  if (!replaying) return unsubscribe;
  const dropped = () => {
    const was = overflowed;
    overflowed = false;
    return was;
  };
  if (
    !(await replayStored(
      ctx.readAfter,
      () => lastSent,
      deliver,
      () => s.open?.() !== false,
      dropped,
    ))
  ) {
    unsubscribe();
    return unsubscribe;
  }
  replaying = false;
  for (const e of buffer.splice(0)) deliver(e);
  return unsubscribe;
}

/**
 * The durable event sink (replaces the in-process one): every published event is stored (so the
 * stream resumes with Last-Event-ID across restarts and processes), copied to the inbox of each
 * user who may see it, and queued for every verified webhook of those organisations, all in one
 * transaction. On PostgreSQL the transaction also NOTIFYs, so SSE clients of every server process
 * hear it; a slow poll covers SQLite shared by several processes and a lost notification.
 */
export function createDurableEventSink(deps: EventSinkDeps) {
  const { db, logger } = deps;
  const repo = createNotificationsRepo(db);
  const insertEvent = createEventWriter(deps);
  const subscribers = new Set<EventSubscriber>();
  const deliveryListeners = new Set<() => void>();
  let lastId: number | undefined;
  let fetching: Promise<void> | undefined;
  let again = false;

  const maxId = () => repo.maxEventId();

  const readAfter = async (after: number, limit = PAGE) =>
    (await repo.eventsAfter(after, limit)).map(toStoredEvent);

  async function fanOut(): Promise<void> {
    do {
      again = false;
      if (subscribers.size === 0) {
        lastId = undefined;
        return;
      }
      lastId ??= await maxId();
      for (;;) {
        const batch = await readAfter(lastId);
        for (const e of batch) {
          lastId = e.id;
          sendToEach(subscribers, e, logger);
        }
        if (batch.length < PAGE) break;
      }
    } while (again);
  }

  /** Look for new events now (after a local commit, a NOTIFY, or the poll). */
  function wake(): void {
    if (fetching) {
      again = true;
      return;
    }
    fetching = fanOut()
      .catch((err: unknown) => logger.error({ err }, 'event fan-out failed'))
      .finally(() => {
        fetching = undefined;
      });
    for (const l of deliveryListeners) l();
  }

  const listening = createCrossProcessListener(deps, {
    notified: () => wake(),
    polled: () => subscribers.size > 0 && wake(),
  });

  const sink = {
    kind: 'durable' as const,
    async publish(e: DomainEvent): Promise<void> {
      await sink.publishOnce(e);
    },
    /** Publish in its own transaction; with `key`, at most once ever. Answers the id, or undefined. */
    async publishOnce(e: DomainEvent, key?: string): Promise<number | undefined> {
      const id = await db.kysely.transaction().execute((tx) => insertEvent(tx, e, key));
      if (id !== undefined) wake();
      return id;
    },
    insertEvent,
    wake,
    readAfter,
    /**
     * Subscribe to the live stream. With `after` (Last-Event-ID), first replays every stored event
     * after it that the subscriber may see, then continues live without a gap or a duplicate.
     */
    async subscribe(s: EventSubscriber, after?: number): Promise<() => void> {
      return subscribeWithReplay(
        {
          subscribers,
          readAfter,
          replayBuffer: deps.replayBuffer ?? REPLAY_BUFFER,
          start: async () => (lastId !== undefined && subscribers.size > 0 ? lastId : await maxId()),
          started: (id) => {
            if (lastId === undefined) lastId = id;
          },
        },
        s,
        after,
      );
    },
    subscriberCount: () => subscribers.size,
    onDeliveriesQueued(l: () => void): () => void {
      deliveryListeners.add(l);
      return () => deliveryListeners.delete(l);
    },
    /**
     * Listen for events published by other processes: LISTEN on PostgreSQL, plus a poll (every
     * `pollMs`) that also serves SQLite files shared by several processes.
     */
    startListening(pollMs = db.dialect === 'postgres' ? 5_000 : 1_000): Promise<void> {
      return listening.start(pollMs);
    },
    async stop(): Promise<void> {
      await listening.stop();
      await fetching;
    },
  };
  return sink;
}

export type DurableEventSink = ReturnType<typeof createDurableEventSink>;

export function isDurableEventSink(sink: EventSink): sink is DurableEventSink {
  return (sink as Partial<DurableEventSink>).kind === 'durable';
}
