import { type AlarmCode, type DatedAlarm, deadlinePassedBefore } from '../../domain/accounting/index.js';
import { annexIIUnmatchedBefore, sourceMaterialUnmatchedBefore } from '../../domain/declarations/index.js';
import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import { inScope, type Principal, type StateScope } from '../../domain/policy/index.js';
import type { ElementCode } from '../../domain/reports/index.js';
import {
  type AlarmRow,
  type BalanceAlarmRow,
  countDeviceAlarms,
  pageAlarms,
  walkTransferAlarms,
} from '../../store/alarms.repo.js';
import { Pacer } from '../../store/bulk.js';
import {
  type CrossCheckCutoffs,
  countCrossCheckFindings,
  crossCheckAlarmArm,
} from '../../store/declaration-checks.repo.js';
import { countSplitViewAlarms, withSplitViewAlarms } from '../../store/fed-witness.repo.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { declarationScopeOf } from '../declarations/queries.js';
import type { SortValue } from '../page-memory.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { pageAlarmsBySegments } from './alarm-segments.js';
import { type MbaEvaluator, readTransferAlarmGroups, type StoredEvaluation } from './balances.js';

const TRANSFER_ALARMS: ReadonlySet<AlarmCode> = new Set([
  'SRD_3SIGMA',
  'TRANSFER_UNMATCHED',
  'NOTICE_MISSING',
  'NOTICE_LATE',
]);

/** In-process callers without a window: the first 1000 rows, as the API's largest page. */
export const ALL: PageRequest = { limit: 1000, offset: 0 };

/** One alarm as listed by GET /api/alarms (and the cause of at most one case). */
export interface AlarmView {
  readonly key: string;
  readonly code: AlarmCode;
  readonly state: string;
  readonly mba: string;
  readonly element: ElementCode | null;
  /** The PIT closing the balance, or the transfer's date. */
  readonly date: string;
  readonly from: string | null;
  readonly ref: string | null;
}

/** When the declarations' lone items become findings, as of the evaluation date. */
export function crossCheckCutoffs(asOf: string): CrossCheckCutoffs {
  return { annexII: annexIIUnmatchedBefore(asOf), sourceMaterial: sourceMaterialUnmatchedBefore(asOf) };
}

/** A listed row as the API names it (a transfer alarm's key made from its fields). */
export function viewOfRow(r: AlarmRow): AlarmView {
  return {
    key: r.key ?? `${r.mba}:${r.element ?? '-'}:${r.date}:${r.code}:${r.ref ?? ''}`,
    code: r.code as AlarmCode,
    state: r.state,
    mba: r.mba,
    element: r.element as ElementCode | null,
    date: r.date,
    from: r.from,
    ref: r.ref,
  };
}

/** The sortable fields of GET /api/alarms (the route's `sort` enum). */
export const ALARM_SORT_FIELDS = ['date', 'code', 'state', 'mba', 'element'] as const;
const ALARM_SORTS: Record<(typeof ALARM_SORT_FIELDS)[number], SortValue<AlarmView>> = {
  date: (a) => a.date,
  code: (a) => a.code,
  state: (a) => a.state,
  mba: (a) => a.mba,
  element: (a) => a.element,
};

/** The alarms of one MBA as listed: balance alarms per period, then its transfer and notice alarms. */
export function alarmViewsOf(st: StoredEvaluation, own: readonly DatedAlarm[]): AlarmView[] {
  const m = st.facts;
  const alarms: AlarmView[] = [];
  for (const el of st.evaluation.elements) {
    for (const p of el.periods) {
      for (const code of p.alarms) {
        // Transfer and notice alarms are listed once below, with the transfer they are about.
        if (TRANSFER_ALARMS.has(code)) continue;
        alarms.push({
          key: `${m.code}:${el.element}:${p.to}:${code}`,
          code,
          state: m.state,
          mba: m.code,
          element: el.element,
          date: p.to,
          from: p.from,
          ref: null,
        });
      }
    }
  }
  for (const a of own) {
    alarms.push({
      key: `${m.code}:${a.element ?? '-'}:${a.date}:${a.code}:${a.ref ?? ''}`,
      code: a.code,
      state: m.state,
      mba: m.code,
      element: a.element ?? null,
      date: a.date,
      from: null,
      ref: a.ref ?? null,
    });
  }
  return alarms;
}

/**
 * The alarm lists. Alarms are computed per MBA from its derived state (balances from its cells,
 * transfer alarms from its alarmed transfer lines), one MBA at a time; the cases they open are
 * case-pass.ts's.
 */
// long: the list and the summary share the evaluator and the view's MBAs
export function createAlarms(ports: Ports, evaluator: MbaEvaluator) {
  /** Every alarm of every MBA, in registry order: its balance alarms, then its transfer alarms walked. */
  async function everyAlarm(): Promise<AlarmView[]> {
    const out: AlarmView[] = [];
    const before = unmatchedBefore();
    for await (const st of evaluator.evaluateEach()) {
      out.push(...alarmViewsOf(st, []));
      const m = { mba: st.facts.code, state: st.facts.state };
      for await (const rows of walkTransferAlarms(ports.db.kysely, m, undefined, before)) {
        out.push(...rows.map(viewOfRow));
      }
    }
    return out;
  }

  const cutoffs = () => crossCheckCutoffs(evaluator.asOf());

  /**
   * A lone transfer line alarms once its deadline, 30 days after the end of its month, has
   * passed: dated before the first of the month 30 days before the evaluation date.
   */
  function unmatchedBefore(): string {
    return deadlinePassedBefore(evaluator.asOf());
  }

  /**
   * The MBAs a view of the alarms can hold (undefined: every MBA), from the registry: only those
   * are evaluated. Evaluating every MBA to keep one MBA's or one state's (decision 0102) cost
   * ~1.4 ms an MBA after each new record.
   */
  async function mbasOfView(
    scope: StateScope,
    f: { readonly state?: string | undefined; readonly mba?: string | undefined },
  ): Promise<readonly string[] | undefined> {
    if (f.mba) return [f.mba];
    const states = f.state ? [f.state] : scope === 'all' ? undefined : [...scope];
    if (states === undefined) return undefined;
    const registry = createRegistryRepo(ports.db);
    const codes: string[] = [];
    for (const state of states) for (const m of await registry.listMbas({ state })) codes.push(m.code);
    return codes;
  }

  return {
    /**
     * The alarms in the caller's scope, filtered, then sorted and windowed (docs/decisions/0007):
     * with 100 000 unmatched transfer lines an MBA has as many alarms, so the list is paged.
     */
    async alarms(
      p: Principal,
      f: { state?: string; mba?: string; code?: string },
      req: PageRequest = ALL,
    ): Promise<Page<AlarmView>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      if (req.sort !== undefined && !Object.hasOwn(ALARM_SORTS, req.sort)) {
        throw new DomainError('VALIDATION_FAILED', `cannot sort alarms by ${req.sort}`, [
          {
            field: 'querystring.sort',
            ...problemOf('FIELD_INVALID.oneOf', { allowed: ALARM_SORT_FIELDS }),
            message: `one of ${ALARM_SORT_FIELDS.join(', ')}`,
          },
        ]);
      }
      const mbas: { mba: string; state: string; balance: BalanceAlarmRow[] }[] = [];
      const pacer = new Pacer();
      for await (const st of evaluator.evaluateEach(await mbasOfView(scope, f))) {
        const m = st.facts;
        if (!inScope(scope, m.state) || (f.state && m.state !== f.state) || (f.mba && m.code !== f.mba))
          continue;
        mbas.push({ mba: m.code, state: m.state, balance: alarmViewsOf(st, []) });
        if (pacer.due()) await pacer.pause();
      }
      const cutoff = unmatchedBefore();
      // The declarations' findings: not of an MBA, and only of the States whose declarations the
      // caller may read (an Additional Protocol in force with them: policy).
      const declScope = await declarationScopeOf(ports, p);
      // Split views of logs the node exchanges records with (decision 0043): of the states in scope.
      const extra = f.mba
        ? undefined
        : withSplitViewAlarms(
            crossCheckAlarmArm(
              cutoffs(),
              { states: declScope === 'all' ? 'all' : [...declScope], state: f.state },
              mbas.length,
            ),
            { states: scope === 'all' ? 'all' : [...scope], state: f.state },
            mbas.length + 1,
          );
      // In the list's own order a page reads only its segments (decision 0085); a sort or a
      // search orders or filters every alarm, in one statement.
      const { rows, total } =
        req.sort === undefined && req.q === undefined
          ? await pageAlarmsBySegments(ports.db.kysely, {
              mbas,
              code: f.code,
              asOf: evaluator.asOf(),
              unmatchedBefore: cutoff,
              req,
              extra,
            })
          : await pageAlarms(ports.db.kysely, {
              mbas,
              balance: mbas.flatMap((m) => m.balance),
              code: f.code,
              unmatchedBefore: cutoff,
              req,
              extra,
            });
      return {
        items: rows.map(viewOfRow),
        total,
        limit: req.limit,
        offset: req.offset,
      };
    },
    /**
     * Alarm counts per state in scope and per code (GET /api/alarms/summary): what the overview
     * shows, without sending every alarm.
     */
    async alarmSummary(p: Principal) {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      const byState = new Map<string, { total: number; codes: Record<string, number> }>();
      let total = 0;
      const count = (state: string, code: string, n: number) => {
        total += n;
        let s = byState.get(state);
        if (!s) {
          s = { total: 0, codes: {} };
          byState.set(state, s);
        }
        s.total += n;
        s.codes[code] = (s.codes[code] ?? 0) + n;
      };
      const stateOf = new Map<string, string>();
      const pacer = new Pacer();
      for await (const st of evaluator.evaluateEach(await mbasOfView(scope, {}))) {
        if (pacer.due()) await pacer.pause();
        if (!inScope(scope, st.facts.state)) continue;
        stateOf.set(st.facts.code, st.facts.state);
        // Balance alarms from the evaluation; transfer alarms counted in SQL (one group per day and code).
        for (const a of alarmViewsOf(st, [])) count(st.facts.state, a.code, 1);
        for (const a of await readTransferAlarmGroups(ports.db.kysely, st.facts.code, evaluator.asOf()))
          count(st.facts.state, a.code, a.count ?? 1);
      }
      // The monitoring devices' alarms, under their MBAs as the list shows them (decision 0097).
      for (const [mba, byCode] of await countDeviceAlarms(ports.db.kysely, [...stateOf.keys()], undefined))
        for (const [code, n] of byCode) count(stateOf.get(mba) as string, code, n);
      const declScope = await declarationScopeOf(ports, p);
      // The declarations' findings and the split views (decision 0043), as GET /api/alarms lists them.
      for (const a of [
        ...(await countCrossCheckFindings(ports.db.kysely, cutoffs(), {
          states: declScope === 'all' ? 'all' : [...declScope],
        })),
        ...(await countSplitViewAlarms(ports.db.kysely, { states: scope === 'all' ? 'all' : [...scope] })),
      ]) {
        total += a.n;
        const s = byState.get(a.state) ?? { total: 0, codes: {} };
        byState.set(a.state, s);
        s.total += a.n;
        s.codes[a.code] = (s.codes[a.code] ?? 0) + a.n;
      }
      return {
        total,
        states: [...byState]
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([state, s]) => ({ state, total: s.total, codes: s.codes })),
      };
    },
    /** Every alarm of every MBA, in registry order (tests compare services over one store with it). */
    allAlarms: everyAlarm,
  };
}
