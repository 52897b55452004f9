import { sql } from 'kysely';
import type { RecordKind } from '../domain/record-kinds.js';
import type { DbOrTx } from './db.js';

/**
 * What changed, since a mark, among the facts that reporting obligations are judged from
 * (docs/decisions/0093): the deadline scheduler's passes within one day judge only the states and
 * MBAs named here. Every fact a state's obligations are judged from is a record of the log (its
 * reports, refusals, declarations, agreements, legal instruments, a peer's reports received),
 * except the registry's MBAs and states, which are only ever added: their counts are a mark of
 * their own.
 */

/** Where the log and the registry stand: taken before a pass reads anything. */
export interface ChangeMarks {
  /** The next log index to be reserved: every record below it is committed (see readChangeMarks). */
  readonly log: number;
  /** MBAs, states and agreements as counts and latest creation. */
  readonly registry: string;
}

/**
 * The marks now. A record's index is reserved by updating the one `log_sequence` row inside the
 * transaction that writes the record, so a second writer waits for the first to commit (SQLite's
 * writer lock; PostgreSQL's row lock): the committed `next_index` is never ahead of a record still
 * to commit, and a change under it is never missed by the next pass.
 */
export async function readChangeMarks(q: DbOrTx): Promise<ChangeMarks> {
  const { rows } = await sql<{
    next_index: number | string;
    mbas: number | string;
    mba_at: string | null;
    states: number | string;
    agreements: number | string;
    parties: number | string;
  }>`select (select next_index from log_sequence where id = 1) as next_index,
      (select count(*) from mbas) as mbas, (select max(created_at) from mbas) as mba_at,
      (select count(*) from states) as states, (select count(*) from agreements) as agreements,
      (select count(*) from agreement_parties) as parties`.execute(q);
  const r = rows[0];
  if (r === undefined) throw new Error('readChangeMarks: no row');
  return {
    log: Number(r.next_index),
    registry: [r.mbas, r.mba_at ?? '', r.states, r.agreements, r.parties].map(String).join('|'),
  };
}

/** The states and MBAs whose obligations may have changed; `everything` when that cannot be narrowed. */
export interface ObligationChanges {
  readonly everything: boolean;
  /** States whose every obligation (declarations included) is to be judged again. */
  readonly states: Set<string>;
  /** Per state, the MBAs whose reporting obligations are to be judged again. */
  readonly mbas: Map<string, Set<string>>;
}

/** Records read per statement: a minute's records, however busy, are read in bounded steps. */
const PAGE = 5_000;

/**
 * The states and MBAs named by the log's records in [from, to), except those of the kinds
 * given as unable to change an obligation. A report (submitted or received from a peer) names its
 * MBA, a refusal the MBA it names (a refusal naming none is read by no MBA's judgement); any
 * other record names its subject state, and one without a state, everything. Memory holds the
 * distinct names, never the records.
 */
export async function readObligationChanges(
  q: DbOrTx,
  from: number,
  to: number,
  neutral: readonly RecordKind[],
): Promise<ObligationChanges> {
  const out: ObligationChanges = { everything: false, states: new Set(), mbas: new Map() };
  const mbaOf = (state: string, mba: string) => {
    const set = out.mbas.get(state);
    if (set === undefined) out.mbas.set(state, new Set([mba]));
    else set.add(mba);
  };
  const skip = neutral.length === 0 ? sql`1 = 1` : sql`r.kind not in (${sql.join(neutral)})`;
  for (let after = from - 1; after < to - 1; ) {
    const { rows } = await sql<{
      log_index: number | string;
      kind: string;
      subject_state: string | null;
      report_state: string | null;
      report_mba: string | null;
      refusal: string | null;
      refusal_state: string | null;
      refusal_mba: string | null;
    }>`select r.log_index, r.kind, r.subject_state, p.state as report_state, p.mba as report_mba,
        j.id as refusal, j.state as refusal_state, j.mba as refusal_mba
      from records r
      left join reports p on r.kind in ('report', 'received') and p.id = r.id
      left join report_rejections j on r.kind = 'report-rejection' and j.id = r.id
      where r.log_index > ${after} and r.log_index < ${to} and ${skip}
      order by r.log_index limit ${PAGE}`.execute(q);
    for (const r of rows) {
      if (r.report_state !== null && r.report_mba !== null) mbaOf(r.report_state, r.report_mba);
      else if (r.refusal !== null) {
        if (r.refusal_state !== null && r.refusal_mba !== null) mbaOf(r.refusal_state, r.refusal_mba);
      } else if (r.subject_state !== null) out.states.add(r.subject_state);
      else return { ...out, everything: true };
    }
    if (rows.length < PAGE) break;
    after = Number((rows[rows.length - 1] as { log_index: number | string }).log_index);
  }
  return out;
}
