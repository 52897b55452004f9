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
export function buildCli(): Command {
  const program = new Command('custos')
    .description('Custos: the shared, verifiable record of international nuclear safeguards cooperation')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  const config = () => loadConfig(process.env, process.cwd());
  registerServerCommands(program, config);
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

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => reportAndExit(err));
