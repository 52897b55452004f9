import type { BindingProvision } from '../../domain/legal/index.js';
import type { Db } from '../../store/db.js';
import { createLegalRepo } from '../../store/legal.repo.js';

/**
 * What compatibility needs of the legal register (issue 19 item 1, decision 0031): a provision by
 * its ref, with the parties of its instrument, and the provisions binding a state. Compatibility
 * entries are keyed by provision ref and must name real provisions of instruments the state is
 * party to (decision 0033).
 */
export interface ProvisionCatalogue {
  find(ref: string): Promise<{ provision: BindingProvision; parties: readonly string[] } | undefined>;
  /** Every provision of the international instruments the state is party to, in register order. */
  binding(state: string): Promise<BindingProvision[]>;
}

/**
 * The register's current versions. A domestic act binds no one internationally: its provisions
 * are the domestic side of the mapping, so it has no parties here and is never in a matrix.
 */
export function createProvisionCatalogue(db: Db): ProvisionCatalogue {
  const repo = createLegalRepo(db.kysely);
  return {
    async find(ref) {
      const found = await repo.provisionByRef(ref);
      if (!found) return undefined;
      const instrument = await repo.getInstrument(found.instrument, found.version);
      return {
        provision: { ref: found.provision.ref, instrument: found.instrument, text: found.provision.text },
        parties: instrument === undefined || instrument.kind === 'domestic-act' ? [] : instrument.parties,
      };
    },
    async binding(state) {
      const instruments = await repo.instrumentsOfParty(state);
      return instruments
        .filter((i) => i.kind !== 'domestic-act')
        .flatMap((i) => i.provisions.map((p) => ({ ref: p.ref, instrument: i.id, text: p.text })));
    },
  };
}
