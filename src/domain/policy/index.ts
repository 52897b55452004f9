/** The access policy's door: what other folders use, by name. */
export type { DeviceAccess } from './devices.js';
export { deviceAccess, mayReverify } from './devices.js';
export type { Action, Principal, StateScope, Target } from './policy.js';
export {
  computeDeclarationScope,
  computeStateScope,
  decide,
  inScope,
  isGlobalAdmin,
  isInspectorate,
  readsStateData,
} from './policy.js';
