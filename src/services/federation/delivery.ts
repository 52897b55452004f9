import {
  type Ack,
  deliveryErrorCode,
  formatDeliveryError,
  type LedgerAck,
  openAckBatch,
  type SignedAck,
  verifyAcknowledgement,
} from '../../domain/federation/index.js';
import { encodeBase64 } from '../../log/index.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import type { FedOutboxRow, FedPeerRow } from '../../store/schema.types.js';
import type { LogNode } from '../log/index.js';
import type { Ports } from '../ports.js';
import { runBackfills } from './backfill.js';
import { buildWireBundle } from './bundle.js';
import { signRequest } from './http-signature.js';
import { INBOX_BATCH, INBOX_BATCH_BEFORE } from './inbox.js';
import type { NodeKey } from './node-key.js';
import type { WireBundle } from './packed-original.js';

export const INBOX_PATH = '/api/federation/inbox';
const LEASE = 'federation-delivery';
const LEASE_MS = 30_000;
/**
 * Bundles per batch to a peer that said it takes at least that many (decision 0080): catching up,
 * a batch's fixed costs on both nodes — the receiver's commit and fsync, the request, the signed
 * acknowledgement, the sender's settling transaction — are shared by 500 reports instead of 200,
 * and the receiver waits less often for the sender between batches. Until a peer has said what it
 * takes, or after a restart, it is sent INBOX_BATCH_BEFORE, which every release takes.
 */
const BATCH = Math.min(500, INBOX_BATCH);
const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * A batch stops growing at this many bytes of bundles (it always holds one): a page of 100
 * bundles counted only by number could carry several big ICRs, each base64 in its bundle, past
 * the receiver's body limit (64 MB by default) — refused with 413 on every retry, the same batch
 * again, and delivery stuck behind it for good.
 */
export const BATCH_BYTES = 16 * 1024 * 1024;

/** About how many bytes a bundle takes in the request: its signed original and proofs dominate. */
function bundleBytes(b: WireBundle): number {
  const o = b.original;
  const original = o === undefined ? 0 : 'packed' in o ? o.packed.length : o.bytes.length;
  return original + b.proof.length + b.leaf.length + 4096;
}

/**
 * Bundles per batch to a peer that said it takes `said` per request (decision 0080), or said
 * nothing (a peer before it, or not asked yet since this server started): what every node takes.
 */
export function batchSizeFor(said: number | undefined): number {
  return Math.max(1, Math.min(BATCH, said ?? INBOX_BATCH_BEFORE));
}

/** How many of the leading bundles (by their sizes) go in one batch: within BATCH_BYTES, at least one. */
export function batchLength(sizes: readonly number[], budget = BATCH_BYTES): number {
  let total = 0;
  for (const [i, size] of sizes.entries()) {
    total += size;
    if (i > 0 && total > budget) return i;
  }
  return sizes.length;
}

/**
 * While a peer is unreachable its rows back off up to MAX_BACKOFF_MS, but the peer itself is
 * asked `GET /healthz` (no body, nothing signed) every PROBE_MS: once it answers, its rows are
 * sent at once instead of after the rest of a backoff of minutes (issue 17: a node back from an
 * outage is caught up promptly). A probe that answered and was followed by another transport
 * failure doubles the probe interval (up to the backoff's cap), so a peer that answers its health
 * check but not its inbox is not sent a batch every few seconds.
 */
const PROBE_MS = 3000;

/** Exponential backoff with full jitter between half and all of the step (1 s, 2 s, … 5 min). */
export function backoffMs(attempts: number, random: number): number {
  const step = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
  return Math.round(step * (0.5 + random / 2));
}

/** Outbox rows and their bundles, sent in one request; `waiting` when it ends at a row no checkpoint covers yet. */
interface Batch {
  readonly rows: FedOutboxRow[];
  readonly bundles: WireBundle[];
  readonly waiting: boolean;
}

/**
 * The peer's acknowledgements as the ledger keeps them, each verified with the peer's node key
 * (the same check as the state's browser): one signature over the batch (decision 0070), or, from
 * a peer that answers the older way, one per acknowledgement. A batch whose signature does not
 * verify answers none; an acknowledgement alone that does not, undefined in its place.
 */
function verifiedAcks(peer: FedPeerRow, reply: Reply): (LedgerAck | undefined)[] {
  if (reply.batch === undefined)
    return (reply.acks as SignedAck[]).map((a) => (verifyAcknowledgement(a, peer.node_key) ? a : undefined));
  const receiver = reply.acks[0]?.receiver ?? '';
  return openAckBatch(receiver, reply.acks, reply.batch, peer.node_key) ?? reply.acks.map(() => undefined);
}

/** The peer's answer to a batch. */
interface Reply {
  readonly acks: Ack[];
  readonly batch?: unknown;
  /** The most bundles the peer takes per request, when it says (decision 0080). */
  readonly takes?: number;
}

/** The peer answered the request with an error status: its own code when it gave one. */
class PeerAnswered extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The stored delivery error of a failed POST: the peer's own code, or PEER_UNREACHABLE. */
function failureOf(err: unknown): string {
  if (err instanceof PeerAnswered) return formatDeliveryError(err.code, err.message);
  return formatDeliveryError('PEER_UNREACHABLE', (err as Error).message);
}

/** Whether the peer answers its health check now (a cheap GET, two seconds at most). */
async function answers(peer: FedPeerRow): Promise<boolean> {
  try {
    const res = await fetch(`${peer.url}/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** POST a signed batch to the peer's inbox; its acknowledgements, or an error to retry on. */
async function post(ports: Ports, nodeKey: NodeKey, peer: FedPeerRow, bundles: WireBundle[]): Promise<Reply> {
  const url = `${peer.url}${INBOX_PATH}`;
  // One signature over the batch's acknowledgements (decision 0070); a peer that predates it
  // ignores the member and signs each.
  const body = new TextEncoder().encode(JSON.stringify({ bundles, acks: 'batch' }));
  const nonce = encodeBase64(ports.random.bytes(18));
  const headers = await signRequest(nodeKey, { method: 'POST', url, body }, ports.clock.now(), nonce);
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) {
    const message = `${peer.url} answered ${res.status}: ${text.slice(0, 300)}`;
    let code: unknown;
    try {
      code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    } catch {}
    // A gateway's 5xx without a code: the node behind it is as good as unreachable.
    if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(message);
    throw new PeerAnswered(code, message);
  }
  const reply = JSON.parse(text) as { acks?: Ack[]; batch?: unknown; takes?: unknown };
  if (!Array.isArray(reply.acks)) throw new Error(`${peer.url} answered without acknowledgements`);
  return {
    acks: reply.acks,
    ...(reply.batch === undefined ? {} : { batch: reply.batch }),
    ...(Number.isSafeInteger(reply.takes) ? { takes: reply.takes as number } : {}),
  };
}

/**
 * The sender's delivery (issue 17 item 6, decision 0027): pages each peer's outbox in source-index
 * order, builds one bundle per row (decision 0028's format), pushes a batch to the peer's inbox
 * with an RFC 9421 signature, and records each signed acknowledgement. Retries with backoff and
 * jitter; a refusal retrying cannot fix becomes a dead letter and delivery continues after it.
 * On PostgreSQL with several servers, one worker at a time holds the lease.
 */
// long: the worker's loop, batch and lease share one closure; the transport already lives outside
export function createDelivery(
  ports: Ports,
  log: LogNode,
  nodeKey: NodeKey,
  onDelivered?: (peerId: string) => void,
) {
  const repo = createFederationRepo(ports.db);
  const holder = Buffer.from(ports.random.bytes(8)).toString('hex');
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let poked = false;
  /** A backlog was left to queue at the end of the last pass: the next comes at once. */
  let backlog = false;
  /** Per peer (in memory, bounded by the peers): when it was last probed, and how often to. */
  const probes = new Map<string, { at: number; every: number; resumed: boolean }>();
  /**
   * Peers known to read packed originals (decision 0071): those that have answered a batch
   * acknowledgement (decision 0070), which the same release brought. Until a peer has,
   * originals go to it as their bytes, so a node not yet upgraded is never sent a form it would
   * refuse (and dead-letter); after a restart the first batch to each peer tells again.
   */
  const readsPacked = new Set<string>();
  /** Per peer: how many bundles it said it takes per request (decision 0080); bounded by the peers. */
  const takes = new Map<string, number>();
  const batchSize = (peer: FedPeerRow): number => batchSizeFor(takes.get(peer.id));

  /**
   * Rows waiting out a backoff after the peer was unreachable: probe it (at most every PROBE_MS,
   * more rarely after a resumption that failed) and answer whether to send now.
   */
  async function resumable(peer: FedPeerRow, first: FedOutboxRow, now: number): Promise<boolean> {
    if (deliveryErrorCode(first.last_error) !== 'PEER_UNREACHABLE') return false;
    const p = probes.get(peer.id) ?? { at: 0, every: PROBE_MS, resumed: false };
    if (p.resumed) {
      // The last resumption ended in another transport failure: probe less often.
      p.every = Math.min(MAX_BACKOFF_MS, p.every * 2);
      p.resumed = false;
    }
    probes.set(peer.id, p);
    if (now - p.at < p.every) return false;
    p.at = now;
    p.resumed = await answers(peer);
    return p.resumed;
  }

  /**
   * The leading rows of a page whose bundles make one batch: in order, within BATCH_BYTES, up to
   * the first row no checkpoint covers yet.
   */
  async function batchOf(peer: FedPeerRow, page: readonly FedOutboxRow[]): Promise<Batch> {
    const rows: FedOutboxRow[] = [];
    const bundles: WireBundle[] = [];
    const sizes: number[] = [];
    // One checkpoint for the batch, read once (decision 0068); a row it does not cover waits.
    const receiptOf = log.reader.receipts();
    for (const row of page) {
      // The bundle of one outbox row (decision 0028); undefined while no checkpoint covers it yet.
      const b = await buildWireBundle(ports, log.reader, row.record_id, receiptOf, readsPacked.has(peer.id));
      if (!b) return { rows, bundles, waiting: true }; // in order: wait for the checkpoint that covers it
      sizes.push(bundleBytes(b));
      if (batchLength(sizes) < sizes.length) break; // full: the rest goes in the next batch
      rows.push(row);
      bundles.push(b);
    }
    return { rows, bundles, waiting: false };
  }

  /** Send one batch and settle what the peer acknowledged; answers how many rows were settled. */
  async function send(
    peer: FedPeerRow,
    { rows, bundles }: Batch,
  ): Promise<{ settled: number; all: boolean }> {
    const now = ports.clock.now();
    const first = rows[0] as FedOutboxRow;
    let reply: Reply;
    try {
      reply = await post(ports, nodeKey, peer, bundles);
    } catch (err) {
      const next = new Date(now.getTime() + backoffMs(first.attempts, Math.random()));
      await repo.markRetry(
        peer.id,
        rows.map((r) => r.log_index),
        next.toISOString(),
        failureOf(err),
      );
      return { settled: 0, all: false };
    }
    probes.delete(peer.id); // it answered: probing starts afresh at the next outage
    if (reply.batch !== undefined) readsPacked.add(peer.id);
    if (reply.takes !== undefined) takes.set(peer.id, reply.takes);
    // The acknowledged rows are settled in one transaction (one commit for the batch, not one
    // per row); from the first row without a good acknowledgement on, the batch is retried.
    const settle: { row: FedOutboxRow; ack: LedgerAck }[] = [];
    let retry: { from: number; why: string; attempts: number } | undefined;
    const verified = verifiedAcks(peer, reply);
    for (const [i, row] of rows.entries()) {
      const ack = verified[i];
      if (!ack || ack.index !== row.log_index || ack.status === 'retry') {
        const why = !reply.acks[i]
          ? formatDeliveryError('ACK_MISSING', 'no acknowledgement')
          : ack?.status === 'retry' && ack.index === row.log_index
            ? formatDeliveryError(ack.code ?? 'UNAVAILABLE', ack.message ?? '')
            : formatDeliveryError('ACK_INVALID', 'acknowledgement does not verify');
        retry = { from: i, why, attempts: row.attempts };
        break;
      }
      settle.push({ row, ack });
    }
    if (settle.length > 0) {
      const at = ports.clock.now().toISOString();
      await ports.db.kysely.transaction().execute(async (tx) => {
        const delivered: { logIndex: number; ack: string }[] = [];
        for (const { row, ack } of settle) {
          if (ack.status === 'refused')
            await repo.markDead(
              tx,
              row,
              ports.config.logOrigin,
              ack.code ?? 'REFUSED',
              ack.message ?? '',
              at,
            );
          else delivered.push({ logIndex: row.log_index, ack: JSON.stringify(ack) });
        }
        await repo.markDelivered(tx, peer.id, delivered, at);
      });
    }
    if (retry) {
      const next = new Date(now.getTime() + backoffMs(retry.attempts, Math.random()));
      await repo.markRetry(
        peer.id,
        rows.slice(retry.from).map((r) => r.log_index),
        next.toISOString(),
        retry.why,
      );
    }
    // Each delivery is also a moment to witness the peer (decision 0043).
    if (settle.length > 0) onDelivered?.(peer.id);
    return { settled: settle.length, all: retry === undefined };
  }

  /**
   * Batches to one peer, pipelined: while the peer applies one batch, the next is read and built
   * here (the two nodes' work overlaps instead of alternating: catching up after an outage,
   * issue 17). Goes on while every row of each batch is settled, for a part of the lease at most
   * (the pass renews it); answers how many rows were settled (delivered or dead).
   */
  async function deliverTo(peer: FedPeerRow): Promise<number> {
    const started = Date.now();
    const page = await repo.pendingPage(peer.id, batchSize(peer));
    const first = page[0];
    const now = ports.clock.now();
    if (!first) return 0;
    if (Date.parse(first.next_attempt_at) > now.getTime() && !(await resumable(peer, first, now.getTime())))
      return 0;
    let batch = await batchOf(peer, page);
    let settled = 0;
    while (batch.rows.length > 0) {
      const last = (batch.rows[batch.rows.length - 1] as FedOutboxRow).log_index;
      const more = !batch.waiting && !stopped && Date.now() - started < LEASE_MS / 3;
      // Rows after this batch are sent as soon as it is settled, whatever backoff they carry
      // from an earlier attempt: the peer has just answered.
      const next = more
        ? repo.pendingPage(peer.id, batchSize(peer), last).then((p) => batchOf(peer, p))
        : undefined;
      next?.catch(() => undefined); // awaited below only when this batch was settled whole
      const sent = await send(peer, batch);
      settled += sent.settled;
      if (!next || !sent.all) break;
      batch = await next;
    }
    return settled;
  }

  /** One pass over every peer with pending rows, while this server holds the lease. */
  async function deliverOnce(): Promise<number> {
    const now = ports.clock.now();
    const until = new Date(now.getTime() + LEASE_MS).toISOString();
    if (!(await repo.takeLease(LEASE, holder, now.toISOString(), until))) return 0;
    // New arrangements' backlogs first, a bounded slice per pass (decision 0094).
    backlog = (await runBackfills(ports)).pending;
    let settled = 0;
    for (const peer of await repo.peersWithPending()) {
      try {
        settled += await deliverTo(peer);
      } catch (err) {
        ports.logger.error({ err, peer: peer.id }, 'federation delivery failed');
      }
    }
    return settled;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = deliverOnce()
        .catch((err: unknown) => {
          ports.logger.error({ err }, 'federation delivery pass failed');
          return 0;
        })
        .then((n) => {
          running = undefined;
          // Keep going while there is work (catch-up) or a checkpoint came meanwhile; otherwise
          // look again shortly.
          schedule(n > 0 || poked || backlog ? 0 : 200);
          poked = false;
        });
    }, delayMs);
    timer.unref?.();
  }

  return {
    deliverOnce,
    /**
     * A new checkpoint covers records that waited for one: look now rather than at the next
     * 200 ms tick (a big ICR's bundle can be built the moment its checkpoint is signed).
     */
    poke() {
      if (stopped) return;
      if (running) {
        poked = true;
        return;
      }
      if (timer) clearTimeout(timer);
      schedule(0);
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await repo.releaseLease(LEASE, holder);
    },
  };
}
