import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { DomainError } from '../domain/errors.js';

export function registerDemoCommands(program: Command, config: () => Config): void {
  const demo = program
    .command('demo')
    .description('seed the demo world into the configured database (if not yet seeded)')
    .action(async () => {
      const { openPorts, prepareNode } = await import('../services/runtime.js');
      const ports = await openPorts(config());
      try {
        const r = await prepareNode(ports, { demo: true });
        process.stdout.write(r.demoSeeded ? 'demo world seeded\n' : 'demo world was already seeded\n');
      } finally {
        await ports.db.close();
      }
    });
  demo
    .command('federation')
    .description(
      'start a regional node and an agency node, peered under an arrangement, and forward a report of XA from one to the other (Ctrl-C stops both)',
    )
    .option(
      '--dir <path>',
      'a new or empty directory for the two data directories (default: a fresh temporary one)',
    )
    .option('--regional-port <port>', "the regional node's port", '8081')
    .option('--agency-port <port>', "the agency node's port", '8082')
    .action(async (opts: { dir?: string; regionalPort: string; agencyPort: string }) => {
      const { runFederationDemo } = await import('./demo-federation.js');
      await runFederationDemo(opts);
    });
  demo
    .command('tokens')
    .description("print each demo user's login, organisation, roles, API token and web password")
    .option(
      '--json',
      'print a JSON array of { login, organisation, organisationKind, state, roles, token, password }',
    )
    .action(async (opts: { json?: boolean }) => {
      const { readDemoCredentials } = await import('../services/demo/seed.js');
      const creds = readDemoCredentials(config().dataDir);
      if (creds.length === 0) {
        throw new DomainError(
          'NOT_FOUND',
          'no demo credentials in the data directory: run `npm start` or `custos demo` first',
        );
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(creds, null, 2)}\n`);
        return;
      }
      const rows = creds.map((c) => [c.login, c.organisation, c.roles.join(','), c.password, c.token]);
      const head = ['LOGIN', 'ORGANISATION', 'ROLES', 'PASSWORD', 'API TOKEN'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      for (const r of [head, ...rows])
        process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`);
    });
}
