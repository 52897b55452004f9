import { alarmCausesOf } from '../../domain/accounting/conclusion.js';
import {
  deadlinePassedBefore,
  type MbaEvaluation,
  type ReportDeadline,
  summariseState,
} from '../../domain/accounting/index.js';
import { utcDateOf } from '../../domain/deadlines/index.js';
import { DomainError } from '../../domain/errors.js';
import { inScope, type Principal } from '../../domain/policy/index.js';
import { readAgreementTypes, readMbaFacts, stateExists } from '../../store/accounting.repo.js';
import { countUnresolvedCasesOfState, resolvedCaseKeys } from '../../store/cases.repo.js';
import { countInspectionsCarriedOut } from '../../store/inspections.repo.js';
import { COUNT_KIND, sumCounts } from '../../store/transfer-counts.repo.js';
import { computeStateApObligations } from '../declarations/obligations.js';
import { declarationScopeOf } from '../declarations/queries.js';
import type { Ports } from '../ports.js';
import { stateObligationsByMba } from '../reports/obligations.js';
import { enforce, scopeOf } from '../scope.js';
import type { MbaEvaluator } from './balances.js';

/**
 * A state's annual evaluation (domain.md §7): its MBAs evaluated from their derived state, its
 * transfers counted in SQL, and the rest of the conclusion's basis (issue 16 item 1): the
 * reporting obligations exactly as the timeliness page computes them, the cases about the state
 * not yet resolved (and which alarm causes are), and the inspections carried out in the year.
 * Reads O(MBAs × periods × strata) rows plus the state's obligations, never a line.
 */
export function createStateSummary(ports: Ports, evaluator: MbaEvaluator) {
  return async function summary(p: Principal, state: string, year: number) {
    enforce(p, 'data.read', await scopeOf(ports, p), { state });
    const q = ports.db.kysely;
    const mbas = (await readMbaFacts(q)).filter((m) => m.state === state).map((m) => m.code);
    if (mbas.length === 0 && !(await stateExists(q, state)))
      throw new DomainError('NOT_FOUND', 'no such resource');
    const evaluations: MbaEvaluation[] = [];
    for await (const st of evaluator.evaluateEach(mbas)) evaluations.push(st.evaluation);
    const asOf = evaluator.asOf();
    const types = await readAgreementTypes(q, state);
    // The year's deadlines only (all summariseState counts), one MBA's obligations at a time.
    const deadlines: ReportDeadline[] = [];
    for await (const chunk of stateObligationsByMba(ports, state, asOf)) {
      for (const o of chunk) {
        if (o.dueDate.slice(0, 4) !== String(year)) continue;
        deadlines.push({
          mba: o.mba,
          type: o.type,
          due: o.dueDate,
          ...((o.status === 'met' || o.status === 'late') && o.submittedAt !== undefined
            ? { received: utcDateOf(o.submittedAt) }
            : {}),
        });
      }
    }
    const summary = summariseState({
      state,
      year,
      asOf,
      evaluations,
      agreement: types.has('CSA')
        ? 'CSA'
        : types.has('INFCIRC66')
          ? 'INFCIRC66'
          : types.has('VOA')
            ? 'VOA'
            : 'CSA',
      additionalProtocol: types.has('AP'),
      transfers: await countTransfersOfState(q, mbas, asOf),
      // The timeliness page's statuses: met and late are dated by the instant that dates the
      // submission, missing and upcoming have no receipt.
      deadlines,
      resolvedCauses: await resolvedCaseKeys(q, alarmCausesOf(state, year, evaluations)),
      openCases: await countUnresolvedCasesOfState(q, state),
      inspectionsDone: await countInspectionsCarriedOut(q, state, year),
    });
    return { ...summary, declarations: await declarationTimeliness(ports, p, state, year, asOf) };
  };
}

/**
 * The Article 3 declarations due in the year, counted as the report deadlines are (issue 19): for
 * a caller the State's Protocol opens its declarations to, and only while it has one in force;
 * else null (a safeguards agreement alone does not open them, decision 0032).
 */
async function declarationTimeliness(ports: Ports, p: Principal, state: string, year: number, asOf: string) {
  if (!inScope(await declarationScopeOf(ports, p), state)) return null;
  const ap = await computeStateApObligations(ports, state, asOf);
  if (!ap) return null;
  const counts = { agreement: ap.agreement, due: 0, onTime: 0, late: 0, missing: 0 };
  for (const o of ap.obligations) {
    if (o.dueDate.slice(0, 4) !== String(year)) continue;
    counts.due++;
    if (o.status === 'met') counts.onTime++;
    else if (o.status === 'late') counts.late++;
    else if (o.status === 'missing') counts.missing++;
  }
  return counts;
}

/**
 * Transfer counts of a state's MBAs by status on `asOf` (the annual evaluation), from the
 * maintained counts: a pair counts once, by its shipment, or by its receipt where the shipment is
 * another state's; a lone line is pending until its deadline, then unmatched.
 */
async function countTransfersOfState(
  q: Parameters<typeof sumCounts>[0],
  mbas: readonly string[],
  asOf: string,
): Promise<{ matched: number; discrepant: number; pending: number; unmatched: number }> {
  const out = { matched: 0, discrepant: 0, pending: 0, unmatched: 0 };
  const kinds = [COUNT_KIND.lone, COUNT_KIND.stateMatched, COUNT_KIND.stateDiscrepant];
  for (let i = 0; i < mbas.length; i += 500) {
    for (const r of await sumCounts(q, mbas.slice(i, i + 500), kinds, deadlinePassedBefore(asOf))) {
      if (r.kind === COUNT_KIND.stateMatched) out.matched += r.n;
      else if (r.kind === COUNT_KIND.stateDiscrepant) out.discrepant += r.n;
      else if (r.past) out.unmatched += r.n;
      else out.pending += r.n;
    }
  }
  return out;
}
