/**
 * The device registry's model (issue 18 item 1, decision 0029): kinds, lifecycle and what a
 * registration must say. Pure.
 */
import { DomainError } from '../errors.js';

/** Extendable: a new instrument kind is added here. */
export const DEVICE_KINDS = [
  'seal',
  'camera',
  'radiation-monitor',
  'neutron-monitor',
  'load-cell',
  'gate',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * installed: in place and sending; servicing: an inspector is working on it (its batches are still
 * accepted, so nothing it records is lost); removed: gone for good, its batches are refused.
 */
export const DEVICE_STATUSES = ['installed', 'servicing', 'removed'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** register: the first change; install: back from servicing (optionally with a new key). */
export const DEVICE_ACTIONS = ['register', 'install', 'service', 'remove'] as const;
export type DeviceAction = (typeof DEVICE_ACTIONS)[number];

/** The registry's view of a device: what a registration or lifecycle change logs. */
export interface Device {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly facility: string;
  readonly state: string;
  readonly kmp: string | null;
  /** The containment (vault, cage, item) it watches, as the owners name it; cameras and seals on one containment share it. */
  readonly containment: string | null;
  /** The owning inspectorates' organisation ids. */
  readonly owners: readonly string[];
  /** Organisations granted joint use of the data by arrangement (a partner inspectorate, the state's authority). */
  readonly jointUse: readonly string[];
  /** base64 of the raw 32-byte Ed25519 public key. */
  readonly publicKey: string;
  readonly keyId: string;
  readonly heartbeatSeconds: number;
  readonly status: DeviceStatus;
}

/** Which lifecycle action may follow which status; register only creates. */
const NEXT: Record<Exclude<DeviceAction, 'register'>, { from: readonly DeviceStatus[]; to: DeviceStatus }> = {
  service: { from: ['installed'], to: 'servicing' },
  install: { from: ['servicing'], to: 'installed' },
  remove: { from: ['installed', 'servicing'], to: 'removed' },
};

/** The status after `action`, or INVALID_TRANSITION with the actions allowed from `status`. */
export function nextDeviceStatus(
  status: DeviceStatus,
  action: Exclude<DeviceAction, 'register'>,
): DeviceStatus {
  const rule = NEXT[action];
  if (!rule.from.includes(status)) {
    const allowed = (Object.keys(NEXT) as (keyof typeof NEXT)[]).filter((a) => NEXT[a].from.includes(status));
    throw new DomainError(
      'INVALID_TRANSITION',
      `a ${status} device cannot be ${action === 'service' ? 'serviced' : `${action}d`}`,
      {
        status,
        action,
        allowed,
      },
    );
  }
  return rule.to;
}

/** Does the device accept batches in this status? */
export function acceptsBatches(status: DeviceStatus): boolean {
  return status !== 'removed';
}
