import type { Ports } from '../ports.js';
import { createAlarms } from './alarms.js';
import { createBalances, createMbaEvaluator } from './balances.js';
import { createCasePass } from './case-pass.js';
import { createStateSummary } from './summary.js';
import { createTransfers, readAllMatches } from './transfers.js';

export { ALARM_SORT_FIELDS } from './alarms.js';
export { deriveReport } from './derive.js';
export { buildDerivedState } from './derive-build.js';
export { TRANSFER_SORT_FIELDS } from './transfers.js';

/**
 * The evaluation engine over the store (engine issue, docs/decisions/0010): balances per MBA ×
 * element × period, σMUF/SITMUF/CUMUF/Page and their alarms, shipper–receiver matching across
 * states, notice checks and the annual summary — all read from the derived state the report
 * transactions keep (deriveReport), so any server answers for any report and none holds lines.
 */
export function createEvaluationService(ports: Ports) {
  const evaluator = createMbaEvaluator(ports);
  const alarms = createAlarms(ports, evaluator);
  return {
    balances: createBalances(ports, evaluator),
    alarms: alarms.alarms,
    alarmSummary: alarms.alarmSummary,
    transfers: createTransfers(ports),
    summary: createStateSummary(ports, evaluator),
    openCases: createCasePass(ports, evaluator).openCases,
    /**
     * Everything evaluated at once (tests compare services over one store with it): it reads
     * every transfer line, so it is not on any request's path.
     */
    async world() {
      const evaluations = new Map<string, Awaited<ReturnType<typeof evaluator.evaluate>> & object>();
      for await (const st of evaluator.evaluateEach()) evaluations.set(st.facts.code, st);
      return {
        mbas: [...evaluations.values()].map((e) => e.facts),
        evaluations: new Map([...evaluations].map(([k, v]) => [k, v.evaluation])),
        matches: await readAllMatches(ports.db.kysely, evaluator.asOf()),
        alarms: await alarms.allAlarms(),
      };
    },
  };
}

export type EvaluationService = ReturnType<typeof createEvaluationService>;
