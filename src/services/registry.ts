import type { Ports } from './ports.js';
import { createDirectory } from './registry/directory.js';
import { createFacilities } from './registry/facilities.js';
import { createSigningKeys } from './registry/keys.js';
import { createUserAccounts } from './registry/users.js';

export { agreementContent, assertAgreementsReadable } from './registry/directory.js';
export { assertKeysReadable } from './registry/keys.js';

/**
 * Registry use cases: every one asks the policy first and attributes its write to the caller.
 * One module per sub-concept in ./registry/ (directory, facilities, keys, users), as the store's
 * registry repository is split.
 */
export function createRegistryService(ports: Ports) {
  return {
    ...createDirectory(ports),
    ...createFacilities(ports),
    ...createSigningKeys(ports),
    ...createUserAccounts(ports),
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;
