import type { Command } from 'commander';
import type { Config } from '../config/config.js';

/** `custos backup <dir>` (online, consistent) and `custos restore <dir>` (into an empty node). */
export function registerBackupCommands(program: Command, config: () => Config): void {
  program
    .command('backup <dir>')
    .description(
      'write a consistent online copy of this node (database and data-directory keys) into a new or empty directory',
    )
    .action(async (dir: string) => {
      const [{ backupNode }, { openPorts }] = await Promise.all([
        import('../services/backup.js'),
        import('../services/runtime.js'),
      ]);
      const ports = await openPorts(config());
      try {
        const m = await backupNode(ports, dir);
        const rows = m.tables.reduce((n, t) => n + t.rows, 0);
        process.stdout.write(
          `backup of a ${m.dialect} node written to ${dir}: ${m.tables.length} tables, ${rows} rows, ${m.logSize} log entries, ${m.files.length} files\nBACKUP OK\n`,
        );
      } finally {
        await ports.db.close();
      }
    });
  program
    .command('restore <dir>')
    .description(
      'restore a backup into an empty data directory (and, with CUSTOS_DATABASE_URL, an empty PostgreSQL database)',
    )
    .action(async (dir: string) => {
      const [{ restoreNode }, { openPorts }] = await Promise.all([
        import('../services/backup.js'),
        import('../services/runtime.js'),
      ]);
      const c = config();
      const m = await restoreNode(dir, { dataDir: c.dataDir, databaseUrl: c.databaseUrl }, () =>
        openPorts(c),
      );
      process.stdout.write(
        `restored a ${m.dialect} backup of ${m.createdAt} (${m.logSize} log entries) into ${c.databaseUrl ? 'PostgreSQL' : c.dataDir}\nRESTORE OK\n`,
      );
    });
}
