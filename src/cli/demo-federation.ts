/**
 * `npm run demo:federation` (issue 17 item 8): a regional node and an agency node as two real
 * processes, each with its own data directory and SQLite database (or, given `nodeEnv`, its own
 * PostgreSQL database), peered, with an arrangement
 * (regional → agency, state XA, key registrations and reports), a state that submits a report to
 * the regional node, and that report read back on the agency with its provenance chain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/config.js';
import { DomainError } from '../domain/errors.js';
import { initialInventoryReport } from '../services/demo/reports.js';
import { demoKeyPath, readDemoCredentials } from '../services/demo/seed.js';
import { openPorts, prepareNode } from '../services/runtime.js';
import { signatureHeader } from './keys.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const READY = /Custos is running at (\S+)/;

export interface DemoNode {
  readonly name: 'regional' | 'agency';
  readonly dataDir: string;
  readonly origin: string;
  readonly url: string;
  readonly adminToken: string;
  readonly identity: { origin: string; logKey: string; nodeKey: string; keyId: string };
  readonly child: ChildProcess;
}

export interface FederationDemo {
  readonly regional: DemoNode;
  readonly agency: DemoNode;
  /** The report the state submitted to the regional node, as forwarded to the agency. */
  readonly reportId: string;
  stop(): Promise<void>;
}

export interface FederationDemoOptions {
  /** A fresh directory: `regional/` and `agency/` data directories are made inside. */
  readonly root: string;
  readonly regionalPort: number;
  readonly agencyPort: number;
  /** Extra environment for both nodes (the tests lower the password hashing cost). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment for one node, over `env` (each node's own PostgreSQL database). */
  readonly nodeEnv?: Partial<Record<DemoNode['name'], Readonly<Record<string, string>>>>;
  /** Progress, one line at a time. */
  readonly say?: (line: string) => void;
}

async function api(node: { url: string }, token: string, method: string, path: string, body?: unknown) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  const res = await fetch(`${node.url}${path}`, init);
  const text = await res.text();
  if (!res.ok)
    throw new DomainError('UNAVAILABLE', `${method} ${node.url}${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Seed the demo registry and users (not the demo year of reports: the state submits its own). */
async function prepare(env: Record<string, string>): Promise<void> {
  const ports = await openPorts(loadConfig({ ...env, CUSTOS_LOG_LEVEL: 'warn' }, process.cwd()));
  try {
    await prepareNode(ports, { demo: true, demoReports: false });
  } finally {
    await ports.db.close();
  }
}

/** Start `custos serve` for one node; resolves once it prints its URL. */
function serve(
  env: Record<string, string>,
  say: (line: string) => void,
  name: string,
  children: ChildProcess[],
) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = READY.exec(out);
      if (m?.[1]) resolve({ child, url: m[1].replace('localhost', '127.0.0.1') });
    });
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.once('exit', (code) => {
      say(`${name} node exited (${code ?? 'signal'})`);
      reject(new DomainError('UNAVAILABLE', `the ${name} node exited before it was ready: ${err}`));
    });
  });
}

async function startNode(
  name: DemoNode['name'],
  opts: FederationDemoOptions,
  port: number,
  say: (line: string) => void,
  children: ChildProcess[],
): Promise<DemoNode> {
  const dataDir = join(opts.root, name);
  mkdirSync(dataDir, { recursive: true });
  const origin = `${name}.demo.custos/log`;
  const env = {
    ...opts.env,
    ...opts.nodeEnv?.[name],
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_LOG_ORIGIN: origin,
    CUSTOS_PORT: String(port),
    CUSTOS_HOST: '127.0.0.1',
    CUSTOS_DEMO: 'true',
    CUSTOS_LOG_LEVEL: opts.env?.CUSTOS_LOG_LEVEL ?? 'warn',
  };
  say(`preparing the ${name} node in ${dataDir}`);
  await prepare(env);
  const { child, url } = await serve(env, say, name, children);
  const adminToken = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const identity = (await api({ url }, adminToken, 'GET', '/api/node')) as DemoNode['identity'];
  return { name, dataDir, origin, url, adminToken, identity, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Wait until the agency serves the forwarded report (delivery runs every 200 ms when idle). */
async function awaitForwarded(agency: DemoNode, id: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${agency.url}/api/reports/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${agency.adminToken}` },
    });
    if (res.ok) return;
    if (Date.now() > until)
      throw new DomainError('UNAVAILABLE', `the agency did not receive report ${id} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// long: the demo's script reads top to bottom: two nodes, peering, arrangement, a report, its arrival
export async function startFederationDemo(opts: FederationDemoOptions): Promise<FederationDemo> {
  const say = opts.say ?? (() => {});
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    // Both nodes start at once: each prepares its own database, then serves.
    const [r, a] = await Promise.allSettled([
      startNode('regional', opts, opts.regionalPort, say, children),
      startNode('agency', opts, opts.agencyPort, say, children),
    ]);
    if (r.status === 'rejected') throw r.reason;
    if (a.status === 'rejected') throw a.reason;
    const [regional, agency] = [r.value, a.value];
    say(`regional node at ${regional.url}, agency node at ${agency.url}`);

    // Each registers the other: url, log key, node key (handed over out of band in real life).
    const register = (at: DemoNode, other: DemoNode, name: string) =>
      api(at, at.adminToken, 'POST', '/api/peers', {
        name,
        url: other.url,
        logKey: other.identity.logKey,
        nodeKey: other.identity.nodeKey,
      }).then((r) => String(r.id));
    const agencyAtRegional = await register(regional, agency, 'International Safeguards Agency');
    const regionalAtAgency = await register(agency, regional, 'Regional Safeguards Authority');
    say('peered: each node registered the other');

    // The arrangement, recorded on both sides: XA's key registrations and reports flow R → A.
    const today = new Date().toISOString().slice(0, 10);
    const scope = { states: ['XA'], kinds: ['key-registration', 'report'], from: today };
    await api(regional, regional.adminToken, 'POST', '/api/arrangements', {
      peer: agencyAtRegional,
      direction: 'send',
      ...scope,
    });
    await api(agency, agency.adminToken, 'POST', '/api/arrangements', {
      peer: regionalAtAgency,
      direction: 'receive',
      ...scope,
    });
    say('arrangement: regional → agency, state XA, key registrations and reports');

    // The state submits to the regional node, signed with its registered key.
    const submitter = readDemoCredentials(regional.dataDir).find((c) => c.login === 'xa-ssac.submitter');
    if (!submitter) throw new DomainError('NOT_FOUND', 'the demo has no xa-ssac.submitter');
    const seed = new Uint8Array(
      Buffer.from(readFileSync(demoKeyPath(regional.dataDir, 'xa-ssac'), 'utf8').trim(), 'base64'),
    );
    const bytes = new TextEncoder().encode(
      JSON.stringify(initialInventoryReport({ mba: 'XA-F1', reportDate: today, pit: today })),
    );
    const res = await fetch(`${regional.url}/api/reports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${submitter.token}`,
        'content-type': 'application/json',
        'custos-signature': signatureHeader(seed, bytes),
      },
      body: bytes,
    });
    const submitted = (await res.json()) as { id?: string };
    if (res.status !== 201 || typeof submitted.id !== 'string')
      throw new DomainError(
        'UNAVAILABLE',
        `the regional node refused the report: ${JSON.stringify(submitted)}`,
      );
    say(`XA submitted report ${submitted.id} to the regional node`);

    await awaitForwarded(agency, submitted.id, 60_000);
    say(`the agency received ${submitted.id}, verified it and logged its own record`);
    return { regional, agency, reportId: submitted.id, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Parse a port option: 0 to 65535. */
function portOf(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new DomainError('BAD_REQUEST', `${option} must be a port number (0 to 65535), not ${value}`);
  return n;
}

/** `custos demo federation`: start, print where to look and how to log in, stop both on Ctrl-C. */
export async function runFederationDemo(opts: {
  dir?: string;
  regionalPort: string;
  agencyPort: string;
}): Promise<void> {
  const root = opts.dir ?? mkdtempSync(join(tmpdir(), 'custos-federation-'));
  if (existsSync(root) && readdirSync(root).length > 0)
    throw new DomainError('CONFLICT', `${root} is not empty: give the demo a new or empty directory`);
  const say = (line: string) => process.stdout.write(`  ${line}\n`);
  const demo = await startFederationDemo({
    root,
    regionalPort: portOf(opts.regionalPort, '--regional-port'),
    agencyPort: portOf(opts.agencyPort, '--agency-port'),
    say,
  });
  const { regional, agency, reportId } = demo;
  const login = (node: DemoNode, l: string) => {
    const c = readDemoCredentials(node.dataDir).find((x) => x.login === l);
    return c ? `${l} / ${c.password}` : l;
  };
  const id = encodeURIComponent(reportId);
  process.stdout.write(
    `${[
      '',
      'Federation demo running (Ctrl-C stops both nodes).',
      '',
      `Regional node  ${regional.url}/   data ${regional.dataDir}`,
      `  log in as ${login(regional, 'rsa.inspector')} (regional inspector) or ${login(regional, 'xa-ssac.submitter')} (XA)`,
      `  the sharing ledger of XA: ${regional.url}/api/states/XA/sharing`,
      `  administrator token: ${join(regional.dataDir, 'admin.token')}`,
      `Agency node    ${agency.url}/   data ${agency.dataDir}`,
      `  log in as ${login(agency, 'agency.inspector')} (agency inspector)`,
      `  the forwarded report: ${agency.url}/api/reports/${id}`,
      `  its provenance: ${agency.url}/api/records/${id}/provenance`,
      `  its chain: ${agency.url}/api/records/${id}/provenance/chain; save its "chain" member as`,
      `    chain.json and check it offline with the two nodes' log keys:`,
      `    npx custos proof verify chain.json --key '${agency.identity.logKey}' --source-key '${regional.identity.logKey}'`,
      `  administrator token: ${join(agency.dataDir, 'admin.token')}`,
      `Every demo login of a node: CUSTOS_DATA_DIR=<its data directory> npx custos demo tokens`,
      '',
    ].join('\n')}\n`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.stdout.write('stopping both nodes…\n');
      void demo.stop().then(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
