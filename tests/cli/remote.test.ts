import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSignerKey } from '../../src/log/index.js';
import { type CliServer, custos, errorLine, startCliServer } from './harness.js';

const DAY = 86_400_000;

/**
 * The commands that talk to a running node over HTTP besides declarations: `registry`,
 * `log verify` and `inspection`, black box against one real server; and every command's --help.
 */
describe('custos registry, log and inspection commands against a running server', {
  timeout: 180_000,
}, () => {
  let s: CliServer;
  const file = (name: string) => join(s.dir, name);
  const api = async (path: string, login: string, body?: unknown, method = 'POST') => {
    const res = await fetch(new URL(path, s.url), {
      method: body === undefined ? 'GET' : method,
      headers: {
        authorization: `Bearer ${s.t.token(login)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    s = await startCliServer('sqlite');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('--help lists every command; an unknown command is refused', async () => {
    // One process per line on a loaded machine: the top level and the two commands added here.
    const [top, register, sign, unknown] = await Promise.all([
      custos(['--help']),
      custos(['key', 'register', '--help']),
      custos(['report', 'sign', '--help']),
      custos(['frobnicate']),
    ]);
    expect(top.status).toBe(0);
    for (const c of [
      'audit',
      'backup',
      'demo',
      'init',
      'inspection',
      'key',
      'keygen',
      'log',
      'proof',
      'registry',
      'report',
      'restore',
      'serve',
    ])
      expect(top.stdout).toMatch(new RegExp(`\\n  ${c} `));
    expect(register.stdout).toMatch(/^Usage: custos key register \[options\] <public-key-file>/);
    expect(sign.stdout).toMatch(/^Usage: custos report sign \[options\] <file>/);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('registry list, get and create', async () => {
    const admin = s.remote('admin');
    const [list, get, missing] = await Promise.all([
      custos(['registry', 'list', 'mbas', '--filter', 'state=XA', '--q', 'f1', '--sort=code', ...admin]),
      custos(['registry', 'get', 'states', 'XA', ...admin]),
      custos(['registry', 'get', 'states', 'QQ', ...admin]),
    ]);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((m: { code: string }) => m.code)).toEqual(['XA-F1']);
    expect(get.status, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ code: 'XA', name: 'Arcadia' });
    expect(missing.status).toBe(5);
    expect(errorLine(missing).code).toBe('NOT_FOUND');

    const state = file('state.json');
    writeFileSync(state, JSON.stringify({ code: 'XD', name: 'Dalmia' }));
    const created = await custos(['registry', 'create', 'states', '--file', state, ...admin]);
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ code: 'XD', name: 'Dalmia' });
    const [again, inline, byReviewer, badResource] = await Promise.all([
      custos(['registry', 'create', 'states', '--file', state, ...admin]),
      custos(['registry', 'create', 'states', '--data', '{"code":"XE"}', ...admin]),
      custos([
        'registry',
        'create',
        'states',
        '--data',
        '{"code":"XF","name":"F"}',
        ...s.remote('xa-ssac.reviewer'),
      ]),
      custos(['registry', 'list', 'planets', ...admin]),
    ]);
    expect(again.status).toBe(4);
    expect(errorLine(again).code).toBe('ALREADY_EXISTS');
    expect(inline.status).toBe(2);
    expect(errorLine(inline).code).toBe('VALIDATION_FAILED');
    expect(byReviewer.status).toBe(4);
    expect(errorLine(byReviewer).code).toBe('FORBIDDEN');
    expect(badResource.status).toBe(2);
    expect(errorLine(badResource).code).toBe('BAD_REQUEST');
  });

  it('an unknown or missing token is UNAUTHENTICATED, said once', async () => {
    const r = await custos(['registry', 'list', 'states', '--url', s.url, '--token', 'cst_not-a-token']);
    expect(r.status).toBe(4);
    const e = errorLine(r);
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.message).not.toContain('UNAUTHENTICATED');
  });

  it('log verify checks the live log and remembers it between runs', async () => {
    const vkey = file('log.vkey');
    writeFileSync(vkey, await (await fetch(new URL('/log/key', s.url))).text());
    const state = file('verify-state.json');
    const first = await custos(['log', 'verify', '--url', s.url, '--key', vkey, '--state', state]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('LOG VERIFIED');
    // The log grows (a registry entry is logged), then the second run checks consistency.
    const grown = await custos([
      'registry',
      'create',
      'states',
      '--data',
      '{"code":"XG","name":"Gallia"}',
      ...s.remote('admin'),
    ]);
    expect(grown.status, grown.stderr).toBe(0);
    await s.t.log.flush();
    const second = await custos(['log', 'verify', '--url', s.url, '--key', vkey, '--state', state]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/consistent with the checkpoint of size \d+ seen before/);
    const [wrongKey, noKeyFile] = await Promise.all([
      custos([
        'log',
        'verify',
        '--url',
        s.url,
        '--key',
        generateSignerKey('custos.localhost/log', new Uint8Array(32).fill(9)).vkey,
      ]),
      custos(['log', 'verify', '--url', s.url, '--key', file('missing.vkey')]),
    ]);
    expect(wrongKey.status).toBe(3);
    expect(errorLine(wrongKey).code).toMatch(/^LOG_/);
    expect(noKeyFile.status).toBe(5);
    expect(errorLine(noKeyFile).code).toBe('NOT_FOUND');
  });

  it('inspection import sends measurements; verify-statement checks a signed statement offline', async () => {
    const at = (ms: number) => new Date(s.t.clock.now().getTime() + ms).toISOString();
    const created = await api('/api/inspections', 'agency.inspector', {
      type: 'routine',
      facility: 'XC-RR',
      participants: ['agency'],
      startsAt: at(-DAY),
      noticeGivenAt: at(-10 * DAY),
    });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const stratum = await api(
      `/api/inspections/${id}/strata/fuel`,
      'agency.inspector',
      {
        population: 20,
        operator: { random: 0.001, systematic: 0 },
        inspector: { random: 0.002, systematic: 0 },
      },
      'PUT',
    );
    expect(stratum.status).toBeLessThan(300);
    const csv = file('fuel.csv');
    writeFileSync(csv, 'itemId,declared,measured,present\nF-01,1000,1000.5,yes\nF-02,1000,999.2,yes\n');
    const remote = s.remote('agency.inspector');
    const ok = await custos(['inspection', 'import', id, csv, '--stratum', 'fuel', ...remote]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^fuel: 2 item\(s\) imported, 2 recorded/);
    const badCsv = file('bad.csv');
    writeFileSync(badCsv, 'itemId,declared\nF-03,lots\n');
    const bad = await custos(['inspection', 'import', id, badCsv, '--stratum', 'fuel', ...remote]);
    expect(bad.status).toBe(2);
    expect(errorLine(bad).code).toBe('VALIDATION_FAILED');

    // A statement as the API lists it, checked offline; with another key it fails (exit 3).
    const { seedDemoInspection } = await import('../../src/services/inspections/index.js');
    const { adminPrincipal } = await import('../../src/services/runtime.js');
    const demo = await seedDemoInspection(s.t.ports, await adminPrincipal(s.t.ports));
    const statements = (await api(`/api/inspections/${demo.inspection}/statements`, 'xa-ssac.reviewer'))
      .json as { publicKey: string }[];
    expect(statements.length).toBe(2);
    const good = file('statement.json');
    writeFileSync(good, JSON.stringify(statements[1]));
    const forged = file('forged-statement.json');
    writeFileSync(forged, JSON.stringify({ ...statements[1], publicKey: statements[0]?.publicKey }));
    const notJson = file('not-json.json');
    writeFileSync(notJson, '{"statement":');
    const [v1, v2, v3] = await Promise.all([
      custos(['inspection', 'verify-statement', good]),
      custos(['inspection', 'verify-statement', forged]),
      custos(['inspection', 'verify-statement', notJson]),
    ]);
    expect(v1.status, v1.stderr).toBe(0);
    expect(v1.stdout).toMatch(/^ok: statement of rsa/);
    expect(v2.status).toBe(3);
    expect(errorLine(v2).code).toBe('SIGNATURE_INVALID');
    expect(v3.status).toBe(2);
    expect(errorLine(v3).code).toBe('BAD_REQUEST');
  });
});
