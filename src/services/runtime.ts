import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Principal } from '../domain/policy/index.js';
import { createUsersRepo } from '../store/users.repo.js';
import { seedDemoDeclarations } from './demo/declarations.js';
import { seedDemoDevices } from './demo/devices.js';
import { seedDemoReports } from './demo/reports.js';
import { isDemoSeeded, seedDemoRegistry } from './demo/seed.js';
import { buildDerivedState } from './evaluation/index.js';
import { ensureNodeKey } from './federation/index.js';
import { ADMIN_LOGIN, initialise, openDatabase } from './init.js';
import { seedDemoInspection } from './inspections/index.js';
import { createDurableEventSink } from './notifications/index.js';
import { type Ports, systemClock, systemRandom } from './ports.js';

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, base: { service: 'custos' } });
}

/** The principal used by `custos init`/`demo` for writes made by the node itself. */
export async function adminPrincipal(ports: Ports): Promise<Principal> {
  const id = await createUsersRepo(ports.db).idOfLogin(ADMIN_LOGIN);
  if (id === undefined) throw new Error('no administrator: run custos init first');
  return {
    userId: id,
    login: ADMIN_LOGIN,
    organisationId: null,
    organisationKind: null,
    state: null,
    roles: new Set(['admin']),
  };
}

/** Open the database and run first-start work; seeds the demo world when configured. */
export async function openPorts(config: Config, logger: Logger = createLogger(config)): Promise<Ports> {
  const db = openDatabase(config);
  const events = createDurableEventSink({ db, clock: systemClock, random: systemRandom, logger });
  return { db, clock: systemClock, random: systemRandom, logger, config, events };
}

/**
 * `demo`: seed the demo world's registry and users; `demoReports` (default: with the demo): also
 * its year of reports, declarations, joint inspection and monitoring devices (tests that need an
 * empty account leave it off).
 */
export async function prepareNode(ports: Ports, opts: { demo: boolean; demoReports?: boolean }) {
  const init = await initialise(ports);
  // The node key is made at init, beside the log key (decision 0027).
  ensureNodeKey(ports);
  // A database from before migration 0009: its evaluation state is built here, resumably.
  await buildDerivedState(ports, (p) =>
    ports.logger.info(p, `derived evaluation state: MBA ${p.done}/${p.total}`),
  );
  let demoSeeded = false;
  if (opts.demo && !(await isDemoSeeded(ports))) {
    const admin = await adminPrincipal(ports);
    await seedDemoRegistry(ports, admin);
    if (opts.demoReports ?? true) {
      await seedDemoReports(ports, admin);
      await seedDemoDeclarations(ports, admin);
      await seedDemoInspection(ports, admin);
      // After the inspection: it covers one of the seal's openings.
      await seedDemoDevices(ports, admin);
    }
    demoSeeded = true;
  }
  return { ...init, demoSeeded };
}
