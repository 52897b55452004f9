import { createRegistryRepo } from '../../store/registry.repo.js';
import { computeStateApObligations } from '../declarations/obligations.js';
import { stateObligationsByMba } from '../reports/obligations.js';
import type { ObligationSource } from './scheduler.js';

/**
 * The server's obligation source: every state's Additional Protocol declarations, then its
 * reporting obligations one MBA at a time, as judged from the stored reports. A pass holds one
 * MBA's obligations, never a state's reports (decision 0089). Given a scope (decision 0093), only
 * its states whole and its other states' named MBAs.
 */
export const storedObligations: ObligationSource = async function* (ports, today, scope) {
  for (const s of await createRegistryRepo(ports.db).listStates()) {
    const whole = scope === undefined || scope.states.has(s.code);
    const mbas = whole ? undefined : scope?.mbas.get(s.code);
    if (!whole && mbas === undefined) continue;
    if (whole) {
      const declarations = (await computeStateApObligations(ports, s.code, today))?.obligations ?? [];
      yield { state: s.code, obligations: [], declarations };
    }
    for await (const obligations of stateObligationsByMba(ports, s.code, today, mbas))
      yield { state: s.code, obligations };
  }
};
