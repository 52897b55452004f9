import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import {
  isNotificationEvent,
  isPublicAddress,
  nextRetryDelay,
  parseIp,
  type RetryOptions,
  SIGNATURE_HEADER,
  signWebhook,
  validateWebhookTarget,
} from '../../domain/notifications/index.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { createNotificationsRepo } from '../../store/notifications.repo.js';
import { createWebhooksRepo, type DeliveryRecord, type WebhookRecord } from '../../store/webhooks.repo.js';
import { isoNow, type Ports } from '../ports.js';
import { enforce } from '../scope.js';
import { openSecret, sealSecret } from '../secrets.js';
import { toStoredEvent } from './sink.js';
import { createPinnedFetch, type FetchLike } from './webhook-transport.js';

export type { FetchLike };

/** How long one delivery attempt may take, and how long a claimed delivery stays claimed. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const LEASE_MS = 60_000;

export interface WebhookView {
  readonly id: string;
  readonly organisation: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly status: 'pending' | 'verified' | 'disabled';
  readonly createdAt: string;
  readonly verifiedAt: string | null;
}

export interface DeliveryView {
  readonly id: string;
  readonly eventId: number;
  readonly eventType: string;
  readonly status: 'pending' | 'delivered' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deliveredAt: string | null;
}

/** Header values are credentials for the receiver: the view names the headers, never their values. */
const HIDDEN = '(set)';
function headerNames(ports: Ports, r: WebhookRecord): Record<string, string> {
  const names = Object.keys(JSON.parse(openSecret(ports, `${r.id}:headers`, r.headers)) as object);
  return Object.fromEntries(names.map((n) => [n, HIDDEN]));
}

function toView(ports: Ports, r: WebhookRecord): WebhookView {
  return {
    id: r.id,
    organisation: r.organisation_id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    headers: headerNames(ports, r),
    status: r.status,
    createdAt: r.created_at,
    verifiedAt: r.verified_at,
  };
}

function toDelivery(r: DeliveryRecord): DeliveryView {
  return {
    id: r.id,
    eventId: Number(r.event_id),
    eventType: r.event_type,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: r.delivered_at,
  };
}

/**
 * A target whose host is written as an address (or is localhost) can be judged at registration;
 * a name is judged at every connection, after resolution (webhook-transport.ts).
 */
function privateLiteral(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
    if (host === 'localhost' || host.endsWith('.localhost')) return true;
    return parseIp(host) !== undefined && !isPublicAddress(host);
  } catch {
    return false;
  }
}

/**
 * Every way a delivery can fail — a refused address, no DNS answer, a closed port, a timeout, a
 * TLS error, a redirect, a non-2xx answer, a wrong echo — gives this one answer (issue 15 item 3):
 * telling them apart would make the verify call a port scanner for the network Custos sits in.
 */
const DELIVERY_FAILED = 'delivery failed';
function notVerified(): DomainError {
  return new DomainError('VALIDATION_FAILED', 'the webhook URL did not verify', [
    {
      field: 'url',
      ...problemOf('NOT_VERIFIED', {}),
      message: 'the URL must answer 2xx echoing the challenge, from a public address, without redirect',
    },
  ]);
}

function unixSeconds(ports: Ports): number {
  return Math.floor(ports.clock.now().getTime() / 1000);
}

function rngOf(ports: Ports): () => number {
  return () => {
    const b = ports.random.bytes(4);
    return ((((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0) / 2 ** 32;
  };
}

/** POST a signed JSON body; never follows redirects (a redirect could lead to an unverified URL). */
async function post(
  ports: Ports,
  fetchImpl: FetchLike,
  hook: WebhookRecord,
  body: string,
  extra: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {
    ...(JSON.parse(openSecret(ports, `${hook.id}:headers`, hook.headers)) as Record<string, string>),
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signWebhook(openSecret(ports, hook.id, hook.secret), unixSeconds(ports), body),
    ...extra,
  };
  const res = await fetchImpl(hook.url, {
    method: 'POST',
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
  });
  const text = (await res.text()).slice(0, 4096);
  return { status: res.status, text };
}

/** Webhook administration: an organisation's admin manages its own endpoints. */
export function createWebhookService(ports: Ports, fetchImpl?: FetchLike) {
  const send = fetchImpl ?? createPinnedFetch({ allowPrivate: ports.config.webhookAllowPrivate });
  const repo = createWebhooksRepo(ports.db);
  const hex = (n: number) => Buffer.from(ports.random.bytes(n)).toString('hex');

  async function own(p: Principal, id: string): Promise<WebhookRecord> {
    const row = await repo.get(id);
    enforce(p, 'organisation.admin', 'all', { organisationId: row?.organisation_id ?? '\0' });
    if (!row) throw new DomainError('NOT_FOUND', 'no such webhook');
    return row;
  }

  return {
    /** Register an endpoint (not delivered to until verified); the secret is shown only here. */
    async register(
      p: Principal,
      input: { url: string; secret?: string; events?: readonly string[]; headers?: Record<string, string> },
    ): Promise<WebhookView & { secret: string }> {
      const org = p.organisationId;
      enforce(p, 'organisation.admin', 'all', { organisationId: org ?? '\0' });
      if (org === null) throw new DomainError('FORBIDDEN', 'webhooks belong to an organisation');
      // Plain http only to a private address written in the URL, where private targets are
      // allowed (tests and development); https everywhere else.
      const allowPrivate = ports.config.webhookAllowPrivate;
      validateWebhookTarget(
        { url: input.url, ...(input.headers ? { headers: input.headers } : {}) },
        { allowHttp: allowPrivate && privateLiteral(input.url) },
      );
      if (!allowPrivate && privateLiteral(input.url)) {
        throw new DomainError('VALIDATION_FAILED', 'invalid webhook target', [
          {
            field: 'url',
            ...problemOf('PRIVATE_ADDRESS', {}),
            message: 'webhooks go to public addresses only',
          },
        ]);
      }
      const unknown = (input.events ?? []).filter((e) => !isNotificationEvent(e));
      if (unknown.length > 0) {
        throw new DomainError(
          'VALIDATION_FAILED',
          'unknown event types',
          unknown.map(
            (e): ErrorDetail => ({
              field: 'events',
              ...problemOf('UNKNOWN_EVENT', { event: e }),
              message: e,
            }),
          ),
        );
      }
      const secret = input.secret ?? `whsec_${hex(24)}`;
      const at = isoNow(ports.clock);
      const id = `wh_${hex(10)}`;
      const row: WebhookRecord = {
        id,
        organisation_id: org,
        url: input.url,
        secret: sealSecret(ports, id, secret),
        events: JSON.stringify([...new Set(input.events ?? [])].sort()),
        headers: sealSecret(ports, `${id}:headers`, JSON.stringify(input.headers ?? {})),
        status: 'pending',
        created_at: at,
        created_by: p.userId,
        verified_at: null,
      };
      await repo.insert(row);
      return { ...toView(ports, row), secret };
    },

    async list(p: Principal): Promise<WebhookView[]> {
      enforce(p, 'organisation.admin', 'all', { organisationId: p.organisationId ?? '\0' });
      return (await repo.listOf(p.organisationId ?? '\0')).map((r) => toView(ports, r));
    },

    async remove(p: Principal, id: string): Promise<void> {
      await own(p, id);
      await repo.disable(id, isoNow(ports.clock));
    },

    /**
     * Prove the organisation controls the URL: Custos POSTs a signed random challenge and the
     * receiver must answer 2xx echoing it (JSON `{"challenge": …}` or the bare token).
     */
    async verify(p: Principal, id: string): Promise<WebhookView> {
      const hook = await own(p, id);
      if (hook.status === 'disabled') throw new DomainError('CONFLICT', 'the webhook is disabled');
      const challenge = hex(16);
      const body = JSON.stringify({ type: 'custos.webhook.verification', webhook: id, challenge });
      let answer: { status: number; text: string };
      try {
        answer = await post(ports, send, hook, body, { 'Custos-Event': 'webhook.verification' });
      } catch {
        throw notVerified();
      }
      let echoed = answer.text.trim();
      try {
        const parsed = JSON.parse(answer.text) as { challenge?: unknown };
        if (typeof parsed?.challenge === 'string') echoed = parsed.challenge;
      } catch {
        // a bare token is accepted too
      }
      if (answer.status < 200 || answer.status > 299 || echoed !== challenge) throw notVerified();
      const at = isoNow(ports.clock);
      await repo.markVerified(id, at);
      return toView(ports, { ...hook, status: 'verified', verified_at: at });
    },

    async deliveries(p: Principal, id: string, limit = 100): Promise<DeliveryView[]> {
      await own(p, id);
      return (await repo.deliveriesOf(id, Math.min(Math.max(limit, 1), 1000))).map(toDelivery);
    },
  };
}

/**
 * Sends due deliveries. Each is claimed with a lease (a conditional update) so two server
 * processes never send the same attempt; a failure (non-2xx, redirect, timeout, network) is
 * retried after nextRetryDelay (exponential backoff with jitter) until it gives up (dead).
 */
export function createWebhookDispatcher(
  ports: Ports,
  options: { fetch?: FetchLike; retry?: RetryOptions; rng?: () => number } = {},
) {
  const repo = createWebhooksRepo(ports.db);
  const events = createNotificationsRepo(ports.db);
  const fetchImpl = options.fetch ?? createPinnedFetch({ allowPrivate: ports.config.webhookAllowPrivate });
  const rng = options.rng ?? rngOf(ports);

  async function attempt(d: DeliveryRecord, now: string): Promise<'delivered' | 'failed'> {
    const hook = await repo.get(d.webhook_id);
    const event = await events.event(d.event_id);
    if (hook?.status !== 'verified' || !event) {
      await repo.settle(d.id, {
        status: 'dead',
        next_attempt_at: null,
        last_error: 'webhook not verified',
        updated_at: now,
      });
      return 'failed';
    }
    const e = toStoredEvent(event);
    const body = JSON.stringify({
      delivery: d.id,
      webhook: hook.id,
      event: { id: e.id, type: e.type, state: e.state, organisation: e.organisation, at: e.at, data: e.data },
    });
    let status: number | null = null;
    let error: string | null = null;
    try {
      const r = await post(ports, fetchImpl, hook, body, { 'Custos-Event': e.type, 'Custos-Delivery': d.id });
      status = r.status;
      if (status < 200 || status > 299) error = DELIVERY_FAILED;
    } catch (err) {
      // One answer for the organisation's delivery log; the reason stays in the server's log.
      ports.logger.warn({ err, webhook: hook.id, delivery: d.id }, 'webhook delivery failed');
      error = DELIVERY_FAILED;
    }
    const attempts = d.attempts + 1;
    const at = isoNow(ports.clock);
    if (error === null) {
      await repo.settle(d.id, {
        status: 'delivered',
        attempts,
        last_status: status,
        last_error: null,
        next_attempt_at: null,
        delivered_at: at,
        updated_at: at,
      });
      return 'delivered';
    }
    const delay = nextRetryDelay(attempts, rng, options.retry);
    await repo.settle(d.id, {
      status: delay === null ? 'dead' : 'pending',
      attempts,
      // A failure is one answer (DELIVERY_FAILED): not even the status a receiver gave.
      last_status: null,
      last_error: error,
      next_attempt_at: delay === null ? null : new Date(ports.clock.now().getTime() + delay).toISOString(),
      updated_at: at,
    });
    return 'failed';
  }

  return {
    /** Send every delivery due now; answers how many were attempted, delivered and failed. */
    async runDue(limit = 100): Promise<{ attempted: number; delivered: number; failed: number }> {
      const now = isoNow(ports.clock);
      const due = await repo.due(now, limit);
      const lease = new Date(ports.clock.now().getTime() + LEASE_MS).toISOString();
      const results = { attempted: 0, delivered: 0, failed: 0 };
      await Promise.all(
        due.map(async (d) => {
          if (!(await repo.claim(d, now, lease))) return;
          results.attempted++;
          results[await attempt(d, now)]++;
        }),
      );
      return results;
    },
  };
}
