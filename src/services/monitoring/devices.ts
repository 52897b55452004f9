import { DomainError } from '../../domain/errors.js';
import {
  type CokState,
  type CokStatus,
  type Device,
  type DeviceAction,
  type DeviceKind,
  type DeviceStatus,
  EMPTY_HEAD,
  foldReverification,
  initialCokState,
  type JointUseAction,
  nextDeviceStatus,
  parseReverification,
  silenceCheckAfter,
} from '../../domain/monitoring/index.js';
import { problemOf } from '../../domain/particulars.js';
import {
  type DeviceAccess,
  deviceAccess,
  isGlobalAdmin,
  mayReverify,
  type Principal,
  type StateScope,
} from '../../domain/policy/index.js';
import { computeKeyId, isInspectorateKind } from '../../domain/registry/index.js';
import type { DbOrTx } from '../../store/db.js';
import {
  type DeviceListScope,
  findDevice,
  findDeviceChange,
  insertDevice,
  insertDeviceChange,
  pageDevices,
  updateDevice,
} from '../../store/monitoring.repo.js';
import type { Page } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { DeviceChangeRow, DeviceRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { checkSignature } from '../reports/submit.js';
import { scopeOf } from '../scope.js';
import { cokDeviceOf, cokNow } from './batch-record.js';
import { storeStep } from './ingest.js';

/** What registering a device says (POST /api/devices). */
export interface DeviceInput {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly facility: string;
  readonly kmp?: string | undefined;
  readonly containment?: string | undefined;
  readonly owners: readonly string[];
  readonly publicKey: string;
  readonly heartbeatSeconds: number;
}

/** A device as the API shows it: the registry's fields, and what the caller may do with it. */
export interface DeviceView extends Device {
  readonly registeredAt: string;
  readonly lastSeq: number;
  readonly lastSeen: string | null;
  readonly access: ViewAccess[];
  /** Its continuity of knowledge now (GET /api/devices/:id/status has the intervals and alarms). */
  readonly cok: CokStatus;
  /** Registry changes so far (registration, lifecycle, re-verifications): a re-verification signs the next. */
  readonly changes: number;
  readonly owners: string[];
  readonly jointUse: string[];
}

export function deviceOfRow(r: DeviceRow): Device {
  return {
    id: r.id,
    kind: r.kind as DeviceKind,
    facility: r.facility,
    state: r.state,
    kmp: r.kmp,
    containment: r.containment,
    owners: JSON.parse(r.owners) as string[],
    jointUse: JSON.parse(r.joint_use) as string[],
    publicKey: r.public_key,
    keyId: r.key_id,
    heartbeatSeconds: r.heartbeat_seconds,
    status: r.status as DeviceStatus,
  };
}

/** What the caller may do with the device: its access, and whether it re-verifies it (an inspector of an owner). */
export type ViewAccess = DeviceAccess | 'reverify';

function accessOf(p: Principal, scope: StateScope, d: Device): ViewAccess[] {
  const access: ViewAccess[] = deviceAccess(p, scope, d);
  if (access.length > 0 && mayReverify(p, scope, d)) access.push('reverify');
  return access;
}

export function viewOf(r: DeviceRow, access: readonly ViewAccess[], now: string): DeviceView {
  const d = deviceOfRow(r);
  return {
    ...d,
    owners: [...d.owners],
    jointUse: [...d.jointUse],
    registeredAt: r.registered_at,
    lastSeq: r.head_seq,
    lastSeen: r.last_seen_at,
    cok: cokNow(r, now).status,
    changes: r.changes,
    access: [...access],
  };
}

/** The logged content of a registry change: the device as the change left it, and who, when, what. */
export function deviceChangeContent(row: DeviceChangeRow): unknown {
  return {
    device: row.device,
    n: row.n,
    action: row.action,
    at: row.at,
    by: row.by,
    ...(JSON.parse(row.snapshot) as Record<string, unknown>),
  };
}

export function deviceChangeRecordId(device: string, n: number): string {
  return `device-change:${device}:${n}`;
}

/** `device-change:<device>:<n>` → its parts (device ids have no `:`). */
export function parseDeviceChangeRecordId(id: string): { device: string; n: number } | undefined {
  const m = /^device-change:([^:]+):(\d+)$/.exec(id);
  return m ? { device: m[1] as string, n: Number(m[2]) } : undefined;
}

function rawKey(publicKey: string): Uint8Array {
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== publicKey) {
    throw new DomainError(
      'KEY_INVALID',
      'publicKey must be the base64 of the raw 32-byte Ed25519 public key',
    );
  }
  return new Uint8Array(raw);
}

export function noSuchDevice(): never {
  throw new DomainError('NOT_FOUND', 'no such device');
}

/**
 * The device registry (issue 18 item 1): registration and the install/service/remove lifecycle,
 * each change one logged record in the transaction that makes it.
 */
// long: a factory of the registry's operations sharing the repositories and the change logger
export function createDeviceRegistry(ports: Ports) {
  const registry = createRegistryRepo(ports.db);
  const k = ports.db.kysely;

  /** Appends the change's record and row, answering its log index. */
  async function logChange(
    tx: DbOrTx,
    device: Device,
    n: number,
    action: DeviceAction | JointUseAction | 'reverify',
    at: string,
    by: string,
    extra: Record<string, unknown> = {},
  ) {
    const { id: _id, ...device_ } = device;
    const snapshot = { ...device_, ...extra };
    const row: DeviceChangeRow = {
      device: device.id,
      n,
      action,
      snapshot: JSON.stringify(snapshot),
      at,
      by,
      log_index: 0,
    };
    const logIndex = await appendRecord(tx, ports, {
      kind: 'device-change',
      id: deviceChangeRecordId(device.id, n),
      content: deviceChangeContent(row),
      subjectState: device.state,
      subjectOrg: null,
      at,
      by,
    });
    await insertDeviceChange(tx, { ...row, log_index: logIndex });
    return logIndex;
  }

  /** The device and what the principal may do with it; NOT_FOUND when it may do nothing. */
  async function visible(p: Principal, id: string): Promise<{ row: DeviceRow; access: ViewAccess[] }> {
    const row = await findDevice(k, id);
    if (!row) return noSuchDevice();
    const access = accessOf(p, await scopeOf(ports, p), deviceOfRow(row));
    if (access.length === 0) return noSuchDevice();
    return { row, access };
  }

  async function checkParties(input: DeviceInput): Promise<void> {
    for (const org of input.owners) {
      const o = await registry.getOrganisation(org);
      if (!o) throw new DomainError('UNKNOWN_REFERENCE', `organisation ${org} does not exist`);
      if (input.owners.includes(org) && !isInspectorateKind(o.kind))
        throw new DomainError('VALIDATION_FAILED', `owner ${org} is not an inspectorate`, [
          {
            field: 'owners',
            ...problemOf('FIELD_INVALID.notInspectorate', { organisation: org }),
            message: `${org} is not an inspectorate`,
          },
        ]);
    }
  }

  return {
    async register(p: Principal, input: DeviceInput): Promise<DeviceView & { logIndex: number }> {
      const facility = await registry.getFacility(input.facility);
      const scope = await scopeOf(ports, p);
      const parties = { state: facility?.state ?? '', owners: input.owners, jointUse: [] };
      if (!isGlobalAdmin(p)) {
        if (!(p.roles.has('admin') && p.organisationId !== null && input.owners.includes(p.organisationId)))
          throw new DomainError(
            'FORBIDDEN',
            'only the node’s or an owning inspectorate’s administrators register devices',
          );
        if (facility && !deviceAccess(p, scope, parties).includes('manage'))
          throw new DomainError('NOT_FOUND', 'no such facility');
      }
      if (!facility) throw new DomainError('UNKNOWN_REFERENCE', `facility ${input.facility} does not exist`);
      if (input.kmp !== undefined) {
        const kmps = await registry.listKmps({ state: facility.state });
        const mbas = new Set((await registry.listMbas({ facility: facility.code })).map((m) => m.code));
        if (!kmps.some((x) => x.code === input.kmp && mbas.has(x.mba)))
          throw new DomainError(
            'UNKNOWN_REFERENCE',
            `KMP ${input.kmp} is not a KMP of facility ${facility.code}`,
          );
      }
      await checkParties(input);
      const raw = rawKey(input.publicKey);
      if (await findDevice(k, input.id))
        throw new DomainError('ALREADY_EXISTS', `device ${input.id} already exists`);
      const at = isoNow(ports.clock);
      const device: Device = {
        id: input.id,
        kind: input.kind,
        facility: facility.code,
        state: facility.state,
        kmp: input.kmp ?? null,
        containment: input.containment ?? null,
        owners: [...new Set(input.owners)],
        jointUse: [],
        publicKey: input.publicKey,
        keyId: computeKeyId(raw),
        heartbeatSeconds: input.heartbeatSeconds,
        status: 'installed',
      };
      const row: DeviceRow = {
        id: device.id,
        kind: device.kind,
        facility: device.facility,
        state: device.state,
        kmp: device.kmp,
        containment: device.containment,
        owners: JSON.stringify(device.owners),
        joint_use: JSON.stringify(device.jointUse),
        public_key: device.publicKey,
        key_id: device.keyId,
        heartbeat_seconds: device.heartbeatSeconds,
        status: device.status,
        changes: 1,
        head_seq: EMPTY_HEAD.seq,
        head_hash: EMPTY_HEAD.hash,
        last_event_at: null,
        last_seen_at: null,
        cok: JSON.stringify(initialCokState()),
        registered_at: at,
        registered_by: p.userId,
      };
      let logIndex: number;
      try {
        logIndex = await k.transaction().execute(async (tx) => {
          await insertDevice(tx, row, [
            ...device.owners.map((organisation) => ({ organisation, role: 'owner' as const })),
          ]);
          return logChange(tx, device, 1, 'register', at, p.userId);
        });
      } catch (err) {
        if (/unique|duplicate/i.test(String((err as Error).message)))
          throw new DomainError('ALREADY_EXISTS', `device ${input.id} already exists`);
        throw err;
      }
      return { ...viewOf(row, accessOf(p, scope, device), at), logIndex };
    },

    /** install (back from servicing, optionally with a new key), service, remove: each logged. */
    async change(
      p: Principal,
      id: string,
      action: Exclude<DeviceAction, 'register'>,
      input: { publicKey?: string | undefined } = {},
    ): Promise<DeviceView & { logIndex: number }> {
      const { access } = await visible(p, id);
      if (!access.includes('manage'))
        throw new DomainError('FORBIDDEN', 'only the owners’ administrators change a device');
      if (input.publicKey !== undefined && action !== 'install')
        throw new DomainError(
          'VALIDATION_FAILED',
          'a new key is given only when the device is installed again',
        );
      const at = isoNow(ports.clock);
      const out = await k.transaction().execute(async (tx) => {
        const row = await findDevice(tx, id, ports.db.sqlite === undefined);
        if (!row) return noSuchDevice();
        const status = nextDeviceStatus(row.status as DeviceStatus, action);
        const key =
          input.publicKey === undefined
            ? undefined
            : { public_key: input.publicKey, key_id: computeKeyId(rawKey(input.publicKey)) };
        const next: DeviceRow = { ...row, status, changes: row.changes + 1, ...key };
        await updateDevice(tx, id, { status, changes: next.changes, ...key });
        const logIndex = await logChange(tx, deviceOfRow(next), next.changes, action, at, p.userId);
        return { next, logIndex };
      });
      return { ...viewOf(out.next, access, at), logIndex: out.logIndex };
    },

    /**
     * An inspector re-verified the device on site (issue 18 §5, decision 0038): the signed body
     * (Custos-Signature, a key of the inspector's inspectorate) is logged as the device's next
     * change, and in the same transaction every open CoK interval closes with the reason
     * "re-verified by …": CoK is intact from now.
     */
    async reverify(
      p: Principal,
      id: string,
      signed: { readonly body: Uint8Array; readonly signatureHeader: string | undefined },
    ): Promise<DeviceView & { logIndex: number; closed: number }> {
      const { row: seen, access } = await visible(p, id);
      if (!mayReverify(p, await scopeOf(ports, p), deviceOfRow(seen)))
        throw new DomainError(
          'FORBIDDEN',
          'only an inspector of an owning inspectorate re-verifies a device',
        );
      if (seen.status === 'removed')
        throw new DomainError('INVALID_TRANSITION', 'a removed device is not re-verified', {
          status: seen.status,
        });
      const body = parseReverification(signed.body, id);
      const at = isoNow(ports.clock);
      const sig = await checkSignature(ports, p, signed, at);
      if (sig.outcome !== 'VALID') throw new DomainError(sig.outcome, sig.message);
      const out = await k.transaction().execute(async (tx) => {
        const row = await findDevice(tx, id, ports.db.sqlite === undefined);
        if (!row) return noSuchDevice();
        if (body.n !== row.changes + 1)
          throw new DomainError(
            'CONFLICT',
            `this is change number ${row.changes + 1} of ${id}, the body says ${body.n}`,
            { expected: row.changes + 1 },
          );
        const device = cokDeviceOf(row);
        const step = foldReverification(JSON.parse(row.cok) as CokState, device, at, p.userId);
        await storeStep(tx, row, step, at);
        const next: DeviceRow = { ...row, changes: body.n };
        await updateDevice(tx, id, {
          changes: body.n,
          cok: JSON.stringify(step.state),
          cok_check_after: silenceCheckAfter(step.state, device),
        });
        const logIndex = await logChange(tx, deviceOfRow(next), body.n, 'reverify', at, p.userId, {
          reverification: {
            body: new TextDecoder().decode(signed.body),
            keyId: sig.keyId,
            signature: sig.signature,
            closed: step.closed.map((i) => ({ reason: i.reason, from: i.from })),
          },
        });
        return { next, logIndex, closed: step.closed.length };
      });
      return { ...viewOf(out.next, access, at), logIndex: out.logIndex, closed: out.closed };
    },

    async get(p: Principal, id: string): Promise<DeviceView> {
      const { row, access } = await visible(p, id);
      return viewOf(row, access, isoNow(ports.clock));
    },

    async list(
      p: Principal,
      filter: { facility?: string | undefined; status?: DeviceStatus | undefined },
      window: { limit: number; offset: number },
    ): Promise<Page<DeviceView>> {
      const scope = await scopeOf(ports, p);
      const listScope: DeviceListScope = isGlobalAdmin(p)
        ? { all: true, organisation: null, states: [] }
        : {
            all: false,
            organisation: p.organisationId,
            // A state's own readers see its devices' health (the policy decides per row below).
            states: p.state !== null && !isInspectorateKind(p.organisationKind) ? [p.state] : [],
          };
      const { rows, total } = await pageDevices(k, listScope, filter, window);
      const now = isoNow(ports.clock);
      const items: DeviceView[] = [];
      for (const r of rows) {
        const access = accessOf(p, scope, deviceOfRow(r));
        // A row the list query let through but the policy does not (a reader role missing, or an
        // owner whose agreement ended) is shown as nothing, as the single GET would.
        if (access.length > 0) items.push(viewOf(r, access, now));
      }
      return { items, total, limit: window.limit, offset: window.offset };
    },

    /** The device and the caller's access (status and events share this). */
    visible,
    /** Appends a change's record and row in the caller's transaction (joint use shares it). */
    logChange,
  };
}

export type DeviceRegistry = ReturnType<typeof createDeviceRegistry>;

/** The device as its change record committed it (the audit's view). */
export async function loadDeviceChange(q: DbOrTx, id: string): Promise<unknown | undefined> {
  const ref = parseDeviceChangeRecordId(id);
  const row = ref && (await findDeviceChange(q, ref.device, ref.n));
  return row && deviceChangeContent(row);
}
