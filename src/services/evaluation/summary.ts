import { type MbaEvaluation, summariseState } from '../../domain/accounting/index.js';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import { readAgreementTypes, readMbaFacts, stateExists } from '../../store/accounting.repo.js';
import { countTransfersOfState } from '../../store/transfers.repo.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import type { MbaEvaluator } from './balances.js';

/**
 * A state's annual evaluation (domain.md §7): its MBAs evaluated from their derived state, its
 * transfers counted in SQL. Reads O(MBAs × periods × strata) rows, never a line.
 */
export function createStateSummary(ports: Pick<Ports, 'db' | 'clock'>, evaluator: MbaEvaluator) {
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
    return summariseState({
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
      transfers: await countTransfersOfState(q, state, asOf),
    });
  };
}
