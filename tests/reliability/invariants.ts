import { sql } from 'kysely';
import {
  decodeBase64,
  type NoteVerifier,
  openCheckpoint,
  parseNoteVerifier,
  parseProof,
  verifyConsistency,
  verifyProof,
} from '../../src/log/index.js';
import type { Db } from '../../src/store/db.js';

export interface SeenCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
}

export async function fetchText(
  base: string,
  path: string,
  token?: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, text: await res.text() };
}

export async function logVerifier(base: string): Promise<NoteVerifier> {
  const { text } = await fetchText(base, '/log/key');
  return parseNoteVerifier(text.trim());
}

/** The current checkpoint, opened with the log key (throws if it does not verify). */
export async function currentCheckpoint(base: string, v: NoteVerifier): Promise<SeenCheckpoint | undefined> {
  const { status, text } = await fetchText(base, '/log/checkpoint');
  if (status !== 200) return undefined;
  const cp = openCheckpoint(text, v).checkpoint;
  return { size: cp.size, root: cp.rootHash, note: text };
}

/**
 * Every checkpoint seen before must be a prefix of the current one: a consistency proof from its
 * size to the current size, served by the node, verifies against both signed roots.
 */
export async function checkConsistentWith(
  base: string,
  v: NoteVerifier,
  seen: readonly SeenCheckpoint[],
  current: SeenCheckpoint,
): Promise<string[]> {
  const problems: string[] = [];
  for (const old of seen) {
    openCheckpoint(old.note, v); // a checkpoint we kept must still verify with the key the node serves
    if (old.size > current.size) {
      problems.push(`log shrank: saw size ${old.size}, now ${current.size}`);
      continue;
    }
    if (old.size === current.size) {
      if (Buffer.compare(Buffer.from(old.root), Buffer.from(current.root)) !== 0)
        problems.push(`two different roots for size ${old.size}`);
      continue;
    }
    if (old.size === 0) continue;
    const { status, text } = await fetchText(
      base,
      `/log/proof/consistency?from=${old.size}&to=${current.size}`,
    );
    if (status !== 200) {
      problems.push(`consistency ${old.size}→${current.size}: HTTP ${status}`);
      continue;
    }
    const proof = (JSON.parse(text) as { hashes: string[] }).hashes.map((h) => decodeBase64(h));
    if (!verifyConsistency(old.size, current.size, proof, old.root, current.root))
      problems.push(`consistency proof ${old.size}→${current.size} does not verify`);
  }
  return problems;
}

/** Fetch a record's receipt and verify it offline (inclusion under a checkpoint signed by the log). */
export async function checkReceipt(
  base: string,
  v: NoteVerifier,
  token: string,
  id: string,
): Promise<string | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const { status, text } = await fetchText(base, `/api/records/${encodeURIComponent(id)}/receipt`, token);
    if (status === 503) continue;
    if (status !== 200) return `receipt of ${id}: HTTP ${status} ${text.slice(0, 200)}`;
    const parsed = parseProof(text);
    if (!parsed.extra) return `receipt of ${id} carries no leaf`;
    const r = verifyProof(text, parsed.extra, v);
    return r.ok ? undefined : `receipt of ${id} does not verify: ${r.code} ${r.message}`;
  }
  return `receipt of ${id}: still 503 after 10 tries`;
}

async function count(db: Db, query: string): Promise<number> {
  const r = await sql<{ n: number | string }>`${sql.raw(query)}`.execute(db.kysely);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Storage invariants read straight from the database: every acknowledged report is stored; no
 * report is half-stored (its lines are exactly lineCount, it has a body, a record and a log entry
 * at its index); log indices are gap-free and every record points at its own entry.
 */
export async function checkStoredReports(db: Db, acknowledged: Iterable<string>): Promise<string[]> {
  const problems: string[] = [];
  const ids = new Set((await db.kysely.selectFrom('reports').select('id').execute()).map((r) => r.id));
  for (const id of acknowledged) if (!ids.has(id)) problems.push(`acknowledged report ${id} is missing`);
  const half = await sql<{ id: string; line_count: number; n: number | string }>`
    select r.id, r.line_count, (select count(*) from report_lines l where l.report_id = r.id) as n
    from reports r`.execute(db.kysely);
  for (const r of half.rows)
    if (Number(r.n) !== Number(r.line_count))
      problems.push(`report ${r.id} has ${r.n} of ${r.line_count} lines`);
  const noBody = await count(
    db,
    'select count(*) as n from reports r where not exists (select 1 from report_bodies b where b.report_id = r.id)',
  );
  if (noBody > 0) problems.push(`${noBody} report(s) without their signed body`);
  const unlogged = await count(
    db,
    `select count(*) as n from reports r where not exists (
       select 1 from records c join log_entries e on e.idx = c.log_index and e.record_id = c.id
       where c.id = r.id and c.kind = 'report')`,
  );
  if (unlogged > 0) problems.push(`${unlogged} report(s) without their record and log entry`);
  // One statement, so one snapshot: the restarted node may commit records (cases its start-up
  // evaluation opens) between two separate reads, which on PostgreSQL would show a counter
  // ahead of the entries it already committed with.
  const log = await sql<{ entries: number | string; max_idx: number | string; next: number | string }>`
    select (select count(*) from log_entries) as entries,
           (select coalesce(max(idx), -1) from log_entries) as max_idx,
           (select next_index from log_sequence where id = 1) as next`.execute(db.kysely);
  const row = log.rows[0];
  const entries = Number(row?.entries ?? 0);
  const maxIdx = Number(row?.max_idx ?? -1);
  const next = Number(row?.next ?? 0);
  if (entries !== maxIdx + 1) problems.push(`log indices have gaps: ${entries} entries, max index ${maxIdx}`);
  if (next !== entries) problems.push(`sequence counter ${next} ≠ ${entries} entries`);
  const orphanLines = await count(
    db,
    'select count(*) as n from report_lines l where not exists (select 1 from reports r where r.id = l.report_id)',
  );
  if (orphanLines > 0) problems.push(`${orphanLines} line(s) of no report`);
  return problems;
}
