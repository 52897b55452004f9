import { type RawBuilder, sql } from 'kysely';
import type { DbOrTx } from './db.js';
import { countOf } from './paging.js';

/**
 * The cross-checks of Additional Protocol declarations (issue 19 item 5, decision 0032), in SQL
 * so memory does not grow with the declarations stored: every item in force (of a declaration no
 * supplement has replaced) of an export article is paired with the other State's item of the
 * matching import article, as transfers are (domain/transfers match.ts), here in two passes:
 *   1. same key (shipper, receiver, Annex II reference or element) and same quantity, the n-th
 *      export with the n-th import in date order: matched;
 *   2. what is left, same key only, n-th with n-th: discrepant (the quantities differ);
 * what is still left is lone, and a finding once it is dated before its grace cut-off.
 * Both States' items are read here, server-side; each finding is about one State's own item.
 */
export interface CrossCheckCutoffs {
  /** Annex II items dated before this day are past their grace period. */
  readonly annexII: string;
  /** Source-material items dated before this day are past their grace period. */
  readonly sourceMaterial: string;
}

export interface CrossCheckFindingRow {
  readonly code: string;
  /** The State whose item the finding is about. */
  readonly state: string;
  readonly date: string;
  /** `<declaration id>#<item index>`. */
  readonly ref: string;
}

// Export articles ship; the State of an export item is the shipper, of an import the receiver.
const SHIP = sql`i.article in ('2.a.ix', '2.a.vi.b')`;

/** Every finding as rows (code, state, date, ref, did, idx), one select usable inside a union. */
export function crossCheckFindings(c: CrossCheckCutoffs): RawBuilder<unknown> {
  return sql`select * from (
    with side as (
      select i.declaration_id as did, i.idx as idx, i.state as state, i.item_date as item_date,
        i.quantity_milli as q,
        case when ${SHIP} then 1 else 0 end as ship,
        case when i.article in ('2.a.ix', '2.a.ix.b') then 'ANNEX_II' else 'SOURCE_MATERIAL' end as chk,
        case when ${SHIP} then i.state else i.counterpart end as shipper,
        case when ${SHIP} then i.counterpart else i.state end as receiver,
        coalesce(i.annex_ref, i.element) as k
      from declaration_items i
      where i.article in ('2.a.ix', '2.a.ix.b', '2.a.vi.b', '2.a.vi.c')
        and not exists (select 1 from declarations s where s.supplements = i.declaration_id)
    ),
    r1 as (
      select side.*, row_number() over (
        partition by chk, ship, shipper, receiver, k, q order by item_date, did, idx) as n
      from side
    ),
    p1 as materialized (
      select e.did as edid, e.idx as eidx, m.did as idid, m.idx as iidx
      from r1 e join r1 m
        on e.ship = 1 and m.ship = 0 and m.chk = e.chk and m.shipper = e.shipper
        and m.receiver = e.receiver and m.k = e.k and m.q = e.q and m.n = e.n
    ),
    rest as (
      select * from side s
      where not exists (select 1 from p1 where s.ship = 1 and p1.edid = s.did and p1.eidx = s.idx)
        and not exists (select 1 from p1 where s.ship = 0 and p1.idid = s.did and p1.iidx = s.idx)
    ),
    r2 as (
      select rest.*, row_number() over (
        partition by chk, ship, shipper, receiver, k order by item_date, did, idx) as n
      from rest
    )
    select e.chk || '_DISCREPANT' as code, e.state as state, e.item_date as date, e.did as did, e.idx as idx
    from r2 e join r2 m
      on e.ship = 1 and m.ship = 0 and m.chk = e.chk and m.shipper = e.shipper
      and m.receiver = e.receiver and m.k = e.k and m.n = e.n
    union all
    select x.chk || '_UNMATCHED', x.state, x.item_date, x.did, x.idx
    from r2 x
    where x.item_date < case when x.chk = 'ANNEX_II' then ${c.annexII} else ${c.sourceMaterial} end
      and not exists (
        select 1 from r2 y
        where y.ship <> x.ship and y.chk = x.chk and y.shipper = x.shipper
          and y.receiver = x.receiver and y.k = x.k and y.n = x.n)
  ) as f`;
}

export interface CrossCheckFilter {
  readonly states: readonly string[] | 'all';
  readonly state?: string | undefined;
  readonly code?: string | undefined;
}

function where(f: CrossCheckFilter): RawBuilder<unknown> {
  const parts = [sql`1 = 1`];
  if (f.states !== 'all')
    parts.push(
      f.states.length === 0 ? sql`1 = 0` : sql`state in (${sql.join(f.states.map((s) => sql`${s}`))})`,
    );
  if (f.state !== undefined) parts.push(sql`state = ${f.state}`);
  if (f.code !== undefined) parts.push(sql`code = ${f.code}`);
  return sql.join(parts, sql` and `);
}

/**
 * The findings as alarm rows for GET /api/alarms (store/alarms.repo.ts): after every MBA's alarms
 * (`ord` is past the last MBA's), in date order; no MBA, no element.
 */
export function crossCheckAlarmArm(
  c: CrossCheckCutoffs,
  f: CrossCheckFilter,
  ord: number,
): RawBuilder<unknown> {
  return sql`select cast(${ord} as integer) as ord_mba, 2 as kind,
      row_number() over (order by date, did, idx) as ord_a, 0 as ord_b,
      'AP:' || code || ':' || did || '#' || idx as akey, code, state, '' as mba,
      cast(null as text) as element, date, cast(null as text) as from_date, did || '#' || idx as ref
    from (${crossCheckFindings(c)}) as x where ${where(f)}`;
}

/** One page of the findings (opening cases walks them page by page). */
export async function pageCrossCheckFindings(
  q: DbOrTx,
  c: CrossCheckCutoffs,
  f: CrossCheckFilter,
  page: { limit: number; offset: number },
): Promise<CrossCheckFindingRow[]> {
  const { rows } = await sql<{
    code: string;
    state: string;
    date: string;
    did: string;
    idx: number | string;
  }>`
    select code, state, date, did, idx from (${crossCheckFindings(c)}) as x where ${where(f)}
    order by date, did, idx limit ${page.limit} offset ${page.offset}`.execute(q);
  return rows.map((r) => ({ code: r.code, state: r.state, date: r.date, ref: `${r.did}#${Number(r.idx)}` }));
}

/** The findings counted per State and code (GET /api/alarms/summary). */
export async function countCrossCheckFindings(
  q: DbOrTx,
  c: CrossCheckCutoffs,
  f: CrossCheckFilter,
): Promise<{ state: string; code: string; n: number }[]> {
  const { rows } = await sql<{ state: string; code: string; n: number | string }>`
    select state, code, count(*) as n from (${crossCheckFindings(c)}) as x where ${where(f)}
    group by state, code order by state, code`.execute(q);
  return rows.map((r) => ({ state: r.state, code: r.code, n: countOf(r) }));
}

/**
 * How many declarations are stored: declarations are only ever added (a supplement is a new one),
 * so while this stays the same the cross-check's findings change only with the day (the case
 * pass's mark, decision 0108).
 */
export async function countDeclarations(q: DbOrTx): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from declarations`.execute(q);
  return countOf(rows[0]);
}
