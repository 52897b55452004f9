import type { Transaction } from 'kysely';
import {
  applyEffectiveLine,
  compareLines,
  createEffectiveState,
  type EffectiveEntry,
  type EffectiveState,
  type SourcedIcrLine,
} from '../../domain/accounting/index.js';
import { batchKey, type ElementCode, lineRefKey, type Report } from '../../domain/reports/index.js';
import { createReportsRepo, toIcrLine } from '../../store/reports.repo.js';
import type { Schema } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';

/**
 * What the validator needs to know of an MBA's account (declarations issue: CORRECTION_TARGET_UNKNOWN,
 * BATCH_REUSED, ICR_MISMATCH): every ICR line ever accepted, the effective view, and the batches of
 * the initial inventory.
 */
export interface MbaAccount {
  /** Every accepted ICR line as `lineRefKey` (corrections may target corrections). */
  readonly targets: ReadonlySet<string>;
  /** The effective ICR lines, in effective order. */
  effectiveLines(): SourcedIcrLine[];
  /** Every ICR line as accepted (originals, corrections, deletions, orphans), in effective order. */
  allLines(): SourcedIcrLine[];
  /** The original lines that later lines corrected or deleted, each with its history. */
  corrected(): EffectiveEntry[];
  /** Batches listed in the initial report, as `batchKey`. */
  readonly initialBatches: ReadonlySet<string>;
}

interface Cached {
  /** Highest log index of the reports folded in. */
  version: number;
  readonly state: EffectiveState;
  readonly targets: Set<string>;
  readonly initialBatches: Set<string>;
  /** Updates of one MBA run one after the other, so that no report is folded in twice. */
  pending: Promise<void>;
  /** Reports this process accepted since, with the account head each followed (foldAccepted). */
  readonly accepted: { report: Report; logIndex: number; head: number }[];
}

/**
 * Accounts kept per node, least recently used dropped first beyond either bound; an MBA's account
 * is only extended, never rebuilt (reports are immutable). Keyed by the app's ports, so every app
 * (and every test app) has its own and drops it with them: no state shared between apps.
 */
const MAX_MBAS = 64;
const MAX_LINES = 2_000_000;
const caches = new WeakMap<Ports, Map<string, Cached>>();

/**
 * The account of one MBA, extended with the reports accepted since it was last read. A report's
 * log index is taken under the sequencing lock inside the transaction that stores it, so indices
 * become visible in increasing order: "log index above the last one read" finds exactly the new
 * reports, also when several Custos processes share one PostgreSQL. ICR numbers are sequential,
 * so folding each new report's lines in after the earlier ones is the effective order
 * (domain/accounting/effective.ts). Without this, checking a one-line ICR re-read and re-derived
 * the whole history of the MBA (2 s for an MBA with 100 000 lines).
 */
export async function mbaAccount(ports: Ports, mba: string): Promise<MbaAccount> {
  let byMba = caches.get(ports);
  if (!byMba) {
    byMba = new Map();
    caches.set(ports, byMba);
  }
  let entry = byMba.get(mba);
  if (entry) {
    byMba.delete(mba); // most recently used last
  } else {
    entry = {
      version: -1,
      state: createEffectiveState(),
      targets: new Set(),
      initialBatches: new Set(),
      pending: Promise.resolve(),
      accepted: [],
    };
    if (byMba.size >= MAX_MBAS) byMba.delete(byMba.keys().next().value as string);
  }
  byMba.set(mba, entry);
  const e = entry;
  const update = e.pending.then(() => {
    foldQueued(e);
    return extend(ports, mba, e);
  });
  e.pending = update.catch(() => undefined);
  await update;
  let lines = 0;
  for (const x of byMba.values()) lines += x.state.entries.length;
  for (const [code, x] of byMba) {
    if (lines <= MAX_LINES || x === e) break;
    byMba.delete(code);
    lines -= x.state.entries.length;
  }
  return {
    targets: e.targets,
    initialBatches: e.initialBatches,
    effectiveLines() {
      const lines: SourcedIcrLine[] = [];
      for (const x of e.state.entries) if (x.current !== undefined) lines.push(x.current);
      return lines;
    },
    allLines() {
      const lines: SourcedIcrLine[] = [];
      for (const x of e.state.entries) lines.push(...x.history);
      for (const o of e.state.orphans) lines.push(o.line);
      return lines.sort(compareLines);
    },
    corrected() {
      return e.state.entries.filter((x) => x.history.length > 1);
    },
  };
}

/**
 * Inside the transaction that accepts a report, after its log index was taken (the sequencing lock
 * is held, so every report with a lower index has committed): the highest log index of the MBA's
 * other ICR and INITIAL reports. `foldAccepted` needs it to know that nothing came in between.
 */
export async function accountHeadBefore(
  tx: Transaction<Schema>,
  mba: string,
  logIndex: number,
): Promise<number> {
  const r = await tx
    .selectFrom('reports')
    .select((eb) => eb.fn.max('log_index').as('head'))
    .where('mba', '=', mba)
    .where('type', 'in', ['ICR', 'INITIAL'])
    .where('log_index', '<', logIndex)
    .executeTakeFirst();
  return r?.head === null || r?.head === undefined ? -1 : Number(r.head);
}

/**
 * After the commit: remember an accepted ICR or INITIAL for the cached account, so that the next
 * report of the MBA does not read back from the store what was just written. It is folded in only
 * if the account is then exactly at the report's predecessor (`head`); otherwise the next read
 * extends the account from the store as usual.
 */
export function foldAccepted(ports: Ports, report: Report, logIndex: number, head: number): void {
  if (report.type !== 'ICR' && report.type !== 'INITIAL') return;
  const e = caches.get(ports)?.get(report.mba);
  // Folded when the account is next read, not now: copying a large report's lines here would
  // add to the peak memory of the request that carries it.
  if (e) e.accepted.push({ report, logIndex, head });
}

/** Fold in the reports this process accepted, in order, while each follows the last one folded. */
function foldQueued(e: Cached): void {
  for (const { report, logIndex, head } of e.accepted.splice(0)) {
    if (e.version !== head) continue;
    if (report.type === 'INITIAL') {
      for (const l of report.lines) e.initialBatches.add(batchKey(l.batch, l.element));
    } else if (report.type === 'ICR') {
      const lines: SourcedIcrLine[] = report.lines
        .map((l) => ({ ...l, reportNumber: report.reportNumber }))
        .sort((a, b) => a.line - b.line);
      for (const line of lines) {
        e.targets.add(lineRefKey({ reportNumber: line.reportNumber, line: line.line }));
        applyEffectiveLine(e.state, line);
      }
    }
    e.version = logIndex;
  }
}

async function extend(ports: Ports, mba: string, e: Cached): Promise<void> {
  const k = ports.db.kysely;
  const fresh = await k
    .selectFrom('reports')
    .select(['id', 'type', 'log_index'])
    .where('mba', '=', mba)
    .where('type', 'in', ['ICR', 'INITIAL'])
    .where('log_index', '>', e.version)
    .orderBy('report_number')
    .execute();
  if (fresh.length === 0) return;
  const repo = createReportsRepo(ports.db);
  for (const r of fresh.filter((x) => x.type === 'INITIAL')) {
    const rows = await k
      .selectFrom('report_lines')
      .select(['batch', 'element'])
      .where('report_id', '=', r.id)
      .execute();
    for (const l of rows) if (l.batch) e.initialBatches.add(batchKey(l.batch, l.element as ElementCode));
  }
  // ICRs in report-number order, each report's lines in line order: the effective order.
  for (const r of fresh.filter((x) => x.type === 'ICR')) {
    for (const row of await repo.linesOf(r.id)) {
      const line: SourcedIcrLine = { ...toIcrLine(row), reportNumber: row.report_number };
      e.targets.add(lineRefKey({ reportNumber: line.reportNumber, line: line.line }));
      applyEffectiveLine(e.state, line);
    }
  }
  for (const r of fresh) e.version = Math.max(e.version, Number(r.log_index));
}
