import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReportCsv, parseReportJson } from '../../src/domain/reports/index.js';
import { initialReport } from '../fixtures/reports.js';
import { type CliServer, closedPort, custos, errorLine, startCliServer } from './harness.js';

/**
 * The declaration commands, black box: `keygen`, `key register`, `report sign`, `report submit`
 * and `proof verify` run as the real binary against one real server (issue 16, items 5 and 7).
 */
// Every command is a child process (about 0.7 CPU-s a start, decision 0073): seconds each on a loaded
// 2-core machine.
describe('custos keys, reports and receipts against a running server', { timeout: 180_000 }, () => {
  let s: CliServer;
  let keyFile: string;
  let pubFile: string;
  let vkeyFile: string;
  const file = (name: string) => join(s.dir, name);
  const api = (path: string, login: string, init: RequestInit = {}) =>
    fetch(new URL(path, s.url), {
      ...init,
      headers: { authorization: `Bearer ${s.t.token(login)}`, ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    s = await startCliServer('sqlite');
    keyFile = file('xa.key');
    pubFile = file('xa.pub');
    vkeyFile = file('log.vkey');
    writeFileSync(vkeyFile, await (await fetch(new URL('/log/key', s.url))).text());
  });
  afterAll(async () => {
    await s?.close();
  });

  it('keygen writes a key pair and key register registers its public half', async () => {
    const gen = await custos(['keygen', '--out', file('xa')], { bin: true });
    expect(gen.status, gen.stderr).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const keyId = /key id ([0-9a-f]{16})/.exec(gen.stdout)?.[1];
    expect(keyId).toBeDefined();
    expect(gen.stdout).toContain('custos key register');

    // The private half is refused before anything is sent.
    const secret = await custos(['key', 'register', keyFile, ...s.remote('xa-ssac.admin')]);
    expect(secret.status).toBe(2);
    expect(errorLine(secret).code).toBe('KEY_INVALID');

    // Only an organisation's administrator may register; the submitter is refused by the server.
    const refused = await custos(['key', 'register', pubFile, ...s.remote('xa-ssac.submitter')]);
    expect(refused.status).toBe(4);
    expect(errorLine(refused).code).toBe('FORBIDDEN');

    const reg = await custos(['key', 'register', pubFile, ...s.remote('xa-ssac.admin')]);
    expect(reg.status, reg.stderr).toBe(0);
    expect(reg.stdout).toContain(`registered key ${keyId} for xa-ssac`);
    const keys = (await (await api('/api/organisations/xa-ssac/keys', 'xa-ssac.admin')).json()) as {
      items: { id: string }[];
    };
    expect(keys.items.map((k) => k.id)).toContain(keyId);

    const again = await custos(['key', 'register', pubFile, ...s.remote('xa-ssac.admin')]);
    expect(again.status).toBe(4);
    expect(errorLine(again).code).toBe('ALREADY_EXISTS');
  });

  it('report submit uploads a signed JSON report and saves a receipt that verifies offline', async () => {
    const report = file('initial.json');
    writeFileSync(report, JSON.stringify(initialReport(), null, 2));
    const r = await custos(['report', 'submit', report, '--key', keyFile, ...s.remote('xa-ssac.submitter')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('accepted XA-F1:INITIAL:1');
    expect(existsSync(`${report}.receipt`)).toBe(true);
    const pv = await custos(['proof', 'verify', `${report}.receipt`, '--key', vkeyFile]);
    expect(pv.status, pv.stderr).toBe(0);
    expect(pv.stdout).toContain('RECEIPT VERIFIED');
  });

  it('report submit takes CSV, and a refused report prints its problems once as a table', async () => {
    const parsed = parseReportJson(new TextEncoder().encode(JSON.stringify(initialReport('XA-S1'))));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
    const csv = file('store.csv');
    writeFileSync(csv, formatReportCsv(parsed.report));
    const ok = await custos(['report', 'submit', csv, '--key', keyFile, ...s.remote('xa-ssac.submitter')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('accepted XA-S1:INITIAL:1');

    const bad = initialReport();
    bad.reportNumber = 2;
    const line = bad.lines[1] as { weight: number };
    line.weight = -5;
    const badFile = file('bad.json');
    writeFileSync(badFile, JSON.stringify(bad));
    const r = await custos(['report', 'submit', badFile, '--key', keyFile, ...s.remote('xa-ssac.submitter')]);
    expect(r.status).toBe(4);
    const e = errorLine(r);
    expect(e.code).toBe('REPORT_INVALID');
    expect(e.message).not.toContain('REPORT_INVALID');
    expect(r.stderr).toMatch(/LINE\s+FIELD\s+CODE\s+MESSAGE/);
    expect(r.stderr, r.stderr).toMatch(/2\s+lines\[1\]\.weight\s+NEGATIVE_WEIGHT/);
    // The table and the error line each say it once, not the server's message twice.
    expect(r.stderr.split(e.message).length - 1).toBe(1);
  });

  it('report sign writes the detached Custos-Signature the web page and the API accept', async () => {
    const report = initialReport('XA-F1');
    report.reportNumber = 2;
    report.reportDate = '2026-02-20';
    report.pit = '2026-02-01';
    const body = file('signed.json');
    writeFileSync(body, JSON.stringify(report));
    const r = await custos(['report', 'sign', body, '--key', keyFile]);
    expect(r.status, r.stderr).toBe(0);
    const sig = readFileSync(`${body}.sig`, 'utf8').trim();
    // The exact form the submit page checks (web/src/signing.ts parseSignatureHeader).
    expect(sig).toMatch(/^[0-9a-f]{16}:[A-Za-z0-9+/]{86}==$/);
    expect(r.stdout).toContain(sig);

    const res = await api('/api/reports', 'xa-ssac.submitter', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'custos-signature': sig },
      body: readFileSync(body),
    });
    expect(res.status, await res.clone().text()).toBe(201);

    // --out chooses the file; Ed25519 signatures are deterministic, so signing again gives the same.
    const out = await custos(['report', 'sign', body, '--key', keyFile, '--out', file('other.sig')]);
    expect(out.status, out.stderr).toBe(0);
    expect(readFileSync(file('other.sig'), 'utf8').trim()).toBe(sig);
  });

  it('a missing file is NOT_FOUND, named, with no stack trace', async () => {
    const remote = s.remote('xa-ssac.submitter');
    const cases = [
      ['report', 'submit', file('nope.json'), '--key', keyFile, ...remote],
      ['report', 'submit', file('initial.json'), '--key', file('nope.key'), ...remote],
      ['report', 'sign', file('nope.json'), '--key', keyFile],
      ['key', 'register', file('nope.pub'), ...s.remote('xa-ssac.admin')],
      ['proof', 'verify', file('nope.receipt'), '--key', vkeyFile],
      ['registry', 'create', 'states', '--file', file('nope-state.json'), ...s.remote('admin')],
      ['inspection', 'import', 'I-1', file('nope.csv'), ...remote],
      ['inspection', 'verify-statement', file('nope-statement.json')],
    ];
    const results = await Promise.all(cases.map((args) => custos(args)));
    results.forEach((r, i) => {
      expect(r.status, cases[i]?.join(' ')).toBe(5);
      const e = errorLine(r);
      expect(e.code).toBe('NOT_FOUND');
      expect(e.message).toContain('nope');
      expect(r.stderr).not.toContain('    at ');
    });
  });

  it('a public key given as --key is KEY_INVALID before anything is sent, whatever its name', async () => {
    const report = file('initial.json');
    const byName = await custos([
      'report',
      'submit',
      report,
      '--key',
      pubFile,
      ...s.remote('xa-ssac.submitter'),
    ]);
    expect(byName.status).toBe(2);
    expect(errorLine(byName).code).toBe('KEY_INVALID');
    expect(errorLine(byName).message).toContain('public key');
    const sign = await custos(['report', 'sign', report, '--key', pubFile]);
    expect(sign.status).toBe(2);
    expect(errorLine(sign).code).toBe('KEY_INVALID');

    // Renamed, it is recognised as the organisation's registered public key.
    const renamed = file('signing-key');
    copyFileSync(pubFile, renamed);
    const logSize = async () => {
      await s.t.log.flush();
      return (await (await fetch(new URL('/log/checkpoint', s.url))).text()).split('\n')[1];
    };
    const before = await logSize();
    const r = await custos(['report', 'submit', report, '--key', renamed, ...s.remote('xa-ssac.submitter')]);
    expect(r.status).toBe(2);
    expect(errorLine(r).code).toBe('KEY_INVALID');
    expect(errorLine(r).message).toContain('public key');
    expect(await logSize()).toBe(before); // no refusal was logged for a report signed with the wrong bytes
  });

  it('network failures say what failed: refused connection, unknown host, not a Custos node', async () => {
    const report = file('initial.json');
    const at = (url: string) =>
      custos(['report', 'submit', report, '--key', keyFile, '--url', url, '--token', 'x']);
    const refused = await at(`http://127.0.0.1:${await closedPort()}`);
    expect(refused.status).toBe(6);
    expect(errorLine(refused).code).toBe('UNAVAILABLE');
    expect(errorLine(refused).message).toMatch(/connection refused/);
    const unknown = await at('http://custos.invalid');
    expect(unknown.status).toBe(6);
    expect(errorLine(unknown).message).toMatch(/custos\.invalid.*(not found|cannot be resolved)/);
    const badUrl = await at('not a url');
    expect(badUrl.status).toBe(2);
    expect(errorLine(badUrl).code).toBe('BAD_REQUEST');
  });

  it('proof verify --record accepts the record exactly as GET /api/records/:id serves it, and catches one changed byte', async () => {
    const id = 'XA-F1:INITIAL:1';
    const receipt = file('initial.json.receipt');
    const res = await api(`/api/records/${encodeURIComponent(id)}`, 'xa-ssac.reviewer');
    expect(res.status).toBe(200);
    const downloaded = await res.text();
    const record = file('record.json');
    writeFileSync(record, downloaded);
    const { salt } = JSON.parse(downloaded) as { salt: string };

    // As the help documents it: the file as downloaded, with its salt.
    const withSalt = await custos([
      'proof',
      'verify',
      receipt,
      '--key',
      vkeyFile,
      '--record',
      record,
      '--salt',
      salt,
    ]);
    expect(withSalt.stderr).toBe('');
    expect(withSalt.status).toBe(0);
    expect(withSalt.stdout).toContain(`record ${id}`);
    expect(withSalt.stdout).toContain('RECEIPT VERIFIED');
    // The downloaded file carries its salt: --salt is not needed.
    const bare = await custos(['proof', 'verify', receipt, '--key', vkeyFile, '--record', record]);
    expect(bare.status, bare.stderr).toBe(0);

    // One byte of the content changed (a hex digit of the body's SHA-256): a tamper, exit 3.
    const at = downloaded.indexOf('"bodySha256":"') + '"bodySha256":"'.length;
    expect(at).toBeGreaterThan(20);
    const tampered = file('record-tampered.json');
    const flipped = downloaded[at] === '0' ? '1' : '0';
    writeFileSync(tampered, `${downloaded.slice(0, at)}${flipped}${downloaded.slice(at + 1)}`);
    const t1 = await custos(['proof', 'verify', receipt, '--key', vkeyFile, '--record', tampered]);
    expect(t1.status).toBe(3);
    expect(errorLine(t1).code).toBe('LOG_PROOF_INVALID');
    expect(t1.stdout).not.toContain('VERIFIED');
    // A wrong salt on the command line is a mismatch too, not silently replaced by the file's.
    const wrongSalt = Buffer.alloc(32, 7).toString('base64');
    const t2 = await custos([
      'proof',
      'verify',
      receipt,
      '--key',
      vkeyFile,
      '--record',
      record,
      '--salt',
      wrongSalt,
    ]);
    expect(t2.status).toBe(3);
    // Another record's file against this receipt.
    const other = await api(`/api/records/${encodeURIComponent('XA-S1:INITIAL:1')}`, 'xa-ssac.reviewer');
    writeFileSync(file('other-record.json'), await other.text());
    const t3 = await custos([
      'proof',
      'verify',
      receipt,
      '--key',
      vkeyFile,
      '--record',
      file('other-record.json'),
    ]);
    expect(t3.status).toBe(3);
    // The receipt's leaf is opaque (decision 0021): the message names the record given and the
    // leaf id the receipt carries, which is the first record's.
    const { leafId } = JSON.parse(downloaded) as { leafId: string };
    expect(errorLine(t3).message).toContain('XA-S1:INITIAL:1');
    expect(errorLine(t3).message).toContain(leafId);
  });

  it('a failed proof names its reason with one code, not two', async () => {
    const receipt = file('initial.json.receipt');
    const text = readFileSync(receipt, 'utf8');
    const forged = file('forged.receipt');
    // Flip a character of the checkpoint signature line (the last line of the note).
    const lines = text.split('\n');
    const sigLine = lines.findIndex((l) => l.startsWith('— '));
    const l = lines[sigLine] as string;
    lines[sigLine] = `${l.slice(0, -3)}${l.at(-3) === 'A' ? 'B' : 'A'}${l.slice(-2)}`;
    writeFileSync(forged, lines.join('\n'));
    const r = await custos(['proof', 'verify', forged, '--key', vkeyFile]);
    expect(r.status).toBe(3);
    const e = errorLine(r);
    expect(e.code).toMatch(/^LOG_/);
    expect(e.message).not.toMatch(/\bLOG_[A-Z_]+\b/);
  });
});
