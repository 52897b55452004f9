/** The access policy's door: what other folders use, by name. */
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
