import { DomainError } from '../../domain/errors.js';
import {
  type Ack,
  type AckBatch,
  type BundleRecord,
  type SignedAck,
  type StateKeyLookup,
  signAckBatch,
  signerOrganisation,
  verifyBundle,
} from '../../domain/federation/index.js';
import { isKeyValidAt } from '../../domain/registry/index.js';
import { advanceCheckpoint, canonicalizeRecord, decodeBase64, encodeBase64 } from '../../log/index.js';
import { memoiseMbaFacts } from '../../store/accounting.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { FedInboxRow, FedPeerRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { appendRecord, appendRecords, type NewRecord } from '../records.js';
import { type ArrangementScope, scopeCovers } from './arrangements.js';
import {
  asRefusal,
  checkpointSize,
  claimed,
  consistencyFor,
  contentOf,
  isObject,
  keptContent,
  peek,
  Refusal,
} from './inbox-reading.js';
import { createInboxStore, prepareReport, type RunSink as Sink } from './inbox-store.js';
import type { NodeKey } from './node-key.js';
import { unpackOriginal } from './packed-original.js';
import type { CrossWitness } from './witnessing.js';

type Scopes = readonly ArrangementScope[];
/** Where a verified bundle goes: this node's `received` index and time, and a run's sink if any. */
type Logged = { at: string; index: number; sink?: Sink };

/**
 * At most this many bundles per inbox request (backpressure: the sender pages its outbox). A
 * batched answer says so (`takes`), and a sender sends more than INBOX_BATCH_BEFORE only to a
 * peer that said it takes them (decision 0080).
 */
export const INBOX_BATCH = 1000;

/** What every node takes per request: the limit before decision 0080, and a sender's first batch. */
export const INBOX_BATCH_BEFORE = 200;

export type { Ack, AckBatch, SignedAck } from '../../domain/federation/index.js';

export function signAck(key: NodeKey, ack: Ack): SignedAck {
  return { ...ack, signature: encodeBase64(key.sign(canonicalizeRecord(ack))) };
}

/**
 * A batch's answer: one signature per acknowledgement (what senders before decision 0070 ask
 * for), or the acknowledgements unsigned and one signature over their Merkle root. A sender that
 * asks for the latter is told how many bundles this node takes per request (decision 0080).
 */
export type Answer = { acks: SignedAck[]; takes?: number } | { acks: Ack[]; batch: AckBatch; takes: number };

/**
 * The inbox (issue 17 items 3 and 6): applies a peer's bundles in order, each in one transaction,
 * idempotently (unique (source, index): a redelivery changes nothing and is acknowledged as
 * before). Each is verified with the pure verifier (decision 0028) against the source's log key,
 * the state's key as this node knows it, and the latest checkpoint of the source seen here.
 */
// long: the receiver's steps (arrangement, key lookup, consistency, storing each kind) share its repositories; to split by kind next
export function createInbox(ports: Ports, nodeKey: NodeKey, witness: CrossWitness) {
  const repo = createFederationRepo(ports.db);
  const registry = createRegistryRepo(ports.db);
  const stored = createInboxStore(ports);

  async function stateOfOrganisation(id: unknown): Promise<string | undefined> {
    if (typeof id !== 'string') return undefined;
    return (await registry.getOrganisation(id))?.state ?? undefined;
  }

  /** A state's key and the state of its organisation, as stored here now. */
  async function keyOf(keyId: string) {
    const key = await registry.getSigningKey(keyId);
    return { key, keyState: key ? await stateOfOrganisation(key.organisation) : undefined };
  }
  type KnownKey = Awaited<ReturnType<typeof keyOf>>;

  /**
   * The state's key by id, as `verifyBundle` asks for it (synchronously): fetched before. `keys`
   * keeps them for one batch, whose reports are mostly signed with the same few keys (a batch
   * stores no key before the reports it verifies: it ends at a key registration).
   */
  async function keyLookup(b: unknown, keys?: Map<string, KnownKey>) {
    const keyId = contentOf(b).keyId;
    let known: KnownKey | undefined;
    if (typeof keyId === 'string') {
      known = keys?.get(keyId) ?? (await keyOf(keyId));
      keys?.set(keyId, known);
    }
    const key = known?.key;
    const keyState = known?.keyState;
    return (state: string, id: string, time: string, record: BundleRecord): StateKeyLookup => {
      if (!key || key.id !== id) return undefined;
      // A statement by its inspectorate (key forwarded or registered here), a report by its state.
      if (
        record.kind === 'inspection-statement'
          ? key.organisation !== signerOrganisation(record)
          : keyState !== state
      )
        return undefined;
      if (!isKeyValidAt(key, time))
        return { refused: 'KEY_NOT_VALID', message: `key ${id} was not valid at ${time}` };
      return { publicKey: key.publicKey };
    };
  }

  /**
   * The state a record is about and the arrangement kinds that cover it (decision 0044): a report
   * by `report`, a notice also by `transfer-notice`; a statement names its state; a case transition
   * after the opening names none, so it is the state of the opening this node received before.
   */
  async function scopeOf(kind: string, content: Record<string, unknown>) {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    switch (kind) {
      case 'report': {
        const notice = content.type === 'EXPORT_NOTICE' || content.type === 'IMPORT_NOTICE';
        return { state: str(content.state), kinds: notice ? ['report', 'transfer-notice'] : ['report'] };
      }
      case 'key-registration':
        return { state: await stateOfOrganisation(content.organisation), kinds: [kind] };
      case 'inspection-statement': {
        const s = isObject(content.statement) ? content.statement : {};
        return { state: str(s.state), kinds: [kind], org: str(s.inspectorate) };
      }
      case 'case-transition':
      case 'case-message': {
        // A message is part of its case (decision 0054): the state of the opening received before.
        const opened = isObject(content.opened) ? content.opened : undefined;
        if (opened)
          return { state: str(opened.state), kinds: ['case-transition'], org: str(opened.inspectorate) };
        const first = await repo.inboxByRecord(`case-transition:${String(content.case)}:0`);
        return { state: first?.state, kinds: ['case-transition'] };
      }
      default:
        throw new Refusal('NOT_ARRANGED', `this node does not take records of kind ${kind}`);
    }
  }

  /** Kind and state of the record when an arrangement to receive covers it (`scopes`: a batch's); NOT_ARRANGED otherwise. */
  async function arranged(peer: FedPeerRow, kind: string, raw: unknown, time: string, scopes?: Scopes) {
    const content = isObject(raw) ? raw : {};
    const scope = await scopeOf(kind, content);
    if (scope.state === undefined)
      throw new Refusal('UNKNOWN_REFERENCE', `the ${kind} names no state this node knows`);
    const rows = scopes ?? (await repo.scopes(ports.db.kysely, peer.id, 'receive'));
    if (!scopeCovers(rows, { state: scope.state, kinds: scope.kinds, at: time }))
      throw new Refusal(
        'NOT_ARRANGED',
        `no arrangement with peer ${peer.id} receives ${kind} of ${scope.state} logged at ${time}`,
      );
    return { kind, state: scope.state, content, org: scope.org };
  }

  /** The inbox entry of (source, index) if one was committed; undefined when unreadable too. */
  const storedMeanwhile = (source: string, index: number) =>
    repo.inboxEntry(source, index).catch(() => undefined);

  /**
   * Everything about one new bundle short of storing it: already applied or refused before (an
   * answer), else the arrangement, the proofs against `seen` (the latest checkpoint of the source
   * seen here) and the state's key, or a Refusal. Reads only.
   */
  async function prepare(
    peer: FedPeerRow,
    bundle: unknown,
    where: { source: string; index: number },
    seen: string | undefined,
    batch?: { keys: Map<string, KnownKey>; unseen: boolean; scopes: Scopes },
  ) {
    const keys = batch?.keys;
    // A batch none of whose indices was applied or refused before needs no look per bundle.
    const done = batch?.unseen ? undefined : await repo.inboxEntry(where.source, where.index);
    if (done)
      return {
        answer: {
          status: 'duplicate',
          leafHash: done.leaf_hash,
          receivedIndex: done.received_index,
        } as const,
      };
    const before = batch?.unseen ? undefined : await repo.inboundRefusal(peer.id, where.source, where.index);
    if (before) return { answer: { status: 'refused', code: before.code, message: before.reason } as const };
    // 1. The arrangement, before any proof is checked (federation.md "Receiver's checks").
    const peeked = peek(bundle);
    const early = peeked && (await arranged(peer, peeked.kind, peeked.content, peeked.time, batch?.scopes));
    // A packed original (decision 0071) is unpacked on the pool while the proof is fetched.
    const [consistency, { bundle: held, packed }] = await Promise.all([
      consistencyFor(peer.url, seen, checkpointSize(bundle)),
      unpackOriginal(bundle, ports.config.bodyLimitBytes),
    ]);
    const v = verifyBundle(held, {
      sourceLogKey: peer.log_key,
      stateKeyAt: await keyLookup(bundle, keys),
      seenCheckpoints: seen === undefined ? [] : [seen],
      consistencyProof: (from, to) =>
        consistency && consistency.from === from && consistency.to === to ? consistency.hashes : undefined,
    });
    if (!v.ok && v.evidence) throw await witness.checkpointRefusal(peer, where.source, v);
    if (!v.ok)
      throw new Refusal(
        v.errorCode === 'LOG_PROOF_INVALID' ? v.code : v.errorCode,
        v.message,
        v.code === 'CONSISTENCY_UNPROVEN',
      );
    // What was peeked is what verified (the same kind, content and leaf time): no second look.
    const same =
      early &&
      peeked.kind === v.record.kind &&
      peeked.content === v.record.content &&
      peeked.time === v.leaf.time;
    const { kind, state, content, org } = same
      ? early
      : await arranged(peer, v.record.kind, v.record.content, v.leaf.time, batch?.scopes);
    // Mostly the checkpoint seen already (decision 0053), which verifyBundle opened and found
    // consistent: advancing to it again opened and compared it twice more (decision 0068).
    const advanced =
      v.checkpointNote === seen
        ? { kind: 'consistent' as const, latest: seen }
        : advanceCheckpoint(seen, v.checkpointNote, peer.log_key, consistency?.hashes);
    if (advanced.kind !== 'consistent') throw await witness.checkpointRefusal(peer, where.source, advanced);
    const organisation = org ?? (typeof content.organisation === 'string' ? content.organisation : '');
    // A report is parsed and checked now, outside the storing transaction (decision 0057).
    const report = kind === 'report' ? prepareReport(v.record, v.original, packed) : undefined;
    return { verified: { v, kind, state, organisation, latest: advanced.latest, bundle, report } };
  }
  type Verified = NonNullable<Awaited<ReturnType<typeof prepare>>['verified']>;

  /** This node's own `received` record of a verified bundle (decision 0028). */
  function receivedRecord(peer: FedPeerRow, p: Verified, at: string): NewRecord {
    return {
      kind: 'received',
      id: p.v.record.id,
      content: p.v.received,
      subjectState: p.state,
      subjectOrg: p.organisation || null,
      at,
      by: `peer:${peer.id}`,
    };
  }

  /** One verified bundle, logged at `index`, stored in `tx`; its inbox row and body wait in `sink` if given. */
  async function storeContent(tx: DbOrTx, peer: FedPeerRow, p: Verified, { at, index, sink }: Logged) {
    const { v, kind, state, bundle } = p;
    const by = `peer:${peer.id}`;
    if (p.report) await stored.storeReport(tx, p.report, index, sink?.bodies);
    else if (kind === 'key-registration') await stored.storeKey(tx, v.record, at, by);
    const kept = keptContent(kind, v.record.content);
    if (kind !== 'report' && kind !== 'key-registration' && kept === null)
      throw new Refusal('NOT_ARRANGED', `this node does not take records of kind ${kind}`);
    const row: FedInboxRow = {
      source: v.source,
      idx: v.index,
      peer_id: peer.id,
      record_id: v.record.id,
      kind,
      state,
      leaf: decodeBase64((bundle as { leaf: string }).leaf),
      leaf_hash: v.leafHash,
      salt: decodeBase64(v.record.salt),
      proof: (bundle as { proof: string }).proof,
      received_index: index,
      received_at: at,
      content: kept,
    };
    if (sink) sink.inbox.push(row);
    else await repo.insertInbox(tx, row);
  }

  /** Store and log one verified bundle in the caller's transaction; answers its received index. */
  async function store(tx: DbOrTx, peer: FedPeerRow, p: Verified, at: string): Promise<number> {
    const index = await appendRecord(tx, ports, receivedRecord(peer, p, at));
    await storeContent(tx, peer, p, { at, index });
    return index;
  }

  /** One bundle: check the arrangement, verify, store and log it, all or nothing. */
  async function receiveOne(peer: FedPeerRow, bundle: unknown): Promise<Ack> {
    const at = ports.clock.now().toISOString();
    const where = claimed(bundle);
    const base = {
      receiver: ports.config.logOrigin,
      source: where?.source ?? '',
      index: where?.index ?? -1,
      at,
    };
    try {
      if (!where) throw new Refusal('LOG_MALFORMED', 'the bundle names no source and index');
      if (where.source !== peer.origin)
        throw new Refusal(
          'NOT_ARRANGED',
          `peer ${peer.id} forwards its own log (${peer.origin}), not ${where.source}`,
        );
      const p = await prepare(peer, bundle, where, await repo.seenCheckpoint(where.source));
      if (p.answer) return { ...base, ...p.answer };
      const receivedIndex = await ports.db.kysely.transaction().execute(async (tx) => {
        const index = await store(tx, peer, p.verified, at);
        await witness.keepCheckpoint(tx, peer, p.verified.latest);
        return index;
      });
      return { ...base, status: 'applied', leafHash: p.verified.v.leafHash, receivedIndex };
    } catch (err) {
      // The same bundle in another request at once (the sender retried after a timeout while the
      // first request was still being applied) stored it in between: this attempt then ran into
      // the unique (source, index) or record id. It is a duplicate, acknowledged as such; a
      // refusal here would dead-letter a record this node holds (found by the federation
      // reliability work, issue 17).
      const stored = where ? await storedMeanwhile(where.source, where.index) : undefined;
      if (stored)
        return {
          ...base,
          status: 'duplicate',
          leafHash: stored.leaf_hash,
          receivedIndex: stored.received_index,
        };
      const refusal = asRefusal(err);
      if (refusal.retry || !where)
        return {
          ...base,
          status: refusal.retry ? 'retry' : 'refused',
          code: refusal.code,
          message: refusal.message,
        };
      await repo.insertDeadLetter(ports.db.kysely, {
        direction: 'inbound',
        peer_id: peer.id,
        source: where.source,
        idx: where.index,
        record_id: String((isObject(bundle) && isObject(bundle.record) && bundle.record.id) || ''),
        code: refusal.code,
        reason: refusal.message,
        at,
      });
      return { ...base, status: 'refused', code: refusal.code, message: refusal.message };
    }
  }

  /**
   * The leading bundles of a batch that verify, applied in ONE transaction: one commit (one fsync)
   * for the batch instead of one per bundle, which is what catching up after an outage is made of
   * (issue 17: ≥ 1 000 reports/s). Each is verified against the checkpoint the one before it
   * advanced to, as if applied one by one. The prefix ends at the first bundle that does not
   * verify, was refused before, or needs what the prefix itself stores (a key registration's key):
   * that one and the rest take the one-by-one path, which records refusals as before. Answers the
   * acknowledgements of the prefix; none when the transaction fails (then nothing was stored and
   * the one-by-one path takes the rest of the batch).
   */
  async function receivePrefix(
    peer: FedPeerRow,
    bundles: readonly unknown[],
  ): Promise<{ acks: Ack[]; failed: boolean }> {
    const at = ports.clock.now().toISOString();
    let seen = await repo.seenCheckpoint(peer.origin);
    const steps: ({ answer: Omit<Ack, 'receiver' | 'source' | 'index' | 'at'> } | { verified: Verified })[] =
      [];
    const wheres: { source: string; index: number }[] = [];
    const claims = bundles.map(claimed).filter((w) => w?.source === peer.origin) as { index: number }[];
    const batch = {
      keys: new Map<string, KnownKey>(),
      scopes: await repo.scopes(ports.db.kysely, peer.id, 'receive'), // once a batch (decision 0068)
      unseen:
        claims.length > 0 &&
        !(await repo.inboundSeen(
          peer.id,
          peer.origin,
          Math.min(...claims.map((w) => w.index)),
          Math.max(...claims.map((w) => w.index)),
        )),
    };
    for (const b of bundles) {
      const where = claimed(b);
      if (!where || where.source !== peer.origin) break;
      let p: Awaited<ReturnType<typeof prepare>>;
      try {
        p = await prepare(peer, b, where, seen, batch);
      } catch {
        break;
      }
      if (p.answer?.status === 'refused') break;
      if (p.answer) steps.push({ answer: p.answer });
      else {
        steps.push({ verified: p.verified });
        seen = p.verified.latest;
        // A key this bundle registers is what the next ones may be signed with: stop here.
        if (p.verified.kind !== 'report') {
          wheres.push(where);
          break;
        }
      }
      wheres.push(where);
    }
    const ackOf = (i: number, index?: number): Ack => {
      const s = steps[i];
      const base = {
        receiver: ports.config.logOrigin,
        ...(wheres[i] as { source: string; index: number }),
        at,
      };
      if (!s || 'answer' in s) return { ...base, ...s?.answer } as Ack;
      return { ...base, status: 'applied', leafHash: s.verified.v.leafHash, receivedIndex: index as number };
    };
    const fresh = steps.filter((s) => 'verified' in s).length;
    // Only duplicates: reads alone. One new bundle is stored here too: the one-by-one path
    // verified and parsed it again (a 100 000-line ICR's body twice, decision 0071).
    if (fresh === 0) return { acks: steps.map((_, i) => ackOf(i)), failed: false };
    let indexes: (number | undefined)[];
    try {
      indexes = await ports.db.kysely.transaction().execute(async (tx) => {
        // A run stores reports and this node's `received` records, never the registry: each
        // MBA's facts are read once for the run, not twice per report (decision 0070).
        memoiseMbaFacts(tx);
        // This node's `received` records of the run in one append (one sequencing, one outbox
        // join), in the run's order; then each record's content.
        const verified = steps.flatMap((s) => ('verified' in s ? [s.verified] : []));
        const logged = await appendRecords(
          tx,
          ports,
          verified.map((v) => receivedRecord(peer, v, at)),
        );
        const out: (number | undefined)[] = [];
        const sink: Sink = { inbox: [], bodies: [] };
        let k = 0;
        for (const s of steps) {
          if (!('verified' in s)) {
            out.push(undefined);
            continue;
          }
          const index = logged[k++] as number;
          await storeContent(tx, peer, s.verified, { at, index, sink });
          out.push(index);
        }
        await stored.insertBodies(tx, sink.bodies);
        await repo.insertInbox(tx, sink.inbox);
        if (seen !== undefined) await witness.keepCheckpoint(tx, peer, seen);
        return out;
      });
    } catch {
      return { acks: [], failed: true };
    }
    const acks = steps.map((_, i) => ackOf(i, indexes[i]));
    return { acks, failed: false };
  }

  return {
    /**
     * Apply a batch in order; stops at the first bundle that must be retried (order per source).
     * `batched`: the sender asked for one signature over the batch's acknowledgements (decision
     * 0070); otherwise each is signed alone.
     */
    async receive(peer: FedPeerRow, bundles: readonly unknown[], batched = false): Promise<Answer> {
      if (bundles.length > INBOX_BATCH)
        throw new DomainError('BAD_REQUEST', `at most ${INBOX_BATCH} bundles per request`);
      const acks: Ack[] = [];
      // Verified runs in one transaction each; a bundle that ends a run goes alone, then the next
      // run. After a failed run transaction the rest goes one by one (no retrying the run).
      let runs = true;
      while (acks.length < bundles.length) {
        if (runs) {
          const run = await receivePrefix(peer, bundles.slice(acks.length));
          acks.push(...run.acks);
          runs = !run.failed;
          if (run.acks.length > 0) continue;
        }
        const ack = await receiveOne(peer, bundles[acks.length]);
        acks.push(ack);
        if (ack.status === 'retry') break;
      }
      if (!batched) return { acks: acks.map((a) => signAck(nodeKey, a)) };
      if (acks.length === 0) return { acks: [] as SignedAck[], takes: INBOX_BATCH };
      return { acks, batch: signAckBatch(ports.config.logOrigin, acks, nodeKey.sign), takes: INBOX_BATCH };
    },
  };
}
