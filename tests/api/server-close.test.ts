import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { startServer } from '../../src/server/main.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('a server started and closed in-process', () => {
  it('leaves no signal listener behind (tests start many in one worker)', async () => {
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-close-'));
    try {
      const config = loadConfig(
        {
          CUSTOS_DATA_DIR: dataDir,
          CUSTOS_PORT: '0',
          CUSTOS_HOST: '127.0.0.1',
          CUSTOS_LOG_LEVEL: 'silent',
          CUSTOS_SCRYPT_LOG2N: '10',
        },
        ROOT,
      );
      const server = await startServer(config);
      // While it runs, SIGTERM and SIGINT shut it down gracefully.
      expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
      expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
      const health = await fetch(`${server.url.replace('localhost', '127.0.0.1')}/healthz`);
      expect(health.status).toBe(200);
      await server.close();
      expect(process.listenerCount('SIGTERM')).toBe(before.term);
      expect(process.listenerCount('SIGINT')).toBe(before.int);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
