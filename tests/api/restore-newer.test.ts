/**
 * `custos restore` refuses a backup taken by a newer version of Custos before it writes anything:
 * the schema of migrations it does not know cannot be rebuilt here (services/backup.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreNode } from '../../src/services/backup.js';
import { migrationNames } from '../../src/store/migrate.js';

describe.each(['sqlite', 'postgres'] as const)('restoring a newer backup (%s manifest)', (dialect) => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('is refused with CONFIG_INVALID, naming the unknown migration, and nothing is written', async () => {
    root = mkdtempSync(join(tmpdir(), 'custos-restore-newer-'));
    const backup = join(root, 'backup');
    mkdirSync(join(backup, 'files'), { recursive: true });
    writeFileSync(
      join(backup, 'manifest.json'),
      JSON.stringify({
        format: 'custos-backup/1',
        dialect,
        createdAt: '2030-01-01T00:00:00.000Z',
        migrations: [...migrationNames(dialect), '9999-from-the-future'],
        tables: [],
        logSize: 0,
        files: ['log.key'],
      }),
    );
    writeFileSync(join(backup, 'files', 'log.key'), 'not used');
    const dataDir = join(root, 'data');
    let opened = false;
    await expect(
      restoreNode(
        backup,
        { dataDir, databaseUrl: dialect === 'postgres' ? 'postgres://unused/none' : undefined },
        async () => {
          opened = true;
          throw new Error('must not open the target');
        },
      ),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('9999-from-the-future'),
    });
    expect(opened).toBe(false);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  });
});
