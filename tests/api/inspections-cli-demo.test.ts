import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { seedDemoInspection, verifyStatementSignature } from '../../src/services/inspections/index.js';
import { adminPrincipal } from '../../src/services/runtime.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { runCli } from '../fixtures/cli.js';
import { testDialects } from '../fixtures/db.js';

const DAY = 86_400_000;

describe.each(testDialects())('inspection demo and CLI import on %s', (dialect) => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.close();
  });
  const get = (path: string, login: string) =>
    t.app.inject({ method: 'GET', url: path, headers: bearer(t.token(login)) });

  it('seeds a joint inspection with a significant discrepancy, a case and two signed statements', async () => {
    const demo = await seedDemoInspection(t.ports, await adminPrincipal(t.ports));
    expect(demo.caseId).toEqual(expect.any(String));
    const findings = (await get(`/api/inspections/${demo.inspection}/findings`, 'xa-ssac.reviewer')).json();
    expect(findings.map((f: { type: string }) => f.type)).toContain('partial-defect');
    expect(findings.find((f: { caseId: string | null }) => f.caseId !== null)?.caseId).toBe(demo.caseId);
    const statements = (
      await get(`/api/inspections/${demo.inspection}/statements`, 'xa-ssac.reviewer')
    ).json();
    expect(statements.map((s: { organisation: string }) => s.organisation)).toEqual(['agency', 'rsa']);
    for (const s of statements)
      expect(verifyStatementSignature(s.statement, s.signature, s.publicKey)).toBe(true);

    // Offline: the state saves one entry and checks it with the CLI, no server involved.
    const file = join(t.tdb.dataDir, 'statement.json');
    writeFileSync(file, JSON.stringify(statements[1]));
    const ok = await runCli(['inspection', 'verify-statement', file]);
    expect(ok.stdout).toContain('ok: statement of rsa');
    expect(ok.status).toBe(0);
    writeFileSync(file, JSON.stringify({ ...statements[1], publicKey: statements[0].publicKey }));
    const bad = await runCli(['inspection', 'verify-statement', file]);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('SIGNATURE_INVALID');

    await t.log.flush();
    const audit = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(audit.findings).toEqual([]);
  }, 120_000);

  it('imports measurement data from CSV over the API', async () => {
    const at = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();
    const token = t.token('agency.inspector');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/inspections',
      headers: bearer(token),
      payload: {
        type: 'routine',
        facility: 'XC-RR',
        participants: ['agency'],
        startsAt: at(-DAY),
        noticeGivenAt: at(-10 * DAY),
      },
    });
    const id = created.json().id as string;
    await t.app.inject({
      method: 'PUT',
      url: `/api/inspections/${id}/strata/fuel`,
      headers: bearer(token),
      payload: {
        population: 20,
        operator: { random: 0.001, systematic: 0 },
        inspector: { random: 0.002, systematic: 0 },
      },
    });
    const csv = join(t.tdb.dataDir, 'fuel.csv');
    writeFileSync(
      csv,
      'stratum,itemId,declared,measured,present,sealIntact\n' +
        'fuel,F-01,1000,1000.5,yes,\n' +
        'fuel,F-02,1000,999.2,yes,\n' +
        'fuel,F-03,1000,400,yes,no\n',
    );
    const res = await runCli(['inspection', 'import', id, csv, '--url', url, '--token', token]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^fuel: 3 item\(s\) imported, 3 recorded, D = 4002\.000/);
    const v = (await get(`/api/inspections/${id}/verification`, 'agency.inspector')).json();
    expect(v[0].items).toHaveLength(3);
    const types = (await get(`/api/inspections/${id}/findings`, 'agency.inspector'))
      .json()
      .map((f: { type: string }) => f.type)
      .sort();
    expect(types).toEqual(['gross-defect', 'seal-broken']);

    // Malformed CSV is refused before anything is sent (src/cli/inspections.test.ts).
    writeFileSync(csv, 'itemId,declared,measured\nF-04,1000,1000\n');
    const byState = await runCli([
      'inspection',
      'import',
      id,
      csv,
      '--stratum',
      'fuel',
      '--url',
      url,
      '--token',
      t.token('xc-ssac.submitter'),
    ]);
    expect(byState.stderr).toContain('FORBIDDEN');
    expect(byState.status).toBe(4);
  }, 120_000);
});
