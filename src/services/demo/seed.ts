import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '../../domain/policy/index.js';
import { ed25519PublicKey } from '../../log/index.js';
import { createKvRepo } from '../../store/kv.repo.js';
import { writeSecret } from '../init.js';
import { createInstrumentService } from '../legal/index.js';
import type { Ports } from '../ports.js';
import { createRegistryService } from '../registry.js';
import {
  DEMO_AGREEMENTS,
  DEMO_FACILITIES,
  DEMO_INSTRUMENTS,
  DEMO_KMPS,
  DEMO_MBAS,
  DEMO_ORGANISATIONS,
  DEMO_ROLES,
  DEMO_STATES,
} from './world.js';

export interface DemoCredential {
  readonly login: string;
  readonly organisation: string;
  readonly organisationKind: string;
  readonly state: string | null;
  readonly roles: string[];
  readonly token: string;
  readonly password: string;
}

const SEEDED_KEY = 'demo.seeded';

export function demoCredentialsPath(dataDir: string): string {
  return join(dataDir, 'demo-credentials.json');
}

/** Where the demo organisations' private signing keys live (seed, base64), one file each. */
export function demoKeyPath(dataDir: string, organisation: string): string {
  return join(dataDir, 'demo-keys', `${organisation}.key`);
}

export function readDemoCredentials(dataDir: string): DemoCredential[] {
  const path = demoCredentialsPath(dataDir);
  if (!existsSync(path)) return [];
  return JSON.parse(readFileSync(path, 'utf8')) as DemoCredential[];
}

export async function isDemoSeeded(ports: Ports): Promise<boolean> {
  return (await createKvRepo(ports.db).get(SEEDED_KEY)) !== undefined;
}

/**
 * Seed the demo world through the same services a user calls, as the global administrator.
 * Passwords and tokens are random per data directory and written (0600) where
 * `custos demo tokens` reads them; the database keeps only their hashes.
 */
export async function seedDemoRegistry(ports: Ports, admin: Principal): Promise<DemoCredential[]> {
  const svc = createRegistryService(ports);
  for (const s of DEMO_STATES) await svc.createState(admin, s);
  for (const o of DEMO_ORGANISATIONS) await svc.createOrganisation(admin, o);
  for (const a of DEMO_AGREEMENTS) await svc.createAgreement(admin, a);
  const legal = createInstrumentService(ports);
  for (const i of DEMO_INSTRUMENTS) await legal.createInstrument(admin, i);
  for (const f of DEMO_FACILITIES) await svc.createFacility(admin, f);
  for (const m of DEMO_MBAS) await svc.createMba(admin, m);
  for (const k of DEMO_KMPS) await svc.createKmp(admin, k);

  mkdirSync(join(ports.config.dataDir, 'demo-keys'), { recursive: true, mode: 0o700 });
  const credentials: DemoCredential[] = [];
  for (const o of DEMO_ORGANISATIONS) {
    if (o.kind === 'state-authority' || o.kind === 'inspectorate' || o.kind === 'regional-inspectorate') {
      const seed = ports.random.bytes(32);
      writeSecret(demoKeyPath(ports.config.dataDir, o.id), `${Buffer.from(seed).toString('base64')}\n`);
      await svc.registerKey(admin, o.id, {
        publicKey: Buffer.from(ed25519PublicKey(seed)).toString('base64'),
        validFrom: '2024-01-01T00:00:00Z',
      });
    }
    // Users are created concurrently: each password hash (scrypt) runs on libuv's thread pool.
    const created = await Promise.all(
      DEMO_ROLES[o.kind].map(async (role): Promise<DemoCredential> => {
        const login = `${o.id}.${role}`;
        const password = `${Buffer.from(ports.random.bytes(9)).toString('base64url')}`;
        const user = await svc.createUser(admin, {
          login,
          name: `Demo ${role} (${o.name})`,
          organisation: o.id,
          roles: [role],
          password,
        });
        const { token } = await svc.issueToken(admin, { user: user.id, label: 'demo' });
        return {
          login,
          organisation: o.id,
          organisationKind: o.kind,
          state: o.state,
          roles: [role],
          token,
          password,
        };
      }),
    );
    credentials.push(...created);
  }
  writeSecret(demoCredentialsPath(ports.config.dataDir), `${JSON.stringify(credentials, null, 2)}\n`);
  await createKvRepo(ports.db).insert(SEEDED_KEY, ports.clock.now().toISOString());
  return credentials;
}
