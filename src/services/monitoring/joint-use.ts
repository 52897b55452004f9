import { DomainError } from '../../domain/errors.js';
import {
  checkJointUseGrant,
  checkJointUseWithdrawal,
  type JointUseGrant,
} from '../../domain/monitoring/index.js';
import type { Principal } from '../../domain/policy/index.js';
import {
  addJointParty,
  deleteJointParty,
  deviceChangesOf,
  findDevice,
  updateDevice,
} from '../../store/monitoring.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { DeviceRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import {
  type DeviceRegistry,
  type DeviceView,
  deviceOfRow,
  noSuchDevice,
  type ViewAccess,
  viewOf,
} from './devices.js';

/** A joint use in force, as the change that granted it logged it (decision 0063). */
export interface JointUseView {
  readonly organisation: string;
  /** The registry agreement cited; null for joint use given at registration (before grants were logged). */
  readonly agreement: string | null;
  readonly reference: string | null;
  readonly at: string;
  readonly by: string;
  readonly logIndex: number;
}

/**
 * Joint use of a device's data granted and withdrawn after registration (issue 18 §6, decision
 * 0063): each a device change, logged as the lifecycle's are, with the party rows rewritten in
 * its transaction.
 */
// long: a factory of the three operations sharing the registry's change logger
export function createJointUse(ports: Ports, devices: DeviceRegistry) {
  const registry = createRegistryRepo(ports.db);
  const k = ports.db.kysely;
  const { visible, logChange } = devices;

  /** The device for one of its owners' administrators (or the node's); FORBIDDEN for anyone else who sees it. */
  async function mayManage(p: Principal, id: string): Promise<{ row: DeviceRow; access: ViewAccess[] }> {
    const seen = await visible(p, id);
    // A state's readers see the device's health but never manage it: a state cannot grant itself
    // the surveillance data (decision 0063).
    if (!seen.access.includes('manage'))
      throw new DomainError(
        'FORBIDDEN',
        'only the administrators of the node or of an owning inspectorate grant or withdraw joint use',
      );
    return seen;
  }

  return {
    /**
     * Grant joint use of the device's data (issue 18 §6, decision 0063): its owners' (or the
     * node's) administrators, citing the registry agreement under which they do. The `joint` row
     * is added in the transaction that logs the change, so the grantee reads the device's data —
     * all of it, batches from before the grant too — from the commit on.
     */
    async grant(p: Principal, id: string, grant: JointUseGrant): Promise<DeviceView & { logIndex: number }> {
      const { access } = await mayManage(p, id);
      const [grantee, agreement] = await Promise.all([
        registry.getOrganisation(grant.organisation),
        registry.listAgreements().then((all) => all.find((a) => a.id === grant.agreement)),
      ]);
      const at = isoNow(ports.clock);
      const out = await k.transaction().execute(async (tx) => {
        const row = await findDevice(tx, id, ports.db.sqlite === undefined);
        if (!row) return noSuchDevice();
        const before = deviceOfRow(row);
        checkJointUseGrant(before, grant, grantee, agreement);
        const jointUse = [...before.jointUse, grant.organisation];
        const next: DeviceRow = { ...row, joint_use: JSON.stringify(jointUse), changes: row.changes + 1 };
        await updateDevice(tx, id, { joint_use: next.joint_use, changes: next.changes });
        await addJointParty(tx, id, grant.organisation);
        const logIndex = await logChange(
          tx,
          deviceOfRow(next),
          next.changes,
          'grant-joint-use',
          at,
          p.userId,
          {
            grant: {
              organisation: grant.organisation,
              agreement: grant.agreement,
              ...(grant.reference === undefined ? {} : { reference: grant.reference }),
            },
          },
        );
        return { next, logIndex };
      });
      return { ...viewOf(out.next, access, at), logIndex: out.logIndex };
    },

    /**
     * Withdraw it: the `joint` row goes in the transaction that logs the change, so every read
     * of the device's data (events, batch records and receipts, the list) refuses the
     * organisation from the commit on, for its past data as for its new.
     */
    async withdraw(
      p: Principal,
      id: string,
      organisation: string,
      reason: string | undefined,
    ): Promise<DeviceView & { logIndex: number }> {
      const { access } = await mayManage(p, id);
      const at = isoNow(ports.clock);
      const out = await k.transaction().execute(async (tx) => {
        const row = await findDevice(tx, id, ports.db.sqlite === undefined);
        if (!row) return noSuchDevice();
        const before = deviceOfRow(row);
        checkJointUseWithdrawal(before, organisation);
        const jointUse = before.jointUse.filter((o) => o !== organisation);
        const next: DeviceRow = { ...row, joint_use: JSON.stringify(jointUse), changes: row.changes + 1 };
        await updateDevice(tx, id, { joint_use: next.joint_use, changes: next.changes });
        await deleteJointParty(tx, id, organisation);
        const logIndex = await logChange(
          tx,
          deviceOfRow(next),
          next.changes,
          'withdraw-joint-use',
          at,
          p.userId,
          { withdrawal: { organisation, ...(reason === undefined ? {} : { reason }) } },
        );
        return { next, logIndex };
      });
      return { ...viewOf(out.next, access, at), logIndex: out.logIndex };
    },

    /** The joint uses in force with the grants that made them (the device's page). */
    async list(p: Principal, id: string): Promise<JointUseView[]> {
      const { row } = await visible(p, id);
      const current = new Set(deviceOfRow(row).jointUse);
      const grants = new Map<string, JointUseView>();
      for (const c of await deviceChangesOf(k, id, ['register', 'grant-joint-use'])) {
        const snap = JSON.parse(c.snapshot) as {
          jointUse?: string[];
          grant?: { organisation: string; agreement: string; reference?: string };
        };
        const made = (organisation: string, g?: { agreement: string; reference?: string }) =>
          grants.set(organisation, {
            organisation,
            agreement: g?.agreement ?? null,
            reference: g?.reference ?? null,
            at: c.at,
            by: c.by,
            logIndex: c.log_index,
          });
        if (c.action === 'register') for (const o of snap.jointUse ?? []) made(o);
        else if (snap.grant) made(snap.grant.organisation, snap.grant);
      }
      return [...current].map(
        (o) =>
          grants.get(o) ?? {
            organisation: o,
            agreement: null,
            reference: null,
            at: '',
            by: '',
            logIndex: -1,
          },
      );
    },
  };
}
