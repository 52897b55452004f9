import { DomainError, type ErrorCode, isDomainError } from '../../domain/errors.js';
import { type BundleRecord, type StateKeyLookup, verifyBundle } from '../../domain/federation/index.js';
import { isKeyValidAt, type SigningKey } from '../../domain/registry/index.js';
import { parseReportCsv, parseReportJson } from '../../domain/reports/index.js';
import {
  advanceCheckpoint,
  bytesEqual,
  canonicalizeRecord,
  decodeBase64,
  encodeBase64,
  parseCheckpoint,
  parseLeaf,
  parseNote,
  parseProof,
} from '../../log/index.js';
import { packBody } from '../../store/body-codec.js';
import type { DbOrTx } from '../../store/db.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { createReportAccountRepo } from '../../store/report-account.repo.js';
import { createReportsRepo } from '../../store/reports.repo.js';
import type { FedPeerRow, ReportRow } from '../../store/schema.types.js';
import { deriveReport } from '../evaluation/index.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { reportContent } from '../reports/content.js';
import { noticeRow } from '../reports/submit.js';
import type { NodeKey } from './node-key.js';

/** At most this many bundles per inbox request (backpressure: the sender pages its outbox). */
export const INBOX_BATCH = 200;

/**
 * The receiver's answer for one bundle, signed with its node key over the RFC 8785 form of the
 * other members: the sender keeps it as the acknowledgement in its sharing ledger.
 * - applied / duplicate: stored (now or before) as this node's `received` record `receivedIndex`;
 * - refused: a refusal retrying cannot fix (dead letter on both sides), with its code;
 * - retry: not decided yet (e.g. a consistency proof could not be fetched): send again later.
 */
export interface Ack {
  readonly receiver: string;
  readonly source: string;
  readonly index: number;
  readonly status: 'applied' | 'duplicate' | 'refused' | 'retry';
  readonly leafHash?: string;
  readonly receivedIndex?: number;
  readonly code?: string;
  readonly message?: string;
  readonly at: string;
}
export interface SignedAck extends Ack {
  readonly signature: string;
}

export function signAck(key: NodeKey, ack: Ack): SignedAck {
  return { ...ack, signature: encodeBase64(key.sign(canonicalizeRecord(ack))) };
}

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retry = false,
  ) {
    super(message);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where the bundle claims to come from, read defensively (a hostile bundle may have neither). */
function claimed(b: unknown): { source: string; index: number } | undefined {
  if (
    !isObject(b) ||
    typeof b.source !== 'string' ||
    !Number.isSafeInteger(b.index) ||
    (b.index as number) < 0
  )
    return undefined;
  return { source: b.source, index: b.index as number };
}

/** The bundle's checkpoint size, or undefined when the proof does not parse (verifyBundle says why). */
function checkpointSize(b: unknown): number | undefined {
  try {
    if (!isObject(b) || typeof b.proof !== 'string') return undefined;
    return parseCheckpoint(parseNote(parseProof(b.proof).checkpointNote).text).size;
  } catch {
    return undefined;
  }
}

/** Kind, content and logged time as the bundle claims them (verified afterwards), if readable. */
function peek(b: unknown): { kind: string; content: unknown; time: string } | undefined {
  try {
    if (
      !isObject(b) ||
      !isObject(b.record) ||
      typeof b.record.kind !== 'string' ||
      typeof b.leaf !== 'string'
    )
      return undefined;
    return { kind: b.record.kind, content: b.record.content, time: parseLeaf(decodeBase64(b.leaf)).time };
  } catch {
    return undefined;
  }
}

function contentOf(b: unknown): Record<string, unknown> {
  const record = isObject(b) && isObject(b.record) ? b.record : {};
  return isObject(record.content) ? record.content : {};
}

/**
 * The inbox (issue 17 items 3 and 6): applies a peer's bundles in order, each in one transaction,
 * idempotently (unique (source, index): a redelivery changes nothing and is acknowledged as
 * before). Each is verified with the pure verifier (decision 0028) against the source's log key,
 * the state's key as this node knows it, and the latest checkpoint of the source seen here.
 */
// long: the receiver's steps (arrangement, key lookup, consistency, storing each kind) share its repositories; to split by kind next
export function createInbox(ports: Ports, nodeKey: NodeKey) {
  const repo = createFederationRepo(ports.db);
  const registry = createRegistryRepo(ports.db);
  const reports = createReportsRepo(ports.db);
  const account = createReportAccountRepo(ports.db);

  async function stateOfOrganisation(id: unknown): Promise<string | undefined> {
    if (typeof id !== 'string') return undefined;
    return (await registry.getOrganisation(id))?.state ?? undefined;
  }

  /** The state's key by id, as `verifyBundle` asks for it (synchronously): fetched before. */
  async function keyLookup(b: unknown) {
    const keyId = contentOf(b).keyId;
    const key = typeof keyId === 'string' ? await registry.getSigningKey(keyId) : undefined;
    const keyState = key ? await stateOfOrganisation(key.organisation) : undefined;
    return (state: string, id: string, time: string): StateKeyLookup => {
      if (!key || key.id !== id || keyState !== state) return undefined;
      if (!isKeyValidAt(key, time))
        return { refused: 'KEY_NOT_VALID', message: `key ${id} was not valid at ${time}` };
      return { publicKey: key.publicKey };
    };
  }

  /** The consistency proof between the seen checkpoint and the bundle's, fetched from the source. */
  async function consistencyFor(peer: FedPeerRow, seen: string | undefined, size: number | undefined) {
    if (seen === undefined || size === undefined) return undefined;
    const seenSize = parseCheckpoint(parseNote(seen).text).size;
    if (seenSize === size || seenSize === 0 || size === 0) return undefined;
    const [from, to] = seenSize < size ? [seenSize, size] : [size, seenSize];
    try {
      const res = await fetch(`${peer.url}/log/proof/consistency?from=${from}&to=${to}`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) return undefined;
      const body = (await res.json()) as { hashes?: unknown };
      if (!Array.isArray(body.hashes)) return undefined;
      const hashes = body.hashes.map((h) => decodeBase64(String(h)));
      return { from, to, hashes };
    } catch {
      return undefined;
    }
  }

  async function storeReport(
    tx: DbOrTx,
    record: BundleRecord,
    original: { bytes: Uint8Array } | undefined,
    receivedIndex: number,
  ): Promise<void> {
    const c = record.content as Record<string, unknown> & { period: { from: string; to: string } | null };
    if (!original) throw new Refusal('SIGNATURE_MISSING', 'a forwarded report needs its signed original');
    const parsed = c.bodyFormat === 'csv' ? parseReportCsv(original.bytes) : parseReportJson(original.bytes);
    if (!parsed.ok) throw new Refusal('REPORT_INVALID', 'the signed original does not parse as a report');
    const report = parsed.report;
    const row: ReportRow = {
      id: String(c.id),
      state: String(c.state),
      organisation_id: String(c.organisation),
      mba: String(c.mba),
      type: c.type as ReportRow['type'],
      report_number: Number(c.reportNumber),
      report_date: String(c.reportDate),
      period_from: c.period?.from ?? null,
      period_to: c.period?.to ?? null,
      pit: (c.pit as string | null) ?? null,
      reporting_person: report.reportingPerson,
      line_count: Number(c.lineCount),
      note: report.note ?? null,
      notice_json:
        report.type === 'EXPORT_NOTICE' || report.type === 'IMPORT_NOTICE'
          ? JSON.stringify(report.notice)
          : null,
      body_sha256: String(c.bodySha256),
      body_format: String(c.bodyFormat),
      key_id: String(c.keyId),
      signature: String(c.signature),
      warnings_json: '[]',
      submitted_at: String(c.submittedAt),
      submitted_by: String(c.submittedBy),
      log_index: receivedIndex,
    };
    // Stored so that the audit rebuilds exactly the content the source committed to.
    if (!bytesEqual(canonicalizeRecord(reportContent(row)), canonicalizeRecord(record.content)))
      throw new Refusal('REPORT_INVALID', 'the report content is not what its signed original says');
    if (report.mba !== row.mba || report.type !== row.type || report.reportNumber !== row.report_number)
      throw new Refusal('REPORT_INVALID', 'the signed original is another report');
    await reports.insertReport(tx, row);
    await reports.insertBody(tx, row.id, await packBody(original.bytes));
    await reports.insertLines(tx, row.id, report);
    if (report.type === 'ICR')
      await account.recordRevisions(tx, report.mba, report.reportNumber, report.lines);
    if (report.type === 'EXPORT_NOTICE' || report.type === 'IMPORT_NOTICE')
      await reports.insertNotice(tx, noticeRow(row.state, row.id, report, row.submitted_at));
    // This node evaluates what it receives with its own engine (issue 17 item 4).
    await deriveReport(tx, report, ports.db.sqlite);
  }

  async function storeKey(tx: DbOrTx, record: BundleRecord, at: string, by: string): Promise<void> {
    const c = record.content as SigningKey;
    const key: SigningKey = {
      id: c.id,
      organisation: c.organisation,
      publicKey: c.publicKey,
      validFrom: c.validFrom,
      validTo: c.validTo,
      revokedAt: null,
    };
    if (!bytesEqual(canonicalizeRecord(key), canonicalizeRecord(record.content)))
      throw new Refusal('KEY_INVALID', 'the key registration has members this node does not store');
    await registry.insertSigningKey(tx, key, { at, by });
  }

  /** Kind and state of the record when an arrangement to receive covers it; NOT_ARRANGED otherwise. */
  async function arranged(peer: FedPeerRow, kind: string, raw: unknown, time: string) {
    const content = isObject(raw) ? raw : {};
    const state =
      kind === 'report'
        ? typeof content.state === 'string'
          ? content.state
          : undefined
        : await stateOfOrganisation(content.organisation);
    if (state === undefined)
      throw new Refusal('UNKNOWN_REFERENCE', `the ${kind} names no state this node knows`);
    const covered = await repo.covers(ports.db.kysely, {
      peerId: peer.id,
      direction: 'receive',
      state,
      kind,
      at: time,
    });
    if (!covered)
      throw new Refusal(
        'NOT_ARRANGED',
        `no arrangement with peer ${peer.id} receives ${kind} of ${state} logged at ${time}`,
      );
    return { kind, state, content };
  }

  /** The inbox entry of (source, index) if one was committed; undefined when unreadable too. */
  async function storedMeanwhile(source: string, index: number) {
    try {
      return await repo.inboxEntry(source, index);
    } catch {
      return undefined;
    }
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
      const done = await repo.inboxEntry(where.source, where.index);
      if (done)
        return { ...base, status: 'duplicate', leafHash: done.leaf_hash, receivedIndex: done.received_index };
      const before = await repo.inboundRefusal(peer.id, where.source, where.index);
      if (before) return { ...base, status: 'refused', code: before.code, message: before.reason };
      // 1. The arrangement, before any proof is checked (federation.md "Receiver's checks").
      const peeked = peek(bundle);
      if (peeked) await arranged(peer, peeked.kind, peeked.content, peeked.time);
      const seen = await repo.seenCheckpoint(where.source);
      const consistency = await consistencyFor(peer, seen, checkpointSize(bundle));
      const v = verifyBundle(bundle, {
        sourceLogKey: peer.log_key,
        stateKeyAt: await keyLookup(bundle),
        seenCheckpoints: seen === undefined ? [] : [seen],
        consistencyProof: (from, to) =>
          consistency && consistency.from === from && consistency.to === to ? consistency.hashes : undefined,
      });
      if (!v.ok)
        throw new Refusal(
          v.errorCode === 'LOG_PROOF_INVALID' ? v.code : v.errorCode,
          v.message,
          v.code === 'CONSISTENCY_UNPROVEN',
        );
      const { kind, state, content } = await arranged(peer, v.record.kind, v.record.content, v.leaf.time);
      const advanced = advanceCheckpoint(seen, v.checkpointNote, peer.log_key, consistency?.hashes);
      if (advanced.kind !== 'consistent')
        throw new Refusal('LOG_INCONSISTENT', `the source's checkpoint: ${advanced.kind}`);
      const by = `peer:${peer.id}`;
      const organisation =
        kind === 'report' ? String(content.organisation) : String(content.organisation ?? '');
      const receivedIndex = await ports.db.kysely.transaction().execute(async (tx) => {
        const index = await appendRecord(tx, ports, {
          kind: 'received',
          id: v.record.id,
          content: v.received,
          subjectState: state,
          subjectOrg: organisation || null,
          at,
          by,
        });
        if (kind === 'report') await storeReport(tx, v.record, v.original, index);
        else if (kind === 'key-registration') await storeKey(tx, v.record, at, by);
        else throw new Refusal('NOT_ARRANGED', `this node does not take records of kind ${kind}`);
        await repo.insertInbox(tx, {
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
        });
        await repo.setSeenCheckpoint(tx, v.source, advanced.latest);
        return index;
      });
      return { ...base, status: 'applied', leafHash: v.leafHash, receivedIndex };
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

  return {
    /** Apply a batch in order; stops at the first bundle that must be retried (order per source). */
    async receive(peer: FedPeerRow, bundles: readonly unknown[]): Promise<SignedAck[]> {
      if (bundles.length > INBOX_BATCH)
        throw new DomainError('BAD_REQUEST', `at most ${INBOX_BATCH} bundles per request`);
      const acks: SignedAck[] = [];
      for (const b of bundles) {
        const ack = await receiveOne(peer, b);
        acks.push(signAck(nodeKey, ack));
        if (ack.status === 'retry') break;
      }
      return acks;
    },
  };
}

/** Storage failures that retrying cannot fix become refusals with a code (never a 500). */
function asRefusal(err: unknown): Refusal {
  if (err instanceof Refusal) return err;
  if (isDomainError(err)) return new Refusal(err.code, err.message, err.code === 'UNAVAILABLE');
  const message = (err as Error).message ?? String(err);
  if (/unique|duplicate/i.test(message))
    return new Refusal('CONFLICT' satisfies ErrorCode, 'a record with this id already exists on this node');
  if (/foreign key/i.test(message))
    return new Refusal(
      'UNKNOWN_REFERENCE' satisfies ErrorCode,
      'the record refers to registry entries this node does not have',
    );
  // Anything else (the database briefly away) is worth another try.
  return new Refusal('UNAVAILABLE', message, true);
}
