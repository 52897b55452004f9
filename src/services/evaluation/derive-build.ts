import {
  markBuilt,
  markMbaBuilt,
  readBuildStatus,
  readBuiltMbas,
  readMbasWithReports,
} from '../../store/accounting.repo.js';
import type { Ports } from '../ports.js';
import { rebuildMbaState } from './derive-transfers.js';

export interface BuildProgress {
  readonly mba: string;
  /** MBAs built so far, this one included, and how many there are. */
  readonly done: number;
  readonly total: number;
}

/**
 * Builds the derived evaluation state of a database that had reports before migration 0009
 * (docs/decisions/0010): MBA by MBA, each in its own transaction recorded in `eval_built`, so a
 * build that stops (crash, restart) resumes with the next MBA; one report's lines at a time, so
 * memory stays that of the largest report. Returns the number of MBAs built now; nothing to do
 * once `eval_status` says built. Reports accepted meanwhile keep the state up to date themselves:
 * an MBA built afterwards is built from all of its reports.
 */
export async function buildDerivedState(
  ports: Pick<Ports, 'db' | 'clock'>,
  onProgress: (p: BuildProgress) => void = () => {},
): Promise<number> {
  const k = ports.db.kysely;
  if (await readBuildStatus(k)) return 0;
  const all = await readMbasWithReports(k);
  const built = await readBuiltMbas(k);
  let done = built.size;
  let now = 0;
  for (const mba of all) {
    if (built.has(mba)) continue;
    await k.transaction().execute(async (tx) => {
      await rebuildMbaState(tx, ports.db.sqlite, mba);
      await markMbaBuilt(tx, mba, ports.clock.now().toISOString());
    });
    now++;
    onProgress({ mba, done: ++done, total: all.length });
  }
  await markBuilt(k);
  return now;
}
