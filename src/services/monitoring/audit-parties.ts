import type { DbOrTx } from '../../store/db.js';
import { devicePartiesAfter } from '../../store/monitoring.repo.js';

/** A device whose party rows or columns are not what its latest logged change says. */
export interface PartyFinding {
  readonly where: string;
  readonly message: string;
}

const PAGE = 1000;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function list(xs: readonly string[]): string {
  return xs.length === 0 ? 'none' : [...xs].sort().join(', ');
}

/**
 * `custos audit`, the devices' parties (decision 0063): who owns a device and who has joint use
 * of its data is derived state — the `device_parties` rows every list filters on and the
 * `owners`/`joint_use` columns every single read decides on. Both must be what the device's
 * latest change record (registration, lifecycle, re-verification, joint use granted or
 * withdrawn) committed: a row added or deleted behind the log shows here. A page of devices at
 * a time.
 */
export async function auditDeviceParties(q: DbOrTx): Promise<PartyFinding[]> {
  const findings: PartyFinding[] = [];
  for (let after = ''; ; ) {
    const page = await devicePartiesAfter(q, after, PAGE);
    const last = page[page.length - 1];
    if (last === undefined) return findings;
    after = last.id;
    for (const d of page) {
      const where = `device ${d.id} parties`;
      if (d.snapshot === null) {
        findings.push({ where, message: 'the device has no logged change for its current change count' });
        continue;
      }
      const logged = JSON.parse(d.snapshot) as { owners?: string[]; jointUse?: string[] };
      const owners = logged.owners ?? [];
      const joint = logged.jointUse ?? [];
      const rows = (role: string) => d.parties.filter((p) => p.role === role).map((p) => p.organisation);
      const other = d.parties.filter((p) => p.role !== 'owner' && p.role !== 'joint');
      for (const [what, want, have] of [
        ['owner rows', owners, rows('owner')],
        ['joint-use rows', joint, rows('joint')],
        ['owners column', owners, JSON.parse(d.owners) as string[]],
        ['joint-use column', joint, JSON.parse(d.joint_use) as string[]],
      ] as const) {
        if (!sameSet(want, have))
          findings.push({
            where,
            message: `its ${what} name ${list(have)}, its latest logged change says ${list(want)}`,
          });
      }
      if (other.length > 0)
        findings.push({ where, message: `${other.length} party rows have a role other than owner or joint` });
    }
  }
}
