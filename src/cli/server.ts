import type { Command } from 'commander';
import type { Config } from '../config/config.js';

/** `entry`: the URL of the `custos` entry module, which the server's intake thread runs (decision 0078). */
export function registerServerCommands(program: Command, config: () => Config, entry: string): void {
  program
    .command('init')
    .description(
      'create the data directory, the schema, the log key and the administrator token (idempotent)',
    )
    .option('--demo', 'also seed the demo world', false)
    .action(async (opts: { demo: boolean }) => {
      const c = config();
      // Heavy modules load inside the action so `custos --help` and light commands start fast.
      const { openPorts, prepareNode } = await import('../services/runtime.js');
      const ports = await openPorts(c);
      try {
        const r = await prepareNode(ports, { demo: opts.demo });
        process.stdout.write(
          `initialised ${c.databaseUrl ? 'PostgreSQL' : c.dataDir}\nadmin token: ${r.adminTokenPath}\n`,
        );
        if (r.demoSeeded) process.stdout.write('demo world seeded\n');
      } finally {
        await ports.db.close();
      }
    });
  program
    .command('serve')
    .description('run the Custos server (configuration from CUSTOS_* environment variables; see README)')
    .action(async () => {
      const { startServer } = await import('../server/main.js');
      await startServer(config(), { intakeEntry: entry });
    });
}
