import { type Instrument, instrumentsBinding } from '../../domain/legal/index.js';
import { createLegalRepo } from '../../store/legal.repo.js';
import type { Ports } from '../ports.js';

/**
 * The instruments binding `state` on `day`, in the order their rules apply: what the pure
 * deadline and notice rules are given (decision 0031; the domain never reads the database).
 */
export async function instrumentsBindingState(
  ports: Pick<Ports, 'db'>,
  state: string,
  day: string,
): Promise<Instrument[]> {
  return instrumentsBinding(await createLegalRepo(ports.db.kysely).instrumentsOfParty(state), state, day);
}
