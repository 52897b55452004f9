import type Database from 'better-sqlite3';
import type { FlowSums, InventoryCell, KmpError, SourcedIcrLine } from '../domain/accounting/index.js';
import type { ElementCode } from '../domain/reports/index.js';
import { preparedOnce } from './bulk.js';
import type { DbOrTx } from './db.js';
import { toIcrLine } from './reports.repo.js';
import type { EvalCellRow, EvalEntryRow } from './schema.types.js';

/**
 * The derived accounting state of MBAs (migration 0009, docs/decisions/0010): exact sums of the
 * effective ICR lines per bucket, element, code and KMP, inventory sums, and what a correction
 * needs of the line it revises. Written inside the transaction that stores a report.
 */

/** A cell of eval_cells with its sums. */
export interface CellRecord extends FlowSums {
  readonly bucket: string;
  readonly element: ElementCode;
  readonly code: string;
  readonly kmp: string;
}

/** The registry facts the derived state and the evaluation of one MBA read. */
export interface MbaFacts {
  readonly code: string;
  readonly state: string;
  readonly itemMba: boolean;
  readonly kmpErrors: Record<string, KmpError>;
}

function toCell(r: EvalCellRow): CellRecord {
  return {
    bucket: r.bucket,
    element: r.element as ElementCode,
    code: r.code,
    kmp: r.kmp,
    n: Number(r.n),
    w: Number(r.w),
    f: Number(r.f),
    sw: Number(r.sw),
    sq: BigInt(r.sq),
    srd: Number(r.srd),
    srdF: Number(r.srd_f),
    abs: Number(r.abs),
    isoJ: Number(r.iso_j),
  };
}

function cellValues(c: CellRecord) {
  return {
    n: c.n,
    w: c.w,
    f: c.f,
    sw: c.sw,
    sq: c.sq.toString(),
    srd: c.srd,
    srd_f: c.srdF,
    abs: c.abs,
    iso_j: c.isoJ,
  };
}

/**
 * Transactions whose owner has said no MBA or KMP changes while they run (`memoiseMbaFacts`):
 * a federation inbox run, which stores forwarded reports and nothing of the registry. Their
 * facts are read once per MBA instead of twice per report (decision 0070). Keyed by the
 * transaction object, so the memo goes with it.
 */
const factsMemos = new WeakMap<object, Map<string, MbaFacts | null>>();

/**
 * The PITs of each MBA read in such a transaction (decision 0075): a PIT is a stored INITIAL or
 * PIL report, so the owner of the transaction drops an MBA's memo when it stores one of its PITs
 * (`forgetPits`: the inbox's storeReport, the only owner); every other report keeps it.
 */
const pitsMemos = new WeakMap<object, Map<string, readonly string[]>>();

/**
 * From now on in `q`, readMbaFacts of given MBAs reads each MBA once (see factsMemos), and
 * readPits each MBA's PITs once until a PIT of it is stored (see pitsMemos).
 */
export function memoiseMbaFacts(q: DbOrTx): void {
  factsMemos.set(q, new Map());
  pitsMemos.set(q, new Map());
}

/** A report of the MBA that is a PIT (INITIAL, PIL) was stored in `q`: its PITs are read again. */
export function forgetPits(q: DbOrTx, mba: string): void {
  pitsMemos.get(q)?.delete(mba);
}

/** The registry facts of MBAs (all of them, or those given): two small queries, or the run's memo. */
export async function readMbaFacts(q: DbOrTx, codes?: readonly string[]): Promise<MbaFacts[]> {
  if (codes !== undefined && codes.length === 0) return [];
  const memo = codes === undefined ? undefined : factsMemos.get(q);
  if (memo !== undefined && codes !== undefined) {
    const missing = codes.filter((c) => !memo.has(c));
    if (missing.length > 0) {
      const read = new Map((await readFacts(q, missing)).map((f) => [f.code, f]));
      for (const c of missing) memo.set(c, read.get(c) ?? null);
    }
    const known = [...new Set(codes)].sort().map((c) => memo.get(c));
    return known.filter((f): f is MbaFacts => f !== null && f !== undefined);
  }
  return readFacts(q, codes);
}

async function readFacts(q: DbOrTx, codes?: readonly string[]): Promise<MbaFacts[]> {
  let mq = q
    .selectFrom('mbas')
    .innerJoin('facilities', 'facilities.code', 'mbas.facility')
    .select(['mbas.code as code', 'facilities.state as state', 'mbas.item_mba as item_mba'])
    .orderBy('mbas.code');
  let kq = q
    .selectFrom('kmps')
    .select(['mba', 'code', 'random_rsd', 'systematic_rsd'])
    .orderBy('mba')
    .orderBy('code');
  if (codes !== undefined) {
    mq = mq.where('mbas.code', 'in', codes);
    kq = kq.where('mba', 'in', codes);
  }
  const [mbas, kmps] = await Promise.all([mq.execute(), kq.execute()]);
  const errors = new Map<string, Record<string, KmpError>>();
  for (const k of kmps) {
    let e = errors.get(k.mba);
    if (e === undefined) {
      e = {};
      errors.set(k.mba, e);
    }
    e[k.code] = { random: k.random_rsd, systematic: k.systematic_rsd };
  }
  return mbas.map((m) => ({
    code: m.code,
    state: m.state,
    itemMba: m.item_mba === 1,
    kmpErrors: errors.get(m.code) ?? {},
  }));
}

/** Dates of the MBA's initial report and PILs, ascending (the report rows: few per MBA). */
export async function readPits(q: DbOrTx, mba: string): Promise<string[]> {
  const memo = pitsMemos.get(q);
  const known = memo?.get(mba);
  if (known !== undefined) return [...known];
  const rows = await q
    .selectFrom('reports')
    .select('pit')
    .where('mba', '=', mba)
    .where('type', 'in', ['INITIAL', 'PIL'])
    .execute();
  const pits = rows.map((r) => r.pit as string).sort();
  memo?.set(mba, [...pits]);
  return pits;
}

/**
 * `sqlite`: the connection the caller's transaction runs on; the cells of given buckets are then
 * read with a statement prepared once (decision 0075: Kysely's building and compiling, per report,
 * cost more than the look-up).
 */
export async function readCells(
  q: DbOrTx,
  mba: string,
  buckets?: readonly string[],
  sqlite?: Database.Database,
): Promise<CellRecord[]> {
  if (buckets !== undefined && buckets.length === 0) return [];
  if (sqlite && buckets !== undefined) {
    const list = new Array(buckets.length).fill('?').join(', ');
    const stmt = preparedOnce(sqlite, `select * from "eval_cells" where "mba" = ? and "bucket" in (${list})`);
    return (stmt.all(mba, ...buckets) as EvalCellRow[]).map(toCell);
  }
  let s = q.selectFrom('eval_cells').selectAll().where('mba', '=', mba);
  if (buckets !== undefined) s = s.where('bucket', 'in', buckets);
  return (await s.execute()).map(toCell);
}

/** The day cells of lines dated after the last PIT up to `date` (a new PIL folds them into its period). */
export async function readDayCellsUpTo(q: DbOrTx, mba: string, date: string): Promise<CellRecord[]> {
  const rows = await q
    .selectFrom('eval_cells')
    .selectAll()
    .where('mba', '=', mba)
    .where('bucket', '>=', 'd')
    .where('bucket', '<=', `d${date}`)
    .execute();
  return rows.map(toCell);
}

const CELL_KEY = '"mba" = ? and "bucket" = ? and "element" = ? and "code" = ? and "kmp" = ?';
const CELL_SUMS = ['n', 'w', 'f', 'sw', 'sq', 'srd', 'srd_f', 'abs', 'iso_j'] as const;

/**
 * Writes cells whose sums changed: `existed` says whether the database holds its row. A cell left
 * with no line is deleted. `sqlite`: as readCells, the statements are prepared once (0075).
 */
export async function writeCell(
  q: DbOrTx,
  mba: string,
  cell: CellRecord,
  existed: boolean,
  sqlite?: Database.Database,
): Promise<void> {
  const key = { bucket: cell.bucket, element: cell.element, code: cell.code, kmp: cell.kmp };
  const keyValues = [mba, key.bucket, key.element, key.code, key.kmp];
  if (cell.n === 0) {
    if (existed) {
      if (sqlite) {
        preparedOnce(sqlite, `delete from "eval_cells" where ${CELL_KEY}`).run(keyValues);
        return;
      }
      await q
        .deleteFrom('eval_cells')
        .where('mba', '=', mba)
        .where('bucket', '=', key.bucket)
        .where('element', '=', key.element)
        .where('code', '=', key.code)
        .where('kmp', '=', key.kmp)
        .execute();
    }
    return;
  }
  const sums = cellValues(cell);
  if (sqlite) {
    const values = CELL_SUMS.map((c) => sums[c]);
    if (existed) {
      const set = CELL_SUMS.map((c) => `"${c}" = ?`).join(', ');
      preparedOnce(sqlite, `update "eval_cells" set ${set} where ${CELL_KEY}`).run([...values, ...keyValues]);
    } else {
      const columns = ['mba', 'bucket', 'element', 'code', 'kmp', ...CELL_SUMS].map((c) => `"${c}"`);
      preparedOnce(
        sqlite,
        `insert into "eval_cells" (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      ).run([...keyValues, ...values]);
    }
    return;
  }
  if (existed) {
    await q
      .updateTable('eval_cells')
      .set(sums)
      .where('mba', '=', mba)
      .where('bucket', '=', key.bucket)
      .where('element', '=', key.element)
      .where('code', '=', key.code)
      .where('kmp', '=', key.kmp)
      .execute();
    return;
  }
  await q
    .insertInto('eval_cells')
    .values({ mba, ...key, ...sums })
    .execute();
}

export async function readInventories(q: DbOrTx, mba: string): Promise<InventoryCell[]> {
  const rows = await q.selectFrom('eval_inventories').selectAll().where('mba', '=', mba).execute();
  return rows.map((r) => ({
    pit: r.pit,
    element: r.element as ElementCode,
    kmp: r.kmp,
    n: Number(r.n),
    w: Number(r.w),
    f: Number(r.f),
    sq: BigInt(r.sq),
    abs: Number(r.abs),
    isoJ: Number(r.iso_j),
  }));
}

export async function insertInventories(
  q: DbOrTx,
  mba: string,
  cells: readonly InventoryCell[],
): Promise<void> {
  if (cells.length === 0) return;
  await q
    .insertInto('eval_inventories')
    .values(
      cells.map((c) => ({
        mba,
        pit: c.pit,
        element: c.element,
        kmp: c.kmp,
        n: c.n,
        w: c.w,
        f: c.f,
        sq: c.sq.toString(),
        abs: c.abs,
        iso_j: c.isoJ,
      })),
    )
    .execute();
}

/** One stored ICR line of the MBA with its report number (primary-key look-up). */
export async function readIcrLine(
  q: DbOrTx,
  mba: string,
  reportNumber: number,
  line: number,
): Promise<SourcedIcrLine | undefined> {
  const row = await q
    .selectFrom('report_lines')
    .selectAll()
    .where('report_id', '=', `${mba}:ICR:${reportNumber}`)
    .where('line', '=', line)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...toIcrLine(row), reportNumber };
}

/** The original line a version (report, line) revises; itself when no correction has that key. */
export async function readOriginOf(
  q: DbOrTx,
  mba: string,
  report: number,
  line: number,
): Promise<{ report: number; line: number } | undefined> {
  const row = await q
    .selectFrom('eval_versions')
    .select(['origin_report', 'origin_line'])
    .where('mba', '=', mba)
    .where('report', '=', report)
    .where('line', '=', line)
    .executeTakeFirst();
  return row === undefined ? undefined : { report: row.origin_report, line: row.origin_line };
}

export async function insertVersion(
  q: DbOrTx,
  mba: string,
  version: { report: number; line: number },
  origin: { report: number; line: number },
): Promise<void> {
  await q
    .insertInto('eval_versions')
    .values({
      mba,
      report: version.report,
      line: version.line,
      origin_report: origin.report,
      origin_line: origin.line,
    })
    .execute();
}

export async function readEntry(
  q: DbOrTx,
  mba: string,
  origin: { report: number; line: number },
): Promise<EvalEntryRow | undefined> {
  return q
    .selectFrom('eval_entries')
    .selectAll()
    .where('mba', '=', mba)
    .where('origin_report', '=', origin.report)
    .where('origin_line', '=', origin.line)
    .executeTakeFirst();
}

export async function writeEntry(q: DbOrTx, row: EvalEntryRow, existed: boolean): Promise<void> {
  if (!existed) {
    await q.insertInto('eval_entries').values(row).execute();
    return;
  }
  await q
    .updateTable('eval_entries')
    .set({
      last_report: row.last_report,
      last_line: row.last_line,
      anchor_report: row.anchor_report,
      anchor_line: row.anchor_line,
      anchor_deleted: row.anchor_deleted,
    })
    .where('mba', '=', row.mba)
    .where('origin_report', '=', row.origin_report)
    .where('origin_line', '=', row.origin_line)
    .execute();
}

/** Removes an MBA's derived accounting state (before it is built again from its reports). */
export async function clearAccounting(q: DbOrTx, mba: string): Promise<void> {
  await q.deleteFrom('eval_cells').where('mba', '=', mba).execute();
  await q.deleteFrom('eval_inventories').where('mba', '=', mba).execute();
  await q.deleteFrom('eval_entries').where('mba', '=', mba).execute();
  await q.deleteFrom('eval_versions').where('mba', '=', mba).execute();
  await q.deleteFrom('eval_kmp_days').where('mba', '=', mba).execute();
}

/** The MBA's accepted INITIAL, PIL and ICR reports in log order (ids and types: few rows). */
export async function readAccountingReports(
  q: DbOrTx,
  mba: string,
): Promise<{ id: string; type: string; reportNumber: number; pit: string | null }[]> {
  const rows = await q
    .selectFrom('reports')
    .select(['id', 'type', 'report_number', 'pit'])
    .where('mba', '=', mba)
    .where('type', 'in', ['INITIAL', 'PIL', 'ICR'])
    .orderBy('log_index')
    .execute();
  return rows.map((r) => ({ id: r.id, type: r.type, reportNumber: r.report_number, pit: r.pit }));
}

/** Build progress of the derived state (migration 0009 on a database that had reports). */
export async function readBuildStatus(q: DbOrTx): Promise<boolean> {
  const r = await q.selectFrom('eval_status').select('built').where('id', '=', 1).executeTakeFirst();
  return r === undefined || r.built === 1;
}

export async function markBuilt(q: DbOrTx): Promise<void> {
  await q.updateTable('eval_status').set({ built: 1 }).where('id', '=', 1).execute();
}

export async function readBuiltMbas(q: DbOrTx): Promise<Set<string>> {
  return new Set((await q.selectFrom('eval_built').select('mba').execute()).map((r) => r.mba));
}

export async function markMbaBuilt(q: DbOrTx, mba: string, at: string): Promise<void> {
  await q.deleteFrom('eval_built').where('mba', '=', mba).execute();
  await q.insertInto('eval_built').values({ mba, built_at: at }).execute();
}

/** Codes of the MBAs that have accepted reports. */
export async function readMbasWithReports(q: DbOrTx): Promise<string[]> {
  const rows = await q.selectFrom('reports').select('mba').distinct().orderBy('mba').execute();
  return rows.map((r) => r.mba);
}

/** The stored lines of one report in line order (one report at a time: a rebuild never holds an MBA's lines). */
export async function readReportLines(q: DbOrTx, reportId: string) {
  return q.selectFrom('report_lines').selectAll().where('report_id', '=', reportId).orderBy('line').execute();
}

/** The lines of an ICR that correct or delete another line, in line order. */
export async function readRevisingLines(q: DbOrTx, reportId: string) {
  return q
    .selectFrom('report_lines')
    .selectAll()
    .where('report_id', '=', reportId)
    .where((eb) => eb.or([eb('corrects_report', 'is not', null), eb('deletes_report', 'is not', null)]))
    .orderBy('line')
    .execute();
}

export async function stateExists(q: DbOrTx, state: string): Promise<boolean> {
  return (
    (await q.selectFrom('states').select('code').where('code', '=', state).executeTakeFirst()) !== undefined
  );
}

/** Types of the agreements in force a state is party to. */
export async function readAgreementTypes(q: DbOrTx, state: string): Promise<Set<string>> {
  const rows = await q
    .selectFrom('agreements')
    .innerJoin('agreement_parties', 'agreement_parties.agreement_id', 'agreements.id')
    .select(['agreements.type as type'])
    .where('agreement_parties.party_ref', '=', state)
    .where('agreements.status', '=', 'in-force')
    .execute();
  return new Set(rows.map((a) => a.type));
}
