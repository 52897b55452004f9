/**
 * The scale benchmark's world and traffic (bench/scale.bench.ts): a real Custos server in its own
 * process (`custos serve`, demo world), 100 bench MBAs registered through the API, and signed
 * 100 000-line monthly ICRs generated fast (one template per line, the organisation's key
 * imported once into node:crypto) and submitted over HTTP.
 *
 * Each bench MBA is a fabrication line in a ring of its state: in month m, MBA j ships half its
 * lines (SD) to MBA j+1 and receives the other half (RD) from MBA j−1, with the same batch, date
 * and weight on both sides, so a complete round of ICRs has every transfer matched and a partial
 * round leaves the ring's open ends unmatched, as late reports do.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { computeKeyId } from '../src/domain/registry/keys.js';
import { ed25519PublicKey } from '../src/log/index.js';
import { ROOT, sleep } from './lib.js';

export const MBAS_PER_STATE = 50;
export const BENCH_STATES = ['XA', 'XB'] as const;
export type BenchState = (typeof BENCH_STATES)[number];

export function mbaCode(state: BenchState, i: number): string {
  return `${state}-K${String(i).padStart(3, '0')}`;
}

export interface Server {
  readonly url: string;
  readonly pid: number;
  /** ms from spawn to the first healthy answer. */
  readonly startupMs: number;
  exited(): { code: number | null; signal: string | null } | undefined;
  stop(): Promise<void>;
}

/** `custos serve` in its own process; its stderr goes to `logFile`. */
export async function startServer(env: Record<string, string>, logFile: string): Promise<Server> {
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exit: { code: number | null; signal: string | null } | undefined;
  const closed = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${env.CUSTOS_PORT}`;
  for (;;) {
    if (exit) throw new Error(`server exited at start (${JSON.stringify(exit)}); see ${logFile}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {}
    await sleep(20);
  }
  return {
    url,
    pid: child.pid as number,
    startupMs: performance.now() - t0,
    exited: () => exit,
    async stop() {
      if (!exit) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await closed;
      clearTimeout(t);
    },
  };
}

/** Resident memory of a process now and its peak since the last reset, from /proc (KiB → bytes). */
export function rssOf(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Reset the kernel's peak-RSS mark of a process (Linux clear_refs 5), so VmHWM covers a phase. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** A signer for one organisation's demo key: key id once, native Ed25519 per body. */
export function signer(dataDir: string, org: string): (body: Uint8Array) => string {
  const seed = Buffer.from(readFileSync(join(dataDir, 'demo-keys', `${org}.key`), 'utf8').trim(), 'base64');
  const keyId = computeKeyId(ed25519PublicKey(seed));
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return (body) => `${keyId}:${sign(null, body, key).toString('base64')}`;
}

export interface Credentials {
  token(login: string): string;
}

export function credentials(dataDir: string): Credentials {
  const list = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as {
    login: string;
    token: string;
  }[];
  return {
    token(login) {
      const c = list.find((x) => x.login === login);
      if (!c) throw new Error(`no demo credential ${login}`);
      return c.token;
    },
  };
}

/**
 * One HTTP exchange on its own connection (no keep-alive): a reused idle connection that the
 * server closes at the same moment resets the next request, which a loaded machine makes likely.
 */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: body ? { ...headers, 'content-length': String(body.byteLength) } : headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function api(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; ms: number }> {
  const t0 = performance.now();
  const r = await exchange(
    `${url}${path}`,
    method,
    {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
  );
  const ms = performance.now() - t0;
  let json: unknown = r.text;
  try {
    json = JSON.parse(r.text);
  } catch {}
  return { status: r.status, json, ms };
}

/** Register the bench facilities, MBAs and KMPs (each state's admin, through the API). */
export async function registerWorld(url: string, creds: Credentials): Promise<void> {
  for (const state of BENCH_STATES) {
    const token = creds.token('agency.admin');
    const must = async (path: string, body: unknown) => {
      const r = await api(url, token, 'POST', path, body);
      if (r.status !== 201)
        throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
    };
    const facility = `${state}-KFAB`;
    await must('/api/facilities', {
      code: facility,
      name: `${state} bench fabrication plant`,
      type: 'fuel-fabrication',
      state,
      latitude: 47,
      longitude: 8,
    });
    for (let i = 0; i < MBAS_PER_STATE; i++) {
      const mba = mbaCode(state, i);
      await must('/api/mbas', { code: mba, facility, description: 'bench line', itemMba: false });
      for (const [code, kind] of [
        ['A', 'flow'],
        ['B', 'flow'],
        ['D', 'inventory'],
      ] as const) {
        await must('/api/kmps', {
          mba,
          code,
          kind,
          method: 'weighing + DA',
          randomRsd: 0.002,
          systematicRsd: 0.001,
        });
      }
    }
  }
}

export function initialBody(mba: string): Uint8Array {
  return inventoryBody(mba, 'INITIAL', '2025-12-31', '2026-01-05');
}

/** The physical inventory listing at the end of the bench month (2026-11-30). */
export function pilBody(mba: string): Uint8Array {
  return inventoryBody(mba, 'PIL', '2026-11-30', '2026-12-02');
}

function inventoryBody(mba: string, type: 'INITIAL' | 'PIL', pit: string, reportDate: string): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      type,
      mba,
      reportNumber: 1,
      reportDate,
      pit,
      reportingPerson: 'Bench Operator',
      lineCount: 1,
      lines: [
        {
          line: 1,
          batch: `${mba}-INIT`,
          kmp: 'D',
          element: 'E',
          weight: 5000000,
          fissileWeight: 200000,
          isotope: 'G',
          basis: 'M',
          form: 'PH',
        },
      ],
    }),
  );
}

/** YYYY-MM of the m-th bench month (0 = 2026-01). */
export function benchMonth(m: number): string {
  const d = new Date(Date.UTC(2026, m, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * The ICR of MBA `i` of `state` for month `m` with `lines` lines: even lines ship to the next MBA
 * of the ring, odd lines receive from the previous one (the shipper's batch, date and weight).
 */
export function icrBody(
  state: BenchState,
  i: number,
  m: number,
  reportNumber: number,
  lines: number,
): Uint8Array {
  const mba = mbaCode(state, i);
  const next = mbaCode(state, (i + 1) % MBAS_PER_STATE);
  const prev = mbaCode(state, (i + MBAS_PER_STATE - 1) % MBAS_PER_STATE);
  const ym = benchMonth(m);
  const last = new Date(Date.UTC(2026, m + 1, 0)).getUTCDate();
  const parts: string[] = new Array(lines);
  for (let k = 0; k < lines; k++) {
    const n = k >> 1;
    const day = String((n % last) + 1).padStart(2, '0');
    const weight = 125000 + (n % 997) + 0.5;
    parts[k] =
      k % 2 === 0
        ? `{"line":${k + 1},"date":"${ym}-${day}","code":"SD","batch":"${mba}-${ym}-${n}","kmp":"B","element":"E","weight":${weight},"fissileWeight":4500.25,"isotope":"G","basis":"M","form":"U2","counterpart":{"state":"${state}","mba":"${next}"}}`
        : `{"line":${k + 1},"date":"${ym}-${day}","code":"RD","batch":"${prev}-${ym}-${n}","kmp":"A","element":"E","weight":${weight},"fissileWeight":4500.25,"isotope":"G","basis":"M","form":"U2","counterpart":{"state":"${state}","mba":"${prev}"}}`;
  }
  const head = `{"type":"ICR","mba":"${mba}","reportNumber":${reportNumber},"reportDate":"${ym}-${last}","period":{"from":"${ym}-01","to":"${ym}-${last}"},"reportingPerson":"Bench Operator","lineCount":${lines},"lines":[`;
  return Buffer.from(`${head}${parts.join(',')}]}`);
}

/** A one-line ICR (a late receipt) of MBA `i` for month `m`. */
export function oneLineBody(
  state: BenchState,
  i: number,
  m: number,
  reportNumber: number,
  tag: string,
): Uint8Array {
  const mba = mbaCode(state, i);
  const ym = benchMonth(m);
  const last = new Date(Date.UTC(2026, m + 1, 0)).getUTCDate();
  return Buffer.from(
    JSON.stringify({
      type: 'ICR',
      mba,
      reportNumber,
      reportDate: `${ym}-${last}`,
      period: { from: `${ym}-01`, to: `${ym}-${last}` },
      reportingPerson: 'Bench Operator',
      lineCount: 1,
      lines: [
        {
          line: 1,
          date: `${ym}-02`,
          code: 'RN',
          batch: `${mba}-ONE-${tag}`,
          kmp: 'A',
          element: 'E',
          weight: 1234.5,
          fissileWeight: 40,
          isotope: 'G',
          basis: 'M',
          form: 'U2',
        },
      ],
    }),
  );
}

export async function postReport(
  url: string,
  token: string,
  body: Uint8Array,
  signature: string,
): Promise<{ status: number; ms: number; text: string }> {
  const t0 = performance.now();
  const r = await exchange(
    `${url}/api/reports`,
    'POST',
    { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'custos-signature': signature },
    body,
  );
  return { status: r.status, ms: performance.now() - t0, text: r.text };
}
