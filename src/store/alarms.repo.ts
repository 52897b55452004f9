import { type RawBuilder, sql } from 'kysely';
import { type DbOrTx, isPostgres } from './db.js';
import { deviceMbaSql } from './device-cok.repo.js';
import { countOf, orderTerms, type PageRequest, textMatches } from './paging.js';
import { lonePastOf } from './transfer-counts.repo.js';
import { NOTICE_CODES, readRowsWithLines, STATUS } from './transfers.repo.js';

/**
 * GET /api/alarms paged in SQL (docs/decisions/0017): the transfer and notice alarms are rows of
 * eval_transfers (its partial index of alarmed rows, by MBA) with their lines; the balance
 * alarms, a few per MBA and period computed by the evaluation, join them as literal rows, so
 * filtering, sorting, counting and the window happen in one query and no list is held.
 */

/** A balance alarm as listed, with its place in its MBA's list. */
export interface BalanceAlarmRow {
  readonly key: string;
  readonly code: string;
  readonly state: string;
  readonly mba: string;
  readonly element: string | null;
  readonly date: string;
  readonly from: string | null;
}

export interface AlarmRow {
  /** The balance alarm's key; null for a transfer or notice alarm (made from its fields). */
  readonly key: string | null;
  readonly code: string;
  readonly state: string;
  readonly mba: string;
  readonly element: string | null;
  readonly date: string;
  readonly from: string | null;
  readonly ref: string | null;
}

const SORTS = {
  columns: { date: 'date', code: 'code', state: 'state', mba: 'mba', element: 'element' },
  nullable: ['element'],
  natural: ['ord_mba', 'kind', 'ord_a', 'ord_b'],
};

function transferAlarms(
  notice: boolean,
  unmatchedBefore: string,
  flagged: { readonly only: boolean; readonly sqlite: boolean },
): RawBuilder<unknown> {
  const code = notice
    ? sql`case when t.notice = 1 then 'NOTICE_MISSING' else 'NOTICE_LATE' end`
    : sql`case when t.status = 1 then 'SRD_3SIGMA' else 'TRANSFER_UNMATCHED' end`;
  // The partial index's own condition comes first, so both dialects use it. A lone line alarms
  // once its deadline (30 days after its month) has passed: dated before `unmatchedBefore`; an MBA
  // with no such line (m.lone_past = 0, from the counts) is read from the index of its discrepant
  // and notice rows alone, never joining its lone rows to their lines (decision 0110).
  const rows = flagged.only
    ? sql`eval_transfers t ${flagged.sqlite ? sql`indexed by eval_transfers_flagged` : sql``}`
    : sql`eval_transfers t`;
  const where = flagged.only
    ? sql`m.lone_past = 0 and (t.status = 1 or t.notice is not null)
      and ${notice ? sql`t.notice is not null` : sql`t.status = 1`}`
    : sql`m.lone_past = 1 and (t.status <> 0 or t.notice is not null)
      and ${notice ? sql`t.notice is not null` : sql`(t.status = 1 or (t.status = 2 and l.date < ${unmatchedBefore}))`}`;
  return sql`select m.ord as ord_mba, 1 as kind, t.origin_report as ord_a,
      2 * t.origin_line + ${sql.raw(notice ? '1' : '0')} as ord_b, cast(null as text) as akey, ${code} as code,
      m.state as state, t.mba as mba, l.element as element, l.date as date,
      cast(null as text) as from_date,
      t.mba || '/' || coalesce(e.last_report, t.origin_report) || '/' || coalesce(e.last_line, t.origin_line) as ref
    from m join ${rows} on t.mba = m.mba
    left join eval_entries e
      on e.mba = t.mba and e.origin_report = t.origin_report and e.origin_line = t.origin_line
    join report_lines l
      on l.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
      and l.line = coalesce(e.last_line, t.origin_line)
    where ${where}`;
}

/**
 * One page of the alarms of the MBAs given (in their order) and the number of all that match:
 * per MBA its balance alarms in the order given, then its lines' transfer and notice alarms in
 * effective order; `code` and `q` filter, `sort` orders (ties in that order).
 */
export async function pageAlarms(
  q: DbOrTx,
  args: {
    readonly mbas: readonly { mba: string; state: string }[];
    readonly balance: readonly BalanceAlarmRow[];
    readonly code: string | undefined;
    readonly unmatchedBefore: string;
    readonly req: PageRequest;
    /**
     * More alarm rows with the same columns, not of an MBA (e.g. the declarations' cross-checks,
     * store/declaration-checks.repo.ts), listed after every MBA's.
     */
    readonly extra?: RawBuilder<unknown> | undefined;
  },
): Promise<{ rows: AlarmRow[]; total: number }> {
  if (args.mbas.length === 0 && args.extra === undefined) return { rows: [], total: 0 };
  const ord = new Map(args.mbas.map((m, i) => [m.mba, i]));
  const lonePast = await lonePastOf(
    q,
    args.mbas.map((x) => x.mba),
    args.unmatchedBefore,
  );
  const m =
    args.mbas.length === 0
      ? sql`select cast(null as text), cast(null as text), cast(0 as integer), cast(0 as integer) where 1 = 0`
      : sql`values ${sql.join(
          args.mbas.map(
            (x, i) =>
              sql`(${x.mba}, ${x.state}, cast(${i} as integer), cast(${lonePast.has(x.mba) ? 1 : 0} as integer))`,
          ),
        )}`;
  const balance =
    args.balance.length === 0
      ? sql`select 0, 0, 0, 0, cast(null as text), '', '', '', cast(null as text), '', cast(null as text), cast(null as text) where 1 = 0`
      : sql`select * from (values ${sql.join(
          args.balance.map(
            (b, i) =>
              sql`(cast(${ord.get(b.mba) ?? 0} as integer), 0, cast(${i} as integer), 0, cast(${b.key} as text), cast(${b.code} as text),
                cast(${b.state} as text), cast(${b.mba} as text), cast(${b.element} as text),
                cast(${b.date} as text), cast(${b.from} as text), cast(null as text))`,
          ),
        )}) as b`;
  const extra = args.extra === undefined ? sql`` : sql`union all ${args.extra}`;
  // Monitoring devices' alarms (issue 18 §5) after each MBA's own, in the order of their causes:
  // of the view's devices only, each read on its alarms' key (decision 0097).
  const devices = sql`select m.ord as ord_mba, 2 as kind,
      row_number() over (order by d.at, d.device, d.code) as ord_a, 0 as ord_b,
      'device:' || d.device || ':' || d.code || ':' || d.at as akey, d.code as code, m.state as state,
      m.mba as mba, cast(null as text) as element, substr(d.at, 1, 10) as date,
      cast(null as text) as from_date, d.device as ref
    from ${devicesOfMbas(sql`select mba from m`)} dv
    join m on m.mba = dv.mba
    join device_alarms d on d.device = dv.id`;
  // Without an MBA only the extra rows: the transfer and device arms, joined to an empty `m`,
  // were planned from their own tables and read every alarmed row and device alarm of every MBA
  // to produce nothing (decision 0095).
  const sqlite = !isPostgres(q);
  const arms = [false, true].flatMap((only) =>
    [false, true].map((notice) => transferAlarms(notice, args.unmatchedBefore, { only, sqlite })),
  );
  const ofMbas =
    args.mbas.length === 0
      ? balance
      : sql`${sql.join(arms, sql` union all `)}
      union all ${balance}
      union all ${devices}`;
  const all = sql`with m(mba, state, ord, lone_past) as (${m}),
    a(ord_mba, kind, ord_a, ord_b, akey, code, state, mba, element, date, from_date, ref) as (
      ${ofMbas} ${extra})`;
  const where = [sql`1 = 1`];
  if (args.code !== undefined) where.push(sql`code = ${args.code}`);
  if (args.req.q) where.push(textMatches(['code', 'state', 'mba', 'element', 'ref'], args.req.q));
  const filter = sql.join(where, sql` and `);
  const order = sql.join(orderTerms(SORTS, args.req).map(([term, dir]) => sql`${term} ${sql.raw(dir)}`));
  // The page and the number of all that match in one statement (a window count over the filtered
  // rows, before the window of the page): the two statements each joined every alarmed transfer
  // row to its line, ~35 % more time with 100 000 alarms of one MBA. A page past the end has no
  // row to carry the count; only then is it counted on its own.
  const { rows } = await sql<{
    akey: string | null;
    code: string;
    state: string;
    mba: string;
    element: string | null;
    date: string;
    from_date: string | null;
    ref: string | null;
    total: number | string | bigint;
  }>`${all} select akey, code, state, mba, element, date, from_date, ref, count(*) over () as total from a
    where ${filter} order by ${order} limit ${args.req.limit} offset ${args.req.offset}`.execute(q);
  const total =
    rows[0] !== undefined
      ? Number(rows[0].total)
      : args.req.offset === 0 && args.req.limit > 0
        ? 0
        : countOf(
            (await sql<{ n: number | string }>`${all} select count(*) as n from a where ${filter}`.execute(q))
              .rows[0],
          );
  return {
    rows: rows.map((r) => ({
      key: r.akey,
      code: r.code,
      state: r.state,
      mba: r.mba,
      element: r.element,
      date: r.date,
      from: r.from_date,
      ref: r.ref,
    })),
    total,
  };
}

/**
 * Alarmed rows read per statement while walking an MBA's transfer alarms in order: the first
 * statement reads 500, each next one twice as many up to 8 000. On SQLite every statement walks
 * the index from where the last stopped; PostgreSQL's alarmed index is on the MBA alone (0029), so
 * there each statement sorts the MBA's alarmed rows again, and a deep page takes a few such
 * statements rather than one per 500 rows. A statement's rows are held at once: at most 8 000.
 */
const WALK_FIRST = 500;
const WALK_MAX = 8000;

/**
 * Which alarmed rows can give alarms of `code` (all codes: any alarmed row past its condition).
 * Without a lone line past its deadline (`lonePast`, from the counts) the lone rows are left out
 * on the row itself, before any is joined to its line (decision 0110).
 */
function alarmCondition(
  code: string | undefined,
  unmatchedBefore: string,
  lonePast: boolean,
): RawBuilder<unknown> {
  switch (code) {
    case undefined:
      return lonePast
        ? sql`(t.status = 1 or t.notice is not null or (t.status = 2 and l.date < ${unmatchedBefore}))`
        : sql`(t.status = 1 or t.notice is not null)`;
    case 'SRD_3SIGMA':
      return sql`t.status = 1`;
    case 'TRANSFER_UNMATCHED':
      return lonePast ? sql`t.status = 2 and l.date < ${unmatchedBefore}` : sql`1 = 0`;
    case 'NOTICE_MISSING':
      return sql`t.notice = 1`;
    case 'NOTICE_LATE':
      return sql`t.notice = 2`;
    default:
      return sql`1 = 0`;
  }
}

/**
 * One MBA's transfer and notice alarms in the list's order (the pageAlarms order of its kind-1
 * rows: origin, then a line's transfer alarm before its notice alarm), `code` filtering, a
 * statement's worth at a time. Walks the alarmed rows' index in origin order (on SQLite told which
 * index: decision 0083), joining each row to its line in force, so a walker holds one statement's
 * rows (at most WALK_MAX), never the MBA's other alarms. The walk resumes after the last row by a
 * row value, which SQLite seeks to in the index; the OR of its two parts was searched on the MBA
 * alone, so every statement read the MBA's alarmed rows from the first again (decision 0100).
 */
export async function* walkTransferAlarms(
  q: DbOrTx,
  mba: { readonly mba: string; readonly state: string },
  code: string | undefined,
  unmatchedBefore: string,
): AsyncGenerator<AlarmRow[], void, void> {
  // Without a lone line past its deadline only the discrepant and notice rows can alarm: their
  // own index, not the lone rows within their grace period (decision 0110).
  const lonePast = (await lonePastOf(q, [mba.mba], unmatchedBefore)).has(mba.mba);
  if (code === 'TRANSFER_UNMATCHED' && !lonePast) return;
  const name = lonePast ? 'eval_transfers_alarmed' : 'eval_transfers_flagged';
  const index = isPostgres(q) ? sql`` : sql`indexed by ${sql.raw(name)}`;
  const rowsOf = lonePast
    ? sql`(t.status <> 0 or t.notice is not null)`
    : sql`(t.status = 1 or t.notice is not null)`;
  let after: readonly [number, number] = [-1, -1];
  for (let batch = WALK_FIRST; ; batch = Math.min(WALK_MAX, 2 * batch)) {
    const rows = await readRowsWithLines(
      q,
      sql`eval_transfers t ${index}`,
      sql`t.mba = ${mba.mba} and ${rowsOf}
        and (t.origin_report, t.origin_line) > (${after[0]}, ${after[1]})
        and ${alarmCondition(code, unmatchedBefore, lonePast)}`,
      sql`order by t.origin_report, t.origin_line limit ${batch}`,
    );
    const out: AlarmRow[] = [];
    for (const r of rows) {
      const codes: string[] = [];
      if (r.status === STATUS.discrepant) codes.push('SRD_3SIGMA');
      else if (r.status === STATUS.lone && r.held.date < unmatchedBefore) codes.push('TRANSFER_UNMATCHED');
      if (r.notice !== null) codes.push(NOTICE_CODES[r.notice - 1] as string);
      for (const c of codes) {
        if (code !== undefined && c !== code) continue;
        out.push({
          key: null,
          code: c,
          state: mba.state,
          mba: mba.mba,
          element: r.held.element,
          date: r.held.date,
          from: null,
          // As pageAlarms names it: the MBA and the place of the line in force.
          ref: `${mba.mba}/${r.held.reportNumber}/${r.held.line}`,
        });
      }
    }
    if (out.length > 0) yield out;
    const last = rows.at(-1);
    if (rows.length < batch || last === undefined) return;
    after = [last.report, last.line];
  }
}

/**
 * One MBA's transfer and notice alarms from `skip`, at most `take`, in walkTransferAlarms' order:
 * a page costs the rows before it in its MBA and its own.
 */
export async function readTransferAlarmWindow(
  q: DbOrTx,
  mba: { readonly mba: string; readonly state: string },
  code: string | undefined,
  unmatchedBefore: string,
  skip: number,
  take: number,
): Promise<AlarmRow[]> {
  const out: AlarmRow[] = [];
  if (take <= 0) return out;
  let left = skip;
  for await (const batch of walkTransferAlarms(q, mba, code, unmatchedBefore)) {
    if (left >= batch.length) {
      left -= batch.length;
      continue;
    }
    for (let i = left; i < batch.length && out.length < take; i++) out.push(batch[i] as AlarmRow);
    left = 0;
    if (out.length === take) return out;
  }
  return out;
}

/**
 * The devices whose alarms are listed under one of the MBAs `mbas` selects (a one-column query):
 * `(id, mba)` rows, found among the devices of those MBAs' facilities, each placed by
 * deviceMbaSql (the MBA of its KMP, else its facility's first). A registry's worth of rows, never
 * an alarm: each device's alarms are then read on their key, which leads with the device
 * (decision 0097), where the arms joined every device alarm of every MBA to find the view's.
 */
function devicesOfMbas(mbas: RawBuilder<unknown>): RawBuilder<unknown> {
  // Not aliased `v` nor `b`: deviceMbaSql's subqueries use those names themselves.
  return sql`(select dvc.id as id, ${deviceMbaSql('dvc.id')} as mba from devices dvc
    where dvc.facility in (select mb.facility from mbas mb where mb.code in (${mbas})))`;
}

/**
 * The monitoring devices' alarms of each MBA given, per code (`code` filtering): counted on the
 * alarms' key, device by device, for the devices of these MBAs only.
 */
export async function countDeviceAlarms(
  q: DbOrTx,
  mbas: readonly string[],
  code: string | undefined,
): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (mbas.length === 0) return out;
  const { rows } = await sql<{ mba: string; code: string; n: number | string }>`with
      m(mba) as (values ${sql.join(mbas.map((x) => sql`(${x})`))})
    select dv.mba as mba, d.code as code, count(*) as n
    from ${devicesOfMbas(sql`select mba from m`)} dv
    join device_alarms d on d.device = dv.id
    where dv.mba in (select mba from m) ${code === undefined ? sql`` : sql`and d.code = ${code}`}
    group by dv.mba, d.code`.execute(q);
  for (const r of rows) {
    let byCode = out.get(r.mba);
    if (!byCode) {
      byCode = new Map();
      out.set(r.mba, byCode);
    }
    byCode.set(r.code, countOf(r));
  }
  return out;
}

/** One MBA's device alarms from `skip`, at most `take`, in pageAlarms' order (time, device, code). */
export async function readDeviceAlarmWindow(
  q: DbOrTx,
  mba: { readonly mba: string; readonly state: string },
  code: string | undefined,
  skip: number,
  take: number,
): Promise<AlarmRow[]> {
  if (take <= 0) return [];
  const { rows } = await sql<{ device: string; code: string; at: string }>`select d.device, d.code, d.at
    from ${devicesOfMbas(sql`select ${mba.mba}`)} dv
    join device_alarms d on d.device = dv.id
    where dv.mba = ${mba.mba} ${code === undefined ? sql`` : sql`and d.code = ${code}`}
    order by d.at, d.device, d.code limit ${take} offset ${skip}`.execute(q);
  return rows.map((r) => ({
    key: `device:${r.device}:${r.code}:${r.at}`,
    code: r.code,
    state: mba.state,
    mba: mba.mba,
    element: null,
    date: r.at.slice(0, 10),
    from: null,
    ref: r.device,
  }));
}
