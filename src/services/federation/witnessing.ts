import { DomainError } from '../../domain/errors.js';
import {
  type Checkpoint,
  detectSplitView,
  encodeBase64,
  formatSplitViewEvidence,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  parseNoteVerifier,
  type SplitViewEvidence,
} from '../../log/index.js';
import type { DbOrTx } from '../../store/db.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import type { FedCheckpointRow, FedPeerRow, FedSplitViewRow } from '../../store/schema.types.js';
import { ensureCaseForAlarm } from '../cases/index.js';
import type { LogNode } from '../log/index.js';
import type { Ports } from '../ports.js';
import { signRequest } from './http-signature.js';
import { Refusal } from './inbox-reading.js';
import type { NodeKey } from './node-key.js';
import { type ExchangeItem, exchangeItems, learnThirdLog, thirdLogProofs, withKeys } from './third-logs.js';
import { firstHashIndex, isPowerOfTwo, type ProofAnswer, peerConsistency } from './witness-proofs.js';

/** The node-to-node checkpoint exchange (RFC 9421 signed, like the inbox). */
export const CHECKPOINTS_PATH = '/api/federation/checkpoints';
/** Logs per exchange page, and pages per peer and round: the exchange stays bounded. */
const EXCHANGE_PAGE = 100;
const EXCHANGE_PAGES = 20;
const LEASE = 'federation-witness';

/** What one observed checkpoint did. */
export type Observation =
  | 'consistent'
  | 'split-view'
  /** Not decided yet (the log could not be reached for a proof): ask again next round. */
  | 'undecided'
  /** Not signed by the log's key: says nothing about the log. */
  | 'unsigned'
  /** A log this node has no key for (no peer named one for it: decision 0054). */
  | 'unknown'
  /** Forwarding from this log is stopped already: an administrator decides first. */
  | 'halted';

interface KnownLog {
  readonly vkey: string;
  readonly peer: FedPeerRow | undefined;
  /** A third log (decision 0054): only what proves a split view offline is recorded. */
  readonly third?: boolean;
  consistency(from: number, to: number): Promise<ProofAnswer>;
}

/**
 * Cross-witnessing (issue 17 item 5, decision 0043): this node witnesses its peers' logs and
 * exchanges with them the checkpoints it has seen of every log. Every checkpoint of a log is
 * checked against the checkpoints of that log seen before (stored, so memory stays bounded):
 * the same size with another root, or a consistency proof from the log itself that leads to its
 * signed root but to another one at the smaller size, is a split view; so is a log that signs a
 * smaller tree than one it signed before and cannot prove the two consistent. A split view is
 * stored with its evidence, raises LOG_SPLIT_VIEW, opens one case per state concerned, and stops
 * forwarding from and to that log until an administrator decides.
 */
// long: observing, recording a split view and the rounds share the repository, the log and the lease
export function createCrossWitness(ports: Ports, log: LogNode, nodeKey: NodeKey) {
  const repo = createFederationRepo(ports.db);
  const holder = Buffer.from(ports.random.bytes(8)).toString('hex');
  const due = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let nudgeTimer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function knownLog(origin: string, offered?: ExchangeItem, via = ''): Promise<KnownLog | undefined> {
    if (origin === ports.config.logOrigin)
      return {
        vkey: log.keys.vkey,
        peer: undefined,
        async consistency(from, to) {
          try {
            const proof = await log.reader.consistencyProof(from, to);
            if (!isPowerOfTwo(from)) return { proof };
            const path = await log.reader.inclusionProof(from, to);
            const first = path[firstHashIndex(from, to)];
            return first ? { proof, firstHash: first } : { proof };
          } catch {
            // A size this node's own log never reached: it cannot prove it, and never signed it.
            return 'refused';
          }
        },
      };
    const peers = (await repo.listPeers()).filter((p) => p.origin === origin);
    const peer = peers.find((p) => p.status === 'active');
    if (peer) return { vkey: peer.log_key, peer, consistency: (from, to) => peerConsistency(peer, from, to) };
    // A revoked peer's log is not learned again from another peer's word.
    if (peers.length > 0) return undefined;
    // A third log: its key as pinned, or as the peer's exchange names it now (decision 0054).
    const third = offered ? await learnThirdLog(ports, repo, offered, via) : await repo.thirdLog(origin);
    if (!third) return undefined;
    return { vkey: third.log_key, peer: undefined, third: true, consistency: thirdLogProofs(ports, third) };
  }

  /** This node's own latest checkpoint, as the other logs' stored ones. */
  async function ownHead(): Promise<{ size: number; root: string; note: string } | undefined> {
    const c = await log.reader.checkpoint();
    if (!c) return undefined;
    const cp = openCheckpoint(c.note, parseNoteVerifier(log.keys.vkey)).checkpoint;
    return { size: cp.size, root: encodeBase64(cp.rootHash), note: c.note };
  }

  /** The row of a checkpoint this node has found consistent, with its own cosignature (C2SP). */
  function checkpointRow(origin: string, note: string, cp: Checkpoint, via: string): FedCheckpointRow {
    const at = ports.clock.now();
    const body = parseNote(note).text;
    return {
      origin,
      size: cp.size,
      root: encodeBase64(cp.rootHash),
      note,
      cosignature: log.keys.cosigner.cosignLine(body, Math.floor(at.getTime() / 1000)),
      via,
      seen_at: at.toISOString(),
      retired_at: null,
    };
  }

  /** States whose records flow with this log: those the split view's alarm and cases are about. */
  async function statesOf(sv: FedSplitViewRow): Promise<string[]> {
    if (sv.peer_id !== null) return repo.statesOfPeer(sv.peer_id);
    // This node's own log: every state it exchanges records about with any peer.
    const all = new Set<string>();
    for (const p of await repo.listPeers()) for (const s of await repo.statesOfPeer(p.id)) all.add(s);
    return [...all].sort();
  }

  /** One case per state concerned (idempotent: the case key names the split view). */
  async function openCases(sv: FedSplitViewRow): Promise<number> {
    let opened = 0;
    for (const state of await statesOf(sv)) {
      try {
        const created = await ensureCaseForAlarm(
          ports,
          { source: 'split-view', state, origin: sv.origin, splitView: sv.id },
          { note: `${sv.reason}\nEvidence: GET /api/federation/split-views/${sv.id}/evidence` },
        );
        if (created) opened++;
      } catch (err) {
        ports.logger.warn(
          { err: (err as Error).message, splitView: sv.id, state },
          'no case for a split view',
        );
      }
    }
    return opened;
  }

  /**
   * Record a split view of `origin` (once: while one is open, the log is halted and nothing new is
   * compared), then open its cases. Answers the open split view.
   */
  /**
   * The inbox's refusal of a bundle whose checkpoint does not advance the source's: with evidence
   * of a split view, recorded (alarm, cases) and waiting (retry, never a dead letter) for the
   * administrator's decision; otherwise LOG_INCONSISTENT as it is.
   */
  async function checkpointRefusal(
    peer: FedPeerRow,
    source: string,
    r: { kind?: string; evidence?: SplitViewEvidence; reason?: string; message?: string },
  ): Promise<Refusal> {
    if (!r.evidence) return new Refusal('LOG_INCONSISTENT', `the source's checkpoint: ${r.kind}`);
    const reason = r.reason ?? r.message ?? 'split view';
    const sv = await recordSplitView(source, r.evidence, { reason, proven: true, via: `bundle:${peer.id}` });
    return new Refusal('LOG_INCONSISTENT', `split view ${sv.id} of ${source}: ${reason}`, true);
  }

  /** A source's latest checkpoint (verified by the inbox), kept and cosigned with the others seen of it. */
  async function keepCheckpoint(tx: DbOrTx, peer: FedPeerRow, note: string): Promise<void> {
    await repo.setSeenCheckpoint(tx, peer.origin, note);
    const cp = parseCheckpoint(parseNote(note).text);
    await repo.insertCheckpoint(tx, checkpointRow(peer.origin, note, cp, `bundle:${peer.id}`));
  }

  async function recordSplitView(
    origin: string,
    evidence: SplitViewEvidence,
    found: { reason: string; proven: boolean; via: string; cause?: FedSplitViewRow['cause'] },
  ): Promise<FedSplitViewRow> {
    const known = await knownLog(origin);
    const sizes = evidence.checkpoints.map((n) => parseCheckpoint(parseNote(n).text).size);
    const at = ports.clock.now().toISOString();
    const row: FedSplitViewRow = {
      id: Buffer.from(ports.random.bytes(8)).toString('hex'),
      origin,
      peer_id: known?.peer?.id ?? null,
      evidence: formatSplitViewEvidence({ ...evidence, ...(known ? { logKey: known.vkey } : {}) }),
      proven: found.proven ? 1 : 0,
      cause: found.cause ?? (sizes[0] === sizes[1] ? 'same-size' : 'other-history'),
      reason: found.reason,
      via: found.via,
      detected_at: at,
      status: 'open',
      decided_at: null,
      decided_by: null,
      note: null,
    };
    const stored = await ports.db.kysely.transaction().execute(async (tx) => {
      const open = await repo.openSplitView(origin, tx);
      if (open && (Number(open.proven) === 1 || !found.proven)) return open;
      if (open) {
        // Proof now where there was none: the open split view keeps its id (and cases).
        const upgraded = {
          ...open,
          evidence: row.evidence,
          proven: 1,
          cause: row.cause,
          reason: row.reason,
          via: row.via,
        };
        await repo.upgradeSplitView(tx, upgraded);
        return upgraded;
      }
      await repo.insertSplitView(tx, row);
      return row;
    });
    if (stored === row)
      ports.logger.error(
        { origin, splitView: row.id, reason: row.reason, via: row.via },
        'split view: forwarding from and to this log is stopped until an administrator decides',
      );
    await openCases(stored);
    return stored;
  }

  /**
   * Check one signed checkpoint of `origin` against every checkpoint of that log seen before, and
   * keep (and cosign) it when consistent. `via` says where it came from.
   */
  async function observe(
    origin: string,
    note: string,
    via: string,
    offered?: ExchangeItem,
  ): Promise<Observation> {
    const known = await knownLog(origin, offered, via);
    if (!known) return 'unknown';
    // A split view proven already halts the log; one the log could not (yet) be proven of is
    // still compared, so that better evidence replaces it.
    if (Number((await repo.openSplitView(origin))?.proven ?? 0) === 1) return 'halted';
    const verifier = parseNoteVerifier(known.vkey);
    let cp: Checkpoint;
    try {
      cp = openCheckpoint(note, verifier).checkpoint;
    } catch {
      return 'unsigned';
    }
    const root = encodeBase64(cp.rootHash);
    const own = origin === ports.config.logOrigin;
    // This node's own log is compared with what it signed itself (and never stored twice).
    const mine = own ? await ownHead() : undefined;
    const same = own
      ? mine && mine.size === cp.size
        ? [mine]
        : []
      : await repo.checkpointsOfSize(origin, cp.size);
    const other = same.find((r) => r.root !== root);
    if (other) {
      const v = detectSplitView(other.note, note, verifier);
      if (v.kind !== 'equivocation') return 'undecided';
      await recordSplitView(origin, v.evidence, { reason: v.reason, proven: true, via });
      return 'split-view';
    }
    if (same.length > 0) return 'consistent';
    const head = own ? mine : await repo.latestCheckpoint(origin);
    // This node's tree may be ahead of the last checkpoint it signed (one is due every
    // CUSTOS_CHECKPOINT_MS). A larger checkpoint of its own log waits until it has signed one of
    // that size or more: a proof of its tree up to that size says nothing against its own signed
    // root, and taken as "the log's own proof fails" it would be evidence that proves nothing.
    if (own && head && cp.size > head.size) return 'undecided';
    // Consistency is transitive along one append-only tree: every stored checkpoint of the log is
    // consistent with the largest, so checking against the largest checks against all of them.
    if (head && head.size > 0 && cp.size > 0) {
      const [from, to] = head.size < cp.size ? [head.size, cp.size] : [cp.size, head.size];
      const answer = await known.consistency(from, to);
      if (answer === undefined) return 'undecided';
      if (answer === 'refused') {
        // A third log's URL is a peer's word: a refusal there proves nothing against the log.
        if (cp.size > head.size || known.third) return 'undecided';
        // The log signed this smaller tree after the larger one and cannot prove them consistent.
        await recordSplitView(
          origin,
          { origin, checkpoints: [note, head.note] },
          {
            reason: `the log signed size ${cp.size} after size ${head.size} and cannot prove them consistent`,
            proven: false,
            cause: 'no-proof',
            via,
          },
        );
        return 'split-view';
      }
      const v = detectSplitView(head.note, note, verifier, answer);
      if (v.kind === 'equivocation') {
        await recordSplitView(origin, v.evidence, { reason: v.reason, proven: true, via });
        return 'split-view';
      }
      if (v.kind === 'undecided') {
        if (known.third) return 'undecided';
        // A proof from the log itself that does not verify: a proof that fails.
        await recordSplitView(
          origin,
          {
            origin,
            checkpoints: from === head.size ? [head.note, note] : [note, head.note],
            proof: answer.proof,
            ...(answer.firstHash ? { firstHash: answer.firstHash } : {}),
          },
          {
            reason: `the log's own consistency proof fails: ${v.reason}`,
            proven: false,
            via,
            cause: 'bad-proof',
          },
        );
        return 'split-view';
      }
      if (v.kind !== 'consistent') return 'unsigned';
    }
    if (own) return 'consistent';
    await repo.insertCheckpoint(ports.db.kysely, checkpointRow(origin, note, cp, via));
    return 'consistent';
  }

  /** The exchange's answer: the latest checkpoint of every log this node knows, one page by origin. */
  async function exchangePage(after: string, limit: number) {
    const own = await log.reader.checkpoint();
    const items: { origin: string; note: string }[] = [];
    if (own && ports.config.logOrigin > after) items.push({ origin: ports.config.logOrigin, note: own.note });
    for (const r of await repo.headsPage(after, limit)) {
      if (r.origin === ports.config.logOrigin) continue;
      items.push({ origin: r.origin, note: r.cosignature ? `${r.note}${r.cosignature}` : r.note });
    }
    items.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
    const page = items.slice(0, limit);
    // Each with the log's key and URL, so that a peer can check a log it does not know (decision 0054).
    return {
      checkpoints: await withKeys(repo, { origin: ports.config.logOrigin, vkey: log.keys.vkey }, page),
      next: page.length === limit ? (page.at(-1)?.origin ?? null) : null,
    };
  }

  /** POST the signed exchange request to a peer; its page of checkpoints. */
  async function askPeer(peer: FedPeerRow, after: string) {
    const url = `${peer.url}${CHECKPOINTS_PATH}`;
    const body = new TextEncoder().encode(JSON.stringify({ after, limit: EXCHANGE_PAGE }));
    const nonce = encodeBase64(ports.random.bytes(18));
    const headers = await signRequest(nodeKey, { method: 'POST', url, body }, ports.clock.now(), nonce);
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${peer.url} answered ${res.status}: ${text.slice(0, 300)}`);
    const reply = JSON.parse(text) as { checkpoints?: unknown; next?: unknown };
    return {
      items: exchangeItems(reply.checkpoints, EXCHANGE_PAGE),
      next: typeof reply.next === 'string' && reply.next > after ? reply.next : null,
    };
  }

  /** Witness one peer: its latest checkpoint from its log, then what it has seen of every log. */
  async function witnessPeer(peer: FedPeerRow): Promise<Observation[]> {
    const seen: Observation[] = [];
    try {
      const res = await fetch(`${peer.url}/log/checkpoint`, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) seen.push(await observe(peer.origin, await res.text(), 'log'));
    } catch (err) {
      ports.logger.warn({ peer: peer.id, err: (err as Error).message }, 'peer log unreachable');
    }
    try {
      let after = '';
      for (let i = 0; i < EXCHANGE_PAGES; i++) {
        const page = await askPeer(peer, after);
        for (const c of page.items) seen.push(await observe(c.origin, c.note, `exchange:${peer.id}`, c));
        if (page.next === null) break;
        after = page.next;
      }
    } catch (err) {
      ports.logger.warn({ peer: peer.id, err: (err as Error).message }, 'checkpoint exchange failed');
    }
    return seen;
  }

  /** One round over the active peers (all, or those nudged), while this server holds the lease. */
  async function witnessOnce(only?: ReadonlySet<string>): Promise<Observation[]> {
    const now = ports.clock.now();
    const until = new Date(now.getTime() + 60_000).toISOString();
    if (!(await repo.takeLease(LEASE, holder, now.toISOString(), until))) return [];
    const out: Observation[] = [];
    for (const peer of await repo.listPeers()) {
      if (peer.status !== 'active' || (only && !only.has(peer.id))) continue;
      out.push(...(await witnessPeer(peer)));
    }
    // Cases of split views recorded before a crash, or before the state's arrangement existed.
    for (const sv of await repo.splitViewPage(100, 0)) if (sv.status === 'open') await openCases(sv);
    return out;
  }

  function run(only?: ReadonlySet<string>) {
    const pass = witnessOnce(only).catch((err: unknown) => {
      ports.logger.error({ err }, 'cross-witnessing failed');
      return [];
    });
    running = pass.finally(() => {
      running = undefined;
    });
    return pass;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      void (running ?? run()).then(() => schedule(ports.config.federationWitnessMs));
    }, delayMs);
    timer.unref?.();
  }

  return {
    observe,
    recordSplitView,
    checkpointRefusal,
    keepCheckpoint,
    exchangePage,
    witnessOnce,
    /** After a delivery to (or from) a peer: witness it soon, coalescing many deliveries into one round. */
    nudge(peerId: string) {
      if (stopped) return;
      due.add(peerId);
      if (nudgeTimer) return;
      nudgeTimer = setTimeout(() => {
        nudgeTimer = undefined;
        const only = new Set(due);
        due.clear();
        void (running ?? run(only));
      }, 200);
      nudgeTimer.unref?.();
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (nudgeTimer) clearTimeout(nudgeTimer);
      await running;
      await repo.releaseLease(LEASE, holder);
    },
  };
}

export type CrossWitness = ReturnType<typeof createCrossWitness>;

/** The split view that stops forwarding from or to `origin`, as a refusal (LOG_INCONSISTENT). */
export async function assertNotHalted(
  q: DbOrTx,
  repo: ReturnType<typeof createFederationRepo>,
  origin: string,
) {
  const open = await repo.openSplitView(origin, q);
  if (open)
    throw new DomainError(
      'LOG_INCONSISTENT',
      `forwarding from ${origin} is stopped: split view ${open.id} (${open.reason}) awaits an administrator's decision`,
    );
}
