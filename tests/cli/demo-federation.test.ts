import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FederationDemo, startFederationDemo } from '../../src/cli/demo-federation.js';
import { custos } from './harness.js';

/**
 * Issue 17 item 8: the demo's setup path with real processes (two `custos serve`, each with its own
 * data directory and SQLite database, on ports the system picks): the report XA submits to the
 * regional node is readable on the agency, and its provenance chain passes `custos proof verify`.
 */
describe('npm run demo:federation', { timeout: 240_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'custos-fed-demo-'));
  let demo: FederationDemo | undefined;
  beforeAll(async () => {
    demo = await startFederationDemo({
      root,
      regionalPort: 0,
      agencyPort: 0,
      // Cheap password hashes for the demo users; SQLite whatever the suite's environment says.
      env: { CUSTOS_SCRYPT_LOG2N: '10', CUSTOS_DATABASE_URL: '' },
    });
  }, 240_000);
  afterAll(async () => {
    await demo?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('forwards the report to the agency, whose provenance chain verifies offline', async () => {
    if (!demo) return expect.fail('the demo did not start');
    const { regional, agency, reportId } = demo;
    expect(regional.url).not.toBe(agency.url);
    const get = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const id = encodeURIComponent(reportId);

    // The same signed report on both nodes, each in its own database.
    const there = await get(`${agency.url}/api/reports/${id}`, agency.adminToken);
    const here = await get(`${regional.url}/api/reports/${id}`, regional.adminToken);
    expect([there.status, here.status]).toEqual([200, 200]);
    const [a, r] = [(await there.json()) as object, (await here.json()) as object];
    expect(JSON.stringify(a)).toContain('"bodySha256"');
    const sha = (x: object) => JSON.stringify(x).match(/"bodySha256":"([^"]+)"/)?.[1];
    expect(sha(a)).toBe(sha(r));

    const prov = await get(`${agency.url}/api/records/${id}/provenance`, agency.adminToken);
    expect(prov.status).toBe(200);
    expect(((await prov.json()) as { chain: { origin: string }[] }).chain.map((c) => c.origin)).toEqual([
      regional.origin,
      agency.origin,
    ]);

    // The chain file, checked offline by the CLI with the two nodes' log keys (UNAVAILABLE until
    // the agency's checkpoint covers its own record: ask again).
    let chain = await get(`${agency.url}/api/records/${id}/provenance/chain`, agency.adminToken);
    for (let i = 0; i < 50 && chain.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 200));
      chain = await get(`${agency.url}/api/records/${id}/provenance/chain`, agency.adminToken);
    }
    expect(chain.status, await chain.clone().text()).toBe(200);
    const reply = (await chain.json()) as { chain: unknown; sourceLogKey: string; receiverLogKey: string };
    expect(reply.sourceLogKey).toBe(regional.identity.logKey);
    const file = join(root, 'chain.json');
    writeFileSync(file, JSON.stringify(reply.chain));
    const ok = await custos([
      'proof',
      'verify',
      file,
      '--key',
      agency.identity.logKey,
      '--source-key',
      regional.identity.logKey,
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('PROVENANCE CHAIN VERIFIED');
    // The agency's key is not the source's: swapped keys fail.
    const swapped = await custos([
      'proof',
      'verify',
      file,
      '--key',
      regional.identity.logKey,
      '--source-key',
      agency.identity.logKey,
    ]);
    expect(swapped.status).not.toBe(0);
  });

  it('stops both nodes cleanly', async () => {
    if (!demo) return expect.fail('the demo did not start');
    const { regional, agency } = demo;
    await demo.stop();
    expect([regional.child.exitCode, agency.child.exitCode]).toEqual([0, 0]);
    demo = undefined;
  });
});
