import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../fixtures/db.js';
import { custos, emptyNode, errorLine, type NodeDir, serve } from './harness.js';

/**
 * The commands that open a node's storage themselves — init, demo, demo tokens, serve, audit,
 * backup, restore — black box on each dialect (they reach SQLite through the data directory and
 * PostgreSQL through CUSTOS_DATABASE_URL, two different paths).
 */
describe.each(testDialects())('custos node commands on %s', { timeout: 300_000 }, (dialect) => {
  let node: NodeDir;
  let restored: NodeDir;
  beforeAll(async () => {
    node = await emptyNode(dialect);
    restored = await emptyNode(dialect);
  });
  afterAll(async () => {
    await node?.dispose();
    await restored?.dispose();
  });
  const run = (args: string[], on: NodeDir = node) => custos(args, { env: on.env });

  it('init creates the node once; demo seeds it once; demo tokens lists the users', async () => {
    const none = await run(['demo', 'tokens']);
    expect(none.status).toBe(5);
    expect(errorLine(none).code).toBe('NOT_FOUND');

    const init = await run(['init']);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toContain(
      dialect === 'postgres' ? 'initialised PostgreSQL' : `initialised ${node.dataDir}`,
    );
    const tokenFile = join(node.dataDir, 'admin.token');
    expect(init.stdout).toContain(`admin token: ${tokenFile}`);
    const token = readFileSync(tokenFile, 'utf8');
    const again = await run(['init']);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(tokenFile, 'utf8')).toBe(token);

    const demo = await run(['demo']);
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toBe('demo world seeded\n');
    const [demoAgain, table, json] = await Promise.all([
      run(['demo']),
      run(['demo', 'tokens']),
      run(['demo', 'tokens', '--json']),
    ]);
    expect(demoAgain.stdout).toBe('demo world was already seeded\n');
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^LOGIN\s+ORGANISATION\s+ROLES\s+PASSWORD\s+API TOKEN\s*\n/);
    expect(json.status, json.stderr).toBe(0);
    const creds = JSON.parse(json.stdout) as { login: string; token: string }[];
    expect(creds.map((c) => c.login)).toContain('xa-ssac.submitter');
    for (const c of creds) expect(table.stdout).toContain(c.token);
  });

  it('serve runs the node on a free port and stops gracefully on SIGTERM', async () => {
    const server = serve(node.env);
    try {
      const url = await server.url;
      const creds = JSON.parse(readFileSync(join(node.dataDir, 'demo-credentials.json'), 'utf8')) as {
        login: string;
        token: string;
      }[];
      const token = creds.find((c) => c.login === 'xa-ssac.reviewer')?.token;
      const me = await fetch(new URL('/api/me', url), { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { login: string }).login).toBe('xa-ssac.reviewer');
      // The CLI against it: the log it serves verifies with the key it prints.
      const vkey = /verifier key (\S+)/.exec(server.output())?.[1] as string;
      const lv = await custos(['log', 'verify', '--url', url, '--key', vkey]);
      expect(lv.status, lv.stderr).toBe(0);
      expect(lv.stdout).toContain('LOG VERIFIED');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('audit, backup and restore: the restored node audits clean', async () => {
    const audit = await run(['audit']);
    expect(audit.status, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/AUDIT OK\n$/);
    const json = await run(['audit', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, findings: [] });

    const dir = join(node.dataDir, 'backup-1');
    const backup = await run(['backup', dir]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`backup of a ${dialect} node written to .*\\nBACKUP OK\\n$`));
    const full = join(node.dataDir, 'not-empty');
    mkdirSync(full);
    writeFileSync(join(full, 'x'), 'x');
    const intoFull = await run(['backup', full]);
    expect(intoFull.status).toBe(4);
    expect(errorLine(intoFull).code).toBe('CONFLICT');

    const restore = await run(['restore', dir], restored);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/RESTORE OK\n$/);
    expect(existsSync(join(restored.dataDir, 'log.key'))).toBe(true);
    const [again, missing, restoredAudit] = await Promise.all([
      run(['restore', dir], restored),
      run(['restore', join(node.dataDir, 'no-such-backup')], restored),
      run(['audit'], restored),
    ]);
    expect(again.status).toBe(4);
    expect(errorLine(again).code).toBe('CONFLICT');
    expect(missing.status).toBe(5);
    expect(errorLine(missing).code).toBe('NOT_FOUND');
    expect(restoredAudit.status, restoredAudit.stderr).toBe(0);
    expect(restoredAudit.stdout).toMatch(/AUDIT OK\n$/);
  });
});
