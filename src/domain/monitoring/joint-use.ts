/**
 * Joint use of a device's data (issue 18 §6, decision 0063): its owners grant it to a partner
 * inspectorate or to the device's own state, citing the agreement in the registry under which
 * they do, and withdraw it. Which grant stands is checked here. Pure.
 */
import { DomainError, type ErrorCode } from '../errors.js';
import { type ParticularsOf, type ProblemKind, problemOf } from '../particulars.js';
import { type Agreement, isInspectorateKind, type Organisation } from '../registry/index.js';
import type { Device } from './device.js';

/** The device changes that grant and withdraw joint use, logged as the lifecycle's are. */
export type JointUseAction = 'grant-joint-use' | 'withdraw-joint-use';

/** What a grant says (POST /api/devices/:id/joint-use), and what its change record carries. */
export interface JointUseGrant {
  readonly organisation: string;
  /** The registry agreement (in force) under which the owners grant it. */
  readonly agreement: string;
  /** The arrangement under that agreement, as the parties name it (e.g. a joint-use arrangement's number). */
  readonly reference?: string | undefined;
}

type JointUseKind = Extract<ProblemKind, `JOINT_USE.${string}`>;

/** A refusal with one problem: its code, the rule's values, and the English for API readers. */
export function jointUseRefusal<K extends JointUseKind>(
  code: ErrorCode,
  kind: K,
  values: ParticularsOf<K>,
  message: string,
): DomainError {
  return new DomainError(code, message, [{ field: 'organisation', ...problemOf(kind, values), message }]);
}

/**
 * Whether `grantee` may be granted joint use of `device` under `agreement`: an organisation that
 * exists and is not an owner; an inspectorate party to the agreement, or an authority or operator
 * of the device's own state (the state's joint-use agreement); an agreement in force to which the
 * device's state and at least one owner are party (it is the owners' to grant, under an agreement
 * that binds them and the state); not yet granted; the device not removed.
 */
export function checkJointUseGrant(
  device: Device,
  grant: JointUseGrant,
  grantee: Organisation | undefined,
  agreement: Agreement | undefined,
): void {
  const org = grant.organisation;
  if (!grantee)
    throw jointUseRefusal(
      'UNKNOWN_REFERENCE',
      'JOINT_USE.unknownOrganisation',
      { organisation: org },
      `organisation ${org} does not exist`,
    );
  if (device.status === 'removed')
    throw jointUseRefusal(
      'INVALID_TRANSITION',
      'JOINT_USE.removed',
      { device: device.id },
      `device ${device.id} is removed: no joint use is granted any more`,
    );
  if (device.owners.includes(org))
    throw jointUseRefusal(
      'VALIDATION_FAILED',
      'JOINT_USE.owner',
      { organisation: org },
      `${org} owns the device: it has the data already`,
    );
  const inspectorate = isInspectorateKind(grantee.kind);
  if (!inspectorate && grantee.state !== device.state)
    throw jointUseRefusal(
      'VALIDATION_FAILED',
      'JOINT_USE.otherState',
      { organisation: org, state: grantee.state ?? '' },
      `${org} is an organisation of ${grantee.state ?? 'no state'}, the device is in ${device.state}`,
    );
  if (device.jointUse.includes(org))
    throw jointUseRefusal(
      'CONFLICT',
      'JOINT_USE.granted',
      { organisation: org, device: device.id },
      `${org} has joint use of ${device.id} already`,
    );
  if (!agreement)
    throw jointUseRefusal(
      'UNKNOWN_REFERENCE',
      'JOINT_USE.unknownAgreement',
      { agreement: grant.agreement },
      `agreement ${grant.agreement} does not exist`,
    );
  if (agreement.status !== 'in-force')
    throw jointUseRefusal(
      'VALIDATION_FAILED',
      'JOINT_USE.notInForce',
      { agreement: agreement.id, status: agreement.status },
      `agreement ${agreement.id} is ${agreement.status}, not in force`,
    );
  const party = (kind: 'state' | 'organisation', ref: string) =>
    agreement.parties.some((x) => x.kind === kind && x.ref === ref);
  if (!party('state', device.state))
    throw jointUseRefusal(
      'VALIDATION_FAILED',
      'JOINT_USE.stateNotParty',
      { agreement: agreement.id, state: device.state },
      `${device.state} is not a party to agreement ${agreement.id}`,
    );
  // An authority or operator of the device's state is covered by its state's being a party.
  if (inspectorate && !party('organisation', org))
    throw jointUseRefusal(
      'VALIDATION_FAILED',
      'JOINT_USE.granteeNotParty',
      { agreement: agreement.id, organisation: org },
      `${org} is not a party to agreement ${agreement.id}`,
    );
  if (!device.owners.some((o) => party('organisation', o)))
    throw jointUseRefusal(
      'VALIDATION_FAILED',
      'JOINT_USE.ownerNotParty',
      { agreement: agreement.id, owners: [...device.owners] },
      `no owner of ${device.id} is a party to agreement ${agreement.id}`,
    );
}

/** Whether `organisation` may be withdrawn joint use of `device`: it has it. */
export function checkJointUseWithdrawal(device: Device, organisation: string): void {
  if (device.owners.includes(organisation))
    throw jointUseRefusal(
      'VALIDATION_FAILED',
      'JOINT_USE.owner',
      { organisation },
      `${organisation} owns the device: ownership is not withdrawn as joint use`,
    );
  if (!device.jointUse.includes(organisation))
    throw jointUseRefusal(
      'CONFLICT',
      'JOINT_USE.notGranted',
      { organisation, device: device.id },
      `${organisation} has no joint use of ${device.id}`,
    );
}
