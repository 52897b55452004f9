import { createRegistryRepo } from '../../store/registry.repo.js';
import { computeStateApObligations } from '../declarations/obligations.js';
import { stateObligationsByMba } from '../reports/obligations.js';
import type { ObligationSource } from './scheduler.js';

/**
 * The server's obligation source: every state's Additional Protocol declarations, then its
 * reporting obligations one MBA at a time, as judged from the stored reports. A pass holds one
 * MBA's obligations, never a state's reports (decision 0089).
 */
export const storedObligations: ObligationSource = async function* (ports, today) {
  for (const s of await createRegistryRepo(ports.db).listStates()) {
    const declarations = (await computeStateApObligations(ports, s.code, today))?.obligations ?? [];
    yield { state: s.code, obligations: [], declarations };
    for await (const obligations of stateObligationsByMba(ports, s.code, today))
      yield { state: s.code, obligations };
  }
};
