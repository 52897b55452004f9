/**
 * Who sees what of a monitoring device (issue 18 item 6, decision 0029): the information barrier
 * between the surveillance data, which belong to the owning inspectorates, and the state, which
 * hosts the device and must know whether it works.
 */
import {
  inScope,
  isGlobalAdmin,
  isInspectorate,
  type Principal,
  READ_ROLES_OF_DATA,
  type StateScope,
} from './policy.js';

/** What a principal may do with one device. */
export type DeviceAccess =
  /** Register it, service it, remove it: its owners' administrators (and the node's). */
  | 'manage'
  /** Its events and batches, besides everything of 'health'. */
  | 'data'
  /** Its state of health (status, CoK, heartbeat, lifecycle) and its alarms, not the surveillance data. */
  | 'health';

export interface DeviceParties {
  readonly state: string;
  readonly owners: readonly string[];
  readonly jointUse: readonly string[];
}

/**
 * The most a principal may do with the device, or undefined (it is not shown at all: 404).
 * - an administrator of the node, or of an owning inspectorate: manage (and data);
 * - a reader (admin, reviewer, inspector, submitter roles) of an owning inspectorate, or of an
 *   organisation the owners granted joint use: data;
 * - a reader of the device's own state (its authority or operator): health and alarms only, the
 *   information barrier (INFCIRC/153 para. 5 and the confidentiality of safeguards information:
 *   the state learns that a seal alarmed, not what the camera saw);
 * - any other inspectorate: nothing, unless an arrangement grants it joint use.
 */
export function deviceAccess(p: Principal, scope: StateScope, d: DeviceParties): DeviceAccess[] {
  if (isGlobalAdmin(p)) return ['manage', 'data', 'health'];
  const org = p.organisationId;
  if (org === null || !READ_ROLES_OF_DATA.some((r) => p.roles.has(r))) return [];
  const owner = isInspectorate(p) && d.owners.includes(org) && inScope(scope, d.state);
  const out: DeviceAccess[] = [];
  if (owner && p.roles.has('admin')) out.push('manage');
  if (owner || d.jointUse.includes(org)) out.push('data', 'health');
  else if (!isInspectorate(p) && p.state === d.state) out.push('health');
  return out;
}

/**
 * Who re-verifies a device on site (issue 18 §5, decision 0038): an inspector of an owning
 * inspectorate, the facility's state in its scope. The node's administrators do not: a
 * re-verification states that someone looked at the seal or camera, which only an inspector does.
 */
export function mayReverify(p: Principal, scope: StateScope, d: DeviceParties): boolean {
  const org = p.organisationId;
  return (
    org !== null &&
    isInspectorate(p) &&
    p.roles.has('inspector') &&
    d.owners.includes(org) &&
    inScope(scope, d.state)
  );
}
