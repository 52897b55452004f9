import { type Agreement, isInspectorateKind, type OrganisationKind, type Role } from '../registry/index.js';

/**
 * The one access policy (foundation issue, "Access control"). Every route asks `decide` before
 * touching data; the answer is allow, or the status the caller must see:
 * - 'forbidden' (403) when the caller is authenticated but their role may not do this at all;
 * - 'not-found' (404) when the resource is outside their scope, so its existence is not revealed.
 */
export interface Principal {
  readonly userId: string;
  readonly login: string;
  readonly organisationId: string | null;
  readonly organisationKind: OrganisationKind | null;
  /** The state of a state authority or operator; null for inspectorates and global admins. */
  readonly state: string | null;
  readonly roles: ReadonlySet<Role>;
}

/** A global administrator belongs to no organisation (created by `custos init`). */
export function isGlobalAdmin(p: Principal): boolean {
  return p.organisationId === null && p.roles.has('admin');
}

export function isInspectorate(p: Principal): boolean {
  return isInspectorateKind(p.organisationKind);
}

/** States whose data the principal's organisation may see; 'all' for global admins. */
export type StateScope = ReadonlySet<string> | 'all';

/**
 * - a state authority (or operator) sees only its own state;
 * - an inspectorate sees the states with which it has an agreement in force;
 * - a regional inspectorate sees its member states (parties of its REGIONAL agreements in force,
 *   and of any other agreement in force it is party to).
 */
export function computeStateScope(p: Principal, agreements: readonly Agreement[]): StateScope {
  if (isGlobalAdmin(p)) return 'all';
  if (p.organisationId === null) return new Set();
  if (!isInspectorate(p)) return new Set(p.state === null ? [] : [p.state]);
  const states = new Set<string>();
  for (const a of agreements) {
    if (a.status !== 'in-force') continue;
    if (!a.parties.some((x) => x.kind === 'organisation' && x.ref === p.organisationId)) continue;
    for (const x of a.parties) if (x.kind === 'state') states.add(x.ref);
  }
  return states;
}

export function inScope(scope: StateScope, state: string): boolean {
  return scope === 'all' || scope.has(state);
}

export type Action =
  /** Read the registry directory (states, organisations, agreements): every authenticated role. */
  | 'directory.read'
  /** Read a state's detailed data (facilities, MBAs, KMPs, reports, balances, cases…). */
  | 'data.read'
  /** Create or change registry entries (states, organisations, agreements). */
  | 'registry.write'
  /** Create facilities, MBAs and KMPs (codes are assigned by the inspectorate). */
  | 'facility.write'
  /** Manage one organisation's users, keys and tokens. */
  | 'organisation.admin'
  /** Submit reports for the principal's own state. */
  | 'report.submit'
  /**
   * Say how the principal's own state's law implements the provisions it is bound by, and sign
   * the steps of its review (issue 19 item 2): a state authority's admin or submitter only.
   */
  | 'law.write'
  /** Inspectorate work: cases, inspections, evaluations. */
  | 'inspect'
  /** Read the log and aggregate figures (auditors and everyone else). */
  | 'log.read'
  | 'aggregate.read'
  /**
   * The node's federation (issue 17): its identity, peers, arrangements, delivery and dead
   * letters. The operator of the node decides with whom it shares: global administrators only.
   */
  | 'federation.admin';

export type Decision = 'allow' | 'forbidden' | 'not-found';

export interface Target {
  /** The state the resource belongs to, when it belongs to one. */
  readonly state?: string;
  /** The organisation the resource belongs to (keys, users, tokens). */
  readonly organisationId?: string;
}

const READ_ROLES: readonly Role[] = ['admin', 'submitter', 'reviewer', 'inspector'];

/** The roles that read a state's data (data.read); devices apply the same (policy/devices.ts). */
export const READ_ROLES_OF_DATA = READ_ROLES;

function hasAny(p: Principal, roles: readonly Role[]): boolean {
  return roles.some((r) => p.roles.has(r));
}

/**
 * Whether roles may read a state's data at all (data.read): an auditor alone may not. What is
 * about a state — inbox items, the live stream's events — goes only to such users (issue 15
 * item 10), whatever organisation they belong to.
 */
export function readsStateData(roles: Iterable<string>): boolean {
  for (const r of roles) if ((READ_ROLES as readonly string[]).includes(r)) return true;
  return false;
}

export function decide(p: Principal, action: Action, scope: StateScope, target: Target = {}): Decision {
  // A state's account of its own law is the state's word (decision 0033): the node's operator
  // does not speak for it, so 'law.write' is no exception for global admins.
  if (isGlobalAdmin(p) && action !== 'law.write') return 'allow';
  const stateVisible = target.state === undefined || inScope(scope, target.state);
  switch (action) {
    case 'log.read':
    case 'aggregate.read':
      return p.roles.size > 0 ? 'allow' : 'forbidden';
    case 'directory.read':
      return p.roles.size > 0 ? 'allow' : 'forbidden';
    case 'data.read':
      if (!hasAny(p, READ_ROLES)) return 'forbidden';
      return stateVisible ? 'allow' : 'not-found';
    case 'registry.write':
    case 'federation.admin':
      // States, organisations and agreements, and the node's peers and arrangements, are set up
      // by the operator of the node.
      return 'forbidden';
    case 'facility.write':
      if (!(isInspectorate(p) && p.roles.has('admin'))) return 'forbidden';
      return stateVisible ? 'allow' : 'not-found';
    case 'organisation.admin':
      if (!p.roles.has('admin')) return 'forbidden';
      return target.organisationId === undefined || target.organisationId === p.organisationId
        ? 'allow'
        : 'not-found';
    case 'report.submit':
      if (!p.roles.has('submitter')) return 'forbidden';
      if (p.organisationKind !== 'state-authority' && p.organisationKind !== 'operator') return 'forbidden';
      return target.state === undefined || target.state === p.state ? 'allow' : 'not-found';
    case 'law.write':
      if (p.organisationKind !== 'state-authority' || !hasAny(p, ['admin', 'submitter'])) return 'forbidden';
      return target.state === undefined || target.state === p.state ? 'allow' : 'not-found';
    case 'inspect':
      if (!isInspectorate(p) || !hasAny(p, ['inspector', 'reviewer', 'admin'])) return 'forbidden';
      return stateVisible ? 'allow' : 'not-found';
  }
}

/**
 * Whose Additional Protocol declarations the principal may read (issue 19): a State its own; an
 * inspectorate only the States with which it is party to an Additional Protocol in force (the
 * declarations are made under the Protocol, so a safeguards agreement alone does not open them);
 * a global administrator all.
 */
export function computeDeclarationScope(p: Principal, agreements: readonly Agreement[]): StateScope {
  return computeStateScope(
    p,
    agreements.filter((a) => a.type === 'AP'),
  );
}
