import { isMainThread } from 'node:worker_threads';
import { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { registerBackupCommands } from './backup.js';
import { registerDemoCommands } from './demo.js';
import { reportAndExit } from './exit.js';
import { registerInspectionCommands } from './inspections.js';
import { registerKeyCommands } from './keys.js';
import { registerLogCommands } from './log.js';
import { registerMonitorCommands } from './monitor.js';
import { registerRegistryCommands } from './registry.js';
import { registerReportCommands } from './reports.js';
import { registerServerCommands } from './server.js';

/** `custos` — every command has --help; errors map to exit statuses in cli/exit.ts. */
export function buildCli(entry: string = import.meta.url): Command {
  const program = new Command('custos')
    .description('Custos: the shared, verifiable record of international nuclear safeguards cooperation')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  const config = () => loadConfig(process.env, process.cwd());
  registerServerCommands(program, config, entry);
  registerDemoCommands(program, config);
  registerRegistryCommands(program);
  registerLogCommands(program, config);
  registerBackupCommands(program, config);
  registerInspectionCommands(program);
  registerKeyCommands(program);
  registerReportCommands(program);
  registerMonitorCommands(program);
  return program;
}

if (isMainThread) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: unknown) => reportAndExit(err));
} else {
  // `custos serve` starts its intake thread from this module (services/reports/intake-thread.ts),
  // so the thread runs the same build as the process: the sources through tsx, or a bundle.
  const { isIntakeThread, serveIntakeThread } = await import('../services/reports/intake-worker.js');
  if (isIntakeThread()) serveIntakeThread();
}
