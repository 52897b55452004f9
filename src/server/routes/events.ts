import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { NOTIFICATION_EVENTS } from '../../domain/notifications/index.js';
import type { LogNode } from '../../services/log/index.js';
import {
  canSeeEvent,
  createInboxService,
  createWebhookService,
  isDurableEventSink,
  type StoredEvent,
} from '../../services/notifications/index.js';
import { isoNow, type Ports } from '../../services/ports.js';
import { requirePrincipal } from '../auth.js';

/** A comment line every so often keeps proxies from closing an idle stream. */
export const SSE_HEARTBEAT_MS = 15_000;
/** A client that stops reading is cut off (it resumes with Last-Event-ID) rather than buffered forever. */
const SSE_MAX_BUFFER = 1024 * 1024;

const frames = new WeakMap<StoredEvent, string>();
/** One serialisation per event, shared by every connection that receives it. */
function frameOf(e: StoredEvent): string {
  let f = frames.get(e);
  if (f === undefined) {
    const payload = {
      id: e.id,
      type: e.type,
      state: e.state,
      organisation: e.organisation,
      at: e.at,
      data: e.data,
    };
    f = `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(payload)}\n\n`;
    frames.set(e, f);
  }
  return f;
}

function lastEventId(header: string | string[] | undefined, query: number | undefined): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw !== undefined && /^\d{1,15}$/.test(raw.trim())) return Number(raw.trim());
  return query;
}

type EventDeps = Ports & { readonly log: LogNode };

/**
 * The live stream (SSE). Also turns the log node's checkpoints into `checkpoint.published` events,
 * and ends every open stream when the server closes.
 */
function registerStreamRoutes(app: FastifyInstance, deps: EventDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const sink = deps.events;
  const open = new Set<ServerResponse>();

  const offCheckpoint = deps.log.onCheckpoint((size, note) => {
    void deps.events
      .publish({
        type: 'checkpoint.published',
        state: null,
        organisation: null,
        at: isoNow(deps.clock),
        data: { size, checkpoint: note },
      })
      .catch((err: unknown) => deps.logger.error({ err }, 'publishing a checkpoint event failed'));
  });
  app.addHook('preClose', async () => {
    offCheckpoint();
    for (const res of open) res.end();
    open.clear();
  });

  r.get(
    '/api/events',
    {
      config: user,
      schema: {
        tags: ['notifications'],
        querystring: z.strictObject({ lastEventId: z.coerce.number().int().min(0).optional() }),
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!isDurableEventSink(sink))
        throw new DomainError('UNAVAILABLE', 'the event stream is not configured');
      const after = lastEventId(req.headers['last-event-id'], req.query.lastEventId);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n: connected\n\n');
      open.add(res);
      let closed = false;
      let unsubscribe: (() => void) | undefined;
      let heartbeat: ReturnType<typeof setInterval> | undefined;
      // Listening for the close before subscribing: a replay of years of events stops as soon as
      // the client has gone, or has fallen a megabyte behind (destroyed below).
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe?.();
        open.delete(res);
      };
      res.on('close', close);
      const write = (chunk: string) => {
        if (closed) return;
        if (res.writableLength > SSE_MAX_BUFFER) {
          res.destroy();
          return;
        }
        res.write(chunk);
      };
      unsubscribe = await sink.subscribe(
        {
          canSee: (e) => canSeeEvent(p, e),
          send: (e) => write(frameOf(e)),
          open: () => !closed && !res.destroyed,
        },
        after,
      );
      if (closed || res.destroyed) {
        close();
        unsubscribe();
        return;
      }
      heartbeat = setInterval(() => write(': heartbeat\n\n'), SSE_HEARTBEAT_MS);
      heartbeat.unref?.();
    },
  );
}

/** An event as the live stream and the inbox show it (docs/decisions/0013: the browser's type). */
const EventReply = z.object({
  id: z.number().int().describe('the SSE event id; orders the stream'),
  type: z.string(),
  state: z.string().nullable(),
  organisation: z.string().nullable(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** GET /api/inbox: the caller's items, newest first, and how many are unread in all. */
const InboxReply = z.object({
  items: z.array(z.object({ id: z.number().int(), event: EventReply, readAt: z.string().nullable() })),
  unread: z.number().int(),
});

/** The inbox: a login's notifications, and marking them read. */
function registerInboxRoutes(app: FastifyInstance, deps: EventDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const inbox = createInboxService(deps);

  r.get(
    '/api/inbox',
    {
      config: user,
      schema: {
        tags: ['notifications'],
        querystring: z.strictObject({
          unread: z.enum(['1', '0', 'true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
          before: z.coerce.number().int().min(1).optional(),
        }),
        response: { 200: InboxReply },
      },
    },
    async (req) => {
      const q = req.query;
      return inbox.list(requirePrincipal(req), {
        unread: q.unread === '1' || q.unread === 'true',
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.before === undefined ? {} : { before: q.before }),
      });
    },
  );
  r.post(
    '/api/inbox/read',
    {
      config: user,
      schema: {
        tags: ['notifications'],
        body: z.strictObject({
          ids: z.array(z.number().int().min(1)).max(1000).optional(),
          all: z.boolean().optional(),
        }),
        response: { 200: z.object({ updated: z.number().int().describe('items newly marked read') }) },
      },
    },
    async (req) => inbox.markRead(requirePrincipal(req), req.body),
  );
}

/** Webhook administration: register, list, remove, verify, and the delivery history. */
function registerWebhookRoutes(app: FastifyInstance, deps: EventDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const webhooks = createWebhookService(deps);
  const tags = ['webhooks'];
  const IdParams = z.object({ id: z.string().min(1).max(100) });
  r.post(
    '/api/webhooks',
    {
      config: user,
      schema: {
        tags,
        body: z.strictObject({
          url: z.string().min(1).max(2048),
          secret: z.string().min(16).max(200).optional(),
          events: z.array(z.enum(NOTIFICATION_EVENTS)).max(NOTIFICATION_EVENTS.length).optional(),
          headers: z.record(z.string().max(200), z.string().max(4096)).optional(),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await webhooks.register(requirePrincipal(req), req.body)),
  );
  r.get('/api/webhooks', { config: user, schema: { tags } }, async (req) =>
    webhooks.list(requirePrincipal(req)),
  );
  r.delete('/api/webhooks/:id', { config: user, schema: { tags, params: IdParams } }, async (req, reply) => {
    await webhooks.remove(requirePrincipal(req), req.params.id);
    return reply.status(204).send();
  });
  r.post('/api/webhooks/:id/verify', { config: user, schema: { tags, params: IdParams } }, async (req) =>
    webhooks.verify(requirePrincipal(req), req.params.id),
  );
  r.get(
    '/api/webhooks/:id/deliveries',
    {
      config: user,
      schema: {
        tags,
        params: IdParams,
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
      },
    },
    async (req) => webhooks.deliveries(requirePrincipal(req), req.params.id, req.query.limit),
  );
}

/**
 * The live stream (SSE), the inbox and webhook administration (cases issue, "Notifications").
 * Also turns the log node's checkpoints into `checkpoint.published` events.
 */
export function registerEventRoutes(app: FastifyInstance, deps: EventDeps): void {
  registerStreamRoutes(app, deps);
  registerInboxRoutes(app, deps);
  registerWebhookRoutes(app, deps);
}
