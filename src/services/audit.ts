import {
  appendLeaves,
  bytesEqual,
  canonicalizeRecord,
  computeCommitment,
  encodeBase64,
  type Leaf,
  leafHash,
  type NoteVerifier,
  openCheckpoint,
  parseLeaf,
  storedHashCount,
} from '../log/index.js';
import { createAuditRepo } from '../store/audit.repo.js';
import { createCheckpointsRepo } from '../store/checkpoints.repo.js';
import { createKvRepo } from '../store/kv.repo.js';
import { createLogRepo } from '../store/log.repo.js';
import { LEAF_V2_FROM_KEY } from '../store/migrations/0011-opaque-leaves.js';
import type { RecordRow } from '../store/schema.types.js';
import { auditDerivedState } from './audit-derived.js';
import { auditDeviceParties } from './monitoring/audit-parties.js';
import type { Ports } from './ports.js';
// Each record kind registers how to rebuild it where it is defined; the audit needs them all.
import './cases/content.js';
import './declarations/content.js';
import './federation/content.js';
import './inspections/records.js';
import './legal/compatibility-records.js';
import './legal/content.js';
import './monitoring/records.js';
import { contentLoaderFor, integrityCheckFor, rowListers } from './record-content.js';

export type FindingKind =
  | 'sequence-gap'
  | 'entry-malformed'
  | 'hash-rewritten'
  | 'hash-missing'
  | 'root-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-root'
  | 'record-changed'
  | 'record-deleted'
  | 'record-entry-mismatch'
  | 'leaf-mismatch'
  | 'record-row-deleted'
  | 'row-not-logged'
  | 'derived-mismatch';

export interface Finding {
  readonly kind: FindingKind;
  /** Where: a log index, a stored hash index, a checkpoint size or a record id. */
  readonly where: string;
  readonly message: string;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly records: number;
  readonly checkpoints: number;
  readonly findings: Finding[];
}

const CHUNK = 10_000;

type AddFinding = (kind: FindingKind, where: string | number, message: string) => void;
type Checkpoint = Awaited<ReturnType<ReturnType<typeof createCheckpointsRepo>['sizesWithin']>>[number];

/**
 * (3) Every checkpoint is signed by the log key and states the size and root stored with it. Reads
 * them a page at a time; answers how many there are.
 */
async function auditCheckpointNotes(
  ports: Ports,
  logVerifier: NoteVerifier,
  add: AddFinding,
): Promise<number> {
  const repo = createCheckpointsRepo(ports.db);
  let count = 0;
  for (let after = -1; ; ) {
    const page = await repo.sizesWithin(after, Number.MAX_SAFE_INTEGER, CHUNK);
    if (page.length === 0) return count;
    for (const c of page) auditCheckpointNote(ports, logVerifier, c, add);
    count += page.length;
    after = Number(page[page.length - 1]!.size);
  }
}

function auditCheckpointNote(ports: Ports, logVerifier: NoteVerifier, c: Checkpoint, add: AddFinding): void {
  try {
    const opened = openCheckpoint(c.note, logVerifier, { origin: ports.config.logOrigin });
    if (
      opened.checkpoint.size !== Number(c.size) ||
      !bytesEqual(opened.checkpoint.rootHash, new Uint8Array(c.root))
    ) {
      add(
        'checkpoint-root',
        `checkpoint ${c.size}`,
        'the signed note does not match the stored size and root',
      );
    }
  } catch (err) {
    add(
      'checkpoint-signature',
      `checkpoint ${c.size}`,
      `does not verify with the log key: ${(err as Error).message}`,
    );
  }
}

/**
 * (1) and (2): the entries are gap-free, and the stored hashes, the integrated root and every
 * checkpoint's root are what the entries give. Answers how many entries there are. It holds one
 * chunk of entries and the tree's frontier at a time, whatever the log's size.
 */
async function auditTree(ports: Ports, add: AddFinding): Promise<number> {
  const auditRows = createAuditRepo(ports.db);
  const checkpointRows = createCheckpointsRepo(ports.db);
  // The checkpoints of the chunk at hand only: at most one per entry, so bounded by the chunk.
  let cpBySize = new Map<number, Checkpoint>();
  const checkpointsWithin = async (after: number, upTo: number) => {
    const rows = await checkpointRows.sizesWithin(after, upTo, upTo - after);
    cpBySize = new Map(rows.map((c) => [Number(c.size), c]));
  };
  const state = await createLogRepo(ports.db).readState();
  const integrated = Number(state.integrated_size);
  let size = 0;
  let frontier: Uint8Array[] = [];
  await checkpointsWithin(-1, 0);
  if (cpBySize.has(0)) checkRoot(0, appendLeaves(0, [], []).root);
  for (;;) {
    const rows = await auditRows.scanEntries(size, CHUNK);
    if (rows.length === 0) break;
    await checkpointsWithin(size, size + rows.length);
    const hashes: Uint8Array[] = [];
    for (const [i, r] of rows.entries()) {
      const idx = r.idx;
      if (idx !== size + i) {
        add('sequence-gap', `entry ${size + i}`, `entries jump from ${size + i - 1} to ${idx}`);
        break;
      }
      hashes.push(leafHash(r.leaf));
    }
    if (hashes.length === 0) break;
    // Recompute the stored hashes these leaves produce and compare them with what is stored.
    const upTo = Math.min(hashes.length, Math.max(0, integrated - size));
    for (let start = 0; start < hashes.length; ) {
      // Step to the next checkpoint boundary so each checkpoint's root can be checked exactly.
      let end = hashes.length;
      for (const cpSize of cpBySize.keys())
        if (cpSize > size + start && cpSize < size + end) end = cpSize - size;
      const appended = appendLeaves(size + start, frontier, hashes.slice(start, end));
      if (start < upTo) await compareStored(appended.storedHashes.filter((h) => h.index >= 0));
      frontier = appended.frontier;
      checkRoot(size + end, appended.root);
      start = end;
    }
    size += hashes.length;
    if (hashes.length < rows.length) break;
  }
  if (size < integrated)
    add(
      'root-mismatch',
      `size ${integrated}`,
      `log_state claims ${integrated} integrated entries; only ${size} exist`,
    );
  return size;

  async function compareStored(expected: { index: number; hash: Uint8Array }[]) {
    if (expected.length === 0) return;
    const first = expected[0]?.index ?? 0;
    const last = expected[expected.length - 1]?.index ?? 0;
    const byId = await auditRows.storedHashesBetween(first, last);
    for (const e of expected) {
      const got = byId.get(e.index);
      if (!got) {
        // Hashes from storedHashCount(integrated) on belong to entries sequenced but not yet
        // integrated: not stored yet, and their absence is no finding (a segment between two
        // checkpoint sizes may run past the integrated size).
        if (e.index < storedHashCount(integrated))
          add('hash-missing', `stored hash ${e.index}`, 'a stored hash of the integrated tree is missing');
      } else if (!bytesEqual(got, e.hash)) {
        add(
          'hash-rewritten',
          `stored hash ${e.index}`,
          `stored ${encodeBase64(got)}, entries give ${encodeBase64(e.hash)}`,
        );
      }
    }
  }
  function checkRoot(atSize: number, root: Uint8Array) {
    if (atSize === integrated && !bytesEqual(new Uint8Array(state.root), root)) {
      add(
        'root-mismatch',
        `size ${atSize}`,
        'the stored root of the integrated tree is not the root of the entries',
      );
    }
    const cp = cpBySize.get(atSize);
    if (cp && !bytesEqual(new Uint8Array(cp.root), root)) {
      add(
        'checkpoint-root',
        `checkpoint ${atSize}`,
        'the checkpoint root is not the root of the stored entries: history was rewritten',
      );
    }
  }
}

/**
 * (4) and (5): every record's content, rebuilt from its rows, matches the salted commitment in
 * its leaf; every leaf has its record row; every row that must be logged is. Answers the number
 * of records.
 */
async function auditRecords(ports: Ports, add: AddFinding): Promise<number> {
  const v2From = Number((await createKvRepo(ports.db).get(LEAF_V2_FROM_KEY)) ?? 0);
  const auditRows = createAuditRepo(ports.db);
  // Records a chunk at a time in log order, each with the entry at its index: memory holds one
  // chunk whatever the number of records (issue 14).
  let count = 0;
  for (let after = -1; ; ) {
    const records = await auditRows.scanRecords(after, CHUNK);
    if (records.length === 0) break;
    after = records[records.length - 1]!.log_index;
    count += records.length;
    for (const rec of records) await auditRecord(ports, rec, v2From, add);
  }
  for (let after = -1; ; ) {
    const orphans = await auditRows.entriesWithoutRecord(after, CHUNK);
    if (orphans.length === 0) break;
    after = orphans[orphans.length - 1]!.idx;
    for (const e of orphans) add('record-row-deleted', e.recordId, `log entry ${e.idx} has no record row`);
  }
  for (const [kind, list] of rowListers()) {
    const listed = list(ports.db);
    const pages = Symbol.asyncIterator in listed ? listed : [await listed];
    for await (const ids of pages) {
      const recorded = await auditRows.recordedAmong(ids);
      for (const id of ids) {
        if (!recorded.has(id))
          add('row-not-logged', id, `a ${kind} row exists that was never committed to the log`);
      }
    }
  }
  return count;
}

/** (4) One record: its entry is its own, and its content rebuilt from its rows matches the leaf. */
async function auditRecord(
  ports: Ports,
  rec: Awaited<ReturnType<ReturnType<typeof createAuditRepo>['scanRecords']>>[number],
  v2From: number,
  add: AddFinding,
): Promise<void> {
  const idx = rec.log_index;
  const entry = rec.entry;
  if (!entry || entry.recordId !== rec.id || entry.kind !== rec.kind) {
    add('record-entry-mismatch', rec.id, `log entry ${idx} is not this record's`);
    return;
  }
  const loader = contentLoaderFor(rec.kind);
  const content = loader ? await loader(ports.db, rec.id) : undefined;
  if (content === undefined) {
    add('record-deleted', rec.id, `the rows of this ${rec.kind} are gone (log entry ${idx})`);
    return;
  }
  let leaf: ReturnType<typeof parseLeaf>;
  try {
    leaf = parseLeaf(entry.leaf);
  } catch (err) {
    add('entry-malformed', `entry ${idx}`, (err as Error).message);
    return;
  }
  const mismatch = leafIdentityProblem(leaf, rec, idx, v2From);
  if (mismatch) add('leaf-mismatch', rec.id, mismatch);
  const commitment = computeCommitment(new Uint8Array(rec.salt), canonicalizeRecord(content));
  if (!bytesEqual(commitment, leaf.commitment)) {
    add('record-changed', rec.id, `its rows no longer match the commitment in log entry ${idx}`);
  }
  const check = integrityCheckFor(rec.kind);
  for (const problem of check ? await check(ports.db, rec.id) : []) add('record-changed', rec.id, problem);
}

/**
 * `custos audit`: read the database directly and check, without trusting any stored derived value,
 * that (1) the entries are gap-free, (2) every stored hash and the integrated root are what the
 * entries give, (3) every checkpoint is signed by the log key and commits to that tree, (4) every
 * record's content, rebuilt from its rows, matches the salted commitment in its leaf, and (5) every
 * row that must be logged is. Each finding names what and where.
 */
export async function auditStore(ports: Ports, logVerifier: NoteVerifier): Promise<AuditReport> {
  const findings: Finding[] = [];
  const add: AddFinding = (kind, where, message) => findings.push({ kind, where: String(where), message });
  const checkpoints = await auditCheckpointNotes(ports, logVerifier, add);
  const size = await auditTree(ports, add);
  const records = await auditRecords(ports, add);
  for (const f of await auditDerivedState(ports.db.kysely)) add('derived-mismatch', f.where, f.message);
  for (const f of await auditDeviceParties(ports.db.kysely)) add('derived-mismatch', f.where, f.message);
  return { ok: findings.length === 0, entries: size, records, checkpoints, findings };
}

/**
 * Decision 0021: a leaf before the node moved to the opaque form is v1 and names its record and
 * kind; from that index on every leaf is v2 and carries the opaque id stored with the record. A
 * v1 leaf after the point would put a record id in the public log again.
 */
function leafIdentityProblem(leaf: Leaf, rec: RecordRow, idx: number, v2From: number): string | undefined {
  if (idx < v2From) {
    if (leaf.v !== 1)
      return `log entry ${idx} precedes the move to opaque leaves (${v2From}) but is of form v2`;
    if (leaf.id !== rec.id || leaf.kind !== rec.kind || rec.leaf_id !== rec.id)
      return `log entry ${idx} names ${leaf.kind} ${leaf.id}, not this record`;
    return undefined;
  }
  if (leaf.v !== 2)
    return `log entry ${idx} names a record in clear (form v1) after the move to opaque leaves`;
  if (leaf.id !== rec.leaf_id)
    return `log entry ${idx} carries leaf id ${leaf.id}, the record ${rec.leaf_id}`;
  return undefined;
}
