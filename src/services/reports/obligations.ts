import {
  computeObligations,
  type Obligation,
  type ObligationStatus,
  type ReceivedReport,
  type ReportingRules,
  reportingRulesFrom,
} from '../../domain/deadlines/index.js';
import type { ReportType } from '../../domain/reports/index.js';
import {
  type FirstAcceptance,
  type RefusalRow,
  readExportNotices,
  readFirstAcceptances,
  readRefusalsOfMba,
} from '../../store/obligations.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { instrumentsBindingState } from '../legal/index.js';
import type { Ports } from '../ports.js';

/**
 * A state's reporting obligations as of `today`, one MBA at a time (docs/decisions/0089): from
 * its agreements in force, the MBA, the PITs it has reported, its export notices, and its
 * submissions accepted or refused (a refusal that is cured in time dates the obligation:
 * deadlines domain); each due date from the provision binding the state that states its rule,
 * cited as the obligation's basis. Each chunk is one MBA's obligations sorted by due date, then
 * id; a pass holds one MBA's facts and obligations, never the state's reports.
 */
export async function* stateObligationsByMba(
  ports: Ports,
  state: string,
  today: string,
  /** Only these of the state's MBAs (the scheduler's pass after a change: decision 0093). */
  only?: ReadonlySet<string>,
): AsyncGenerator<Obligation[]> {
  const registry = createRegistryRepo(ports.db);
  const agreements = await agreementsOfState(ports, state);
  // The deadline rules come from the provisions binding the state today (issue 19, decision 0031).
  const rules = reportingRulesFrom(await instrumentsBindingState(ports, state, today));
  for (const m of await registry.listMbas({ state })) {
    if (only !== undefined && !only.has(m.code)) continue;
    const obligations = await obligationsOfMba(ports, { state, agreements, rules, today }, m);
    if (obligations.length > 0) yield obligations;
  }
}

/** The agreements in force to which `state` is a party, as the deadlines domain takes them. */
export async function agreementsOfState(
  ports: Pick<Ports, 'db'>,
  state: string,
): Promise<Parameters<typeof computeObligations>[0]['agreements']> {
  return (await createRegistryRepo(ports.db).listAgreements())
    .filter((a) => a.status === 'in-force' && a.parties.some((x) => x.kind === 'state' && x.ref === state))
    .map((a) => ({
      id: a.id,
      type: a.type,
      entryIntoForce: a.entryIntoForce,
      parties: a.parties.map((x) => x.ref),
    }));
}

async function obligationsOfMba(
  ports: Ports,
  ctx: {
    state: string;
    agreements: Parameters<typeof computeObligations>[0]['agreements'];
    rules: ReportingRules;
    today: string;
  },
  m: { code: string },
): Promise<Obligation[]> {
  const q = ports.db.kysely;
  const accepted = await readFirstAcceptances(q, ctx.state, m.code);
  const notices = (await readExportNotices(q, ctx.state, m.code)).map((r) => ({
    notice: JSON.parse(r.notice_json) as { reference: string; preparationDate: string },
    submittedAt: r.submitted_at,
  }));
  const refused = await readRefusalsOfMba(q, ctx.state, m.code);
  const received: ReceivedReport[] = [
    ...accepted.map((r) => acceptanceAsReceived(m.code, r)),
    ...notices.map(
      (n): ReceivedReport => ({
        type: 'EXPORT_NOTICE',
        mba: m.code,
        submittedAt: n.submittedAt,
        outcome: 'accepted',
        noticeReference: n.notice.reference,
      }),
    ),
    ...refused.map((r) => refusalAsReceived(m.code, r)),
  ];
  const pits = [
    ...new Set(
      accepted.filter((r) => r.pit !== null && (r.type === 'PIL' || r.type === 'MBR')).map((r) => r.pit!),
    ),
  ].sort();
  return computeObligations({
    state: ctx.state,
    agreements: ctx.agreements,
    rules: ctx.rules,
    mbas: [
      {
        mba: m.code,
        pits,
        shipments: notices.map((n) => ({
          direction: 'export' as const,
          reference: n.notice.reference,
          preparationDate: n.notice.preparationDate,
        })),
      },
    ],
    reports: received,
    today: ctx.today,
  });
}

/** One subject's first acceptance as the attempt that meets its obligations (decision 0089). */
function acceptanceAsReceived(mba: string, r: FirstAcceptance): ReceivedReport {
  return withSubject({ type: r.type, mba, submittedAt: r.first, outcome: 'accepted' }, r);
}

function refusalAsReceived(mba: string, r: RefusalRow): ReceivedReport {
  return withSubject(
    { type: r.type as ReportType, mba, submittedAt: r.submitted_at, outcome: 'rejected' },
    r,
  );
}

function withSubject(
  base: ReceivedReport,
  r: { period_from: string | null; period_to: string | null; pit: string | null },
): ReceivedReport {
  if (r.period_from && r.period_to) return { ...base, period: { from: r.period_from, to: r.period_to } };
  if (r.pit) return { ...base, pit: r.pit };
  return base;
}

export type ObligationOrder = 'asc' | 'desc';

/** What a page of a state's obligations asks for: statuses (none = all), one MBA, the order by due date. */
export interface ObligationPageQuery {
  readonly status?: readonly ObligationStatus[] | undefined;
  readonly mba?: string | undefined;
  readonly order?: ObligationOrder | undefined;
  readonly limit: number;
  readonly offset: number;
}

export interface ObligationPage {
  /** Every obligation of the state (all MBAs, all statuses) by status. */
  readonly counts: Record<ObligationStatus, number>;
  /** The obligations the query's filters select. */
  readonly total: number;
  readonly obligations: Obligation[];
}

const byDue = (a: Obligation, b: Obligation) =>
  a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id);

/**
 * A page of a state's obligations in due-date order across its MBAs, with the counts by status.
 * The MBAs' obligations stream past; only the best `offset + limit` selected so far are kept
 * (trimmed whenever twice that many have gathered), so memory is one MBA's obligations plus the
 * page's reach, not the state's history.
 */
export async function pageStateObligations(
  ports: Ports,
  state: string,
  today: string,
  query: ObligationPageQuery,
): Promise<ObligationPage> {
  const counts: Record<ObligationStatus, number> = { upcoming: 0, met: 0, late: 0, missing: 0 };
  const statuses =
    query.status === undefined || query.status.length === 0 ? undefined : new Set(query.status);
  const compare = query.order === 'desc' ? (a: Obligation, b: Obligation) => byDue(b, a) : byDue;
  const reach = query.offset + query.limit;
  let kept: Obligation[] = [];
  let total = 0;
  for await (const chunk of stateObligationsByMba(ports, state, today)) {
    for (const o of chunk) {
      counts[o.status]++;
      if (statuses !== undefined && !statuses.has(o.status)) continue;
      if (query.mba !== undefined && o.mba !== query.mba) continue;
      total++;
      kept.push(o);
    }
    if (kept.length >= 2 * reach) kept = kept.sort(compare).slice(0, reach);
  }
  return { counts, total, obligations: kept.sort(compare).slice(query.offset, reach) };
}
