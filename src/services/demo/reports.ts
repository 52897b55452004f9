import { readFileSync } from 'node:fs';
import { evaluateMba, generateProtractedLoss } from '../../domain/accounting/index.js';
import { isDomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import { computeKeyId } from '../../domain/registry/index.js';
import {
  formatReportCsv,
  formatReportJson,
  type IcrLine,
  type InventoryLine,
  type Report,
} from '../../domain/reports/index.js';
import { ed25519PublicKey, ed25519Sign } from '../../log/index.js';
import { createUsersRepo } from '../../store/users.repo.js';
import { parseRoles } from '../auth.js';
import type { Clock, Ports } from '../ports.js';
import { createRegistryService } from '../registry.js';
import { submitReport } from '../reports/submit.js';
import { demoKeyPath } from './seed.js';

/**
 * A year of the demo world's reports, submitted through the same path as any state's (signed
 * bodies, validation, the log). The demo is fiction: each submission carries a simulated
 * submission time (some on time, some late, one corrected), which is why its log entries are
 * dated in the past. XA-P1 (a MOX line at the fabrication plant) carries the protracted
 * plutonium loss that Page's test catches while no single MUF exceeds 3σ.
 */
export const DEMO_START = '2025-11-30';
export const DEMO_LOSS_MBA = 'XA-P1';

/**
 * An initial inventory of two batches of low-enriched uranium, one of them with fractional grams:
 * the federation demo submits it, and the tests use it as their smallest complete report.
 */
export function initialInventoryReport(opts: { mba: string; reportDate: string; pit: string }) {
  return {
    type: 'INITIAL',
    mba: opts.mba,
    reportNumber: 1,
    reportDate: opts.reportDate,
    pit: opts.pit,
    reportingPerson: 'A. Operator',
    lineCount: 2,
    lines: [
      {
        line: 1,
        batch: 'P-001',
        kmp: 'D',
        element: 'E',
        weight: 500000,
        fissileWeight: 20000,
        isotope: 'G',
        basis: 'M',
        form: 'PH',
      },
      {
        line: 2,
        batch: 'P-002',
        kmp: 'D',
        element: 'E',
        weight: 250000.125,
        fissileWeight: 10000.005,
        isotope: 'G',
        basis: 'M',
        form: 'CP',
      },
    ],
  };
}

function endOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
const MONTHS = [
  '2025-12',
  '2026-01',
  '2026-02',
  '2026-03',
  '2026-04',
  '2026-05',
  '2026-06',
  '2026-07',
  '2026-08',
  '2026-09',
  '2026-10',
];

export async function submitterOf(ports: Ports, org: string): Promise<Principal> {
  const u = await createUsersRepo(ports.db).withOrganisationByLogin(`${org}.submitter`);
  if (!u || u.organisationId !== org) throw new Error(`the demo submitter of ${org} is missing`);
  return {
    userId: u.id,
    login: u.login,
    organisationId: org,
    organisationKind: u.organisationKind,
    state: u.state,
    roles: parseRoles(u.roles),
  };
}

type Lines = Map<string, Map<string, Omit<IcrLine, 'line'>[]>>;

/** A transfer booked on both sides: shipment at the shipper, receipt (same batch name) at the receiver. */
function transfer(
  book: Lines,
  t: {
    from: [string, string];
    to: [string, string];
    month: string;
    day: number;
    batch: string;
    element: 'E' | 'P';
    mg: number;
    fissile?: number;
    received?: number;
    foreign?: boolean;
    form: string;
    kmpFrom?: string;
  },
): void {
  const put = (mba: string, l: Omit<IcrLine, 'line'>) => {
    const months = book.get(mba) ?? new Map<string, Omit<IcrLine, 'line'>[]>();
    months.set(t.month, [...(months.get(t.month) ?? []), l]);
    book.set(mba, months);
  };
  const base = {
    batch: t.batch,
    element: t.element,
    basis: 'M',
    form: t.form,
    ...(t.element === 'E' ? { isotope: 'G' } : {}),
  };
  const date = `${t.month}-${String(t.day).padStart(2, '0')}`;
  put(t.from[1], {
    ...base,
    date,
    code: t.foreign ? 'SF' : 'SD',
    kmp: t.kmpFrom ?? 'B',
    weightMg: t.mg,
    ...(t.fissile === undefined ? {} : { fissileMg: t.fissile }),
    counterpart: { state: t.to[0], mba: t.to[1] },
  });
  const got = t.received ?? t.mg;
  const fissile = t.fissile === undefined ? undefined : Math.round((t.fissile * got) / t.mg);
  put(t.to[1], {
    ...base,
    date: `${t.month}-${String(t.day + 2).padStart(2, '0')}`,
    code: t.foreign ? 'RF' : 'RD',
    kmp: 'A',
    weightMg: got,
    ...(fissile === undefined ? {} : { fissileMg: fissile }),
    counterpart: { state: t.from[0], mba: t.from[1] },
  });
}

function inventory(
  mba: string,
  state: string,
  batches: { prefix: string; n: number; element: 'E' | 'P'; mg: number; enrichment?: number; form: string }[],
): Report {
  const lines: InventoryLine[] = [];
  for (const b of batches) {
    for (let i = 1; i <= b.n; i++) {
      lines.push({
        line: lines.length + 1,
        batch: `${b.prefix}-${i}`,
        kmp: 'D',
        element: b.element,
        weightMg: b.mg,
        ...(b.enrichment === undefined ? {} : { fissileMg: Math.round(b.mg * b.enrichment), isotope: 'G' }),
        basis: 'M',
        form: b.form,
      });
    }
  }
  return {
    type: 'INITIAL',
    mba,
    reportNumber: 1,
    reportDate: addDays(DEMO_START, 20),
    pit: DEMO_START,
    reportingPerson: `${state} operator`,
    lineCount: lines.length,
    lines,
  };
}

/** When each demo report is submitted (simulated): on its report date, or 41 days after its month when late. */
function submittedAt(r: Report, lateMonths: ReadonlySet<string>): Date {
  const late = r.type === 'ICR' && lateMonths.has(r.period.to.slice(0, 7));
  return new Date(`${late && r.type === 'ICR' ? addDays(r.period.to, 41) : r.reportDate}T09:30:00Z`);
}

type ProtractedLoss = ReturnType<typeof generateProtractedLoss>;
type IcrReport = Extract<Report, { type: 'ICR' }>;

/** The MOX line the protracted loss runs in: its MBA and the KMPs the generator models. */
async function registerMoxLine(ports: Ports, admin: Principal, loss: ProtractedLoss): Promise<void> {
  const registry = createRegistryService(ports);
  await registry.createMba(admin, {
    code: DEMO_LOSS_MBA,
    facility: 'XA-FAB',
    description: 'MOX line: PuO2 powder blending and pelletising',
    itemMba: false,
  });
  for (const k of loss.kmps) {
    await registry.createKmp(admin, {
      code: k.code,
      mba: DEMO_LOSS_MBA,
      kind: k.kind,
      method: k.description,
      randomRsd: k.random,
      systematicRsd: k.systematic,
    });
  }
}

/** The operator's own material balance reports for the MOX line, closed from its ICRs and PILs. */
function moxBalanceReports(loss: ProtractedLoss): Report[] {
  const out: Report[] = [];
  const p1 = evaluateMba(loss.evaluationInput).elements.find((e) => e.element === 'P');
  p1?.periods.forEach((period, i) => {
    const x = period.exact;
    const entries: [string, number][] = [
      ['PB', x.pbMg],
      ...Object.entries(x.increasesMg),
      ...Object.entries(x.decreasesMg),
      ['BE', x.beMg],
      ['BEA', x.beaMg],
      ['PE', x.peMg],
      ['MUF', x.mufMg],
    ];
    const lines = entries.map(([entry, weightMg], n) => ({
      line: n + 1,
      element: 'P' as const,
      entry,
      weightMg,
    }));
    out.push({
      type: 'MBR',
      mba: DEMO_LOSS_MBA,
      reportNumber: i + 1,
      reportDate: addDays(period.to, 13),
      pit: period.to,
      reportingPerson: 'XA operator',
      lineCount: lines.length,
      lines,
    });
  });
  return out;
}

/**
 * Monthly flows, each booked by both sides so that every transfer matches across MBAs (and, for
 * the June export from Borduria to Arcadia, across states).
 */
function bookMonthlyFlows(loss: ProtractedLoss): Lines {
  const book: Lines = new Map();
  MONTHS.forEach((month, i) => {
    const icr = loss.icrs[i];
    for (const l of icr?.lines ?? []) {
      const isReceipt = l.code === 'RD';
      transfer(book, {
        from: isReceipt ? ['XA', 'XA-S1'] : ['XA', DEMO_LOSS_MBA],
        to: isReceipt ? ['XA', DEMO_LOSS_MBA] : ['XA', 'XA-S1'],
        month,
        day: Number(l.date.slice(8, 10)) - (isReceipt ? 2 : 0),
        batch: l.batch,
        element: 'P',
        mg: l.weightMg,
        form: 'PH',
        // The MOX line's shipments are measured at its KMP C (titration), as the generator models.
        kmpFrom: isReceipt ? 'B' : 'C',
      });
    }
    transfer(book, {
      from: ['XA', 'XA-S1'],
      to: ['XA', 'XA-F1'],
      month,
      day: 3,
      batch: `XA-UO2-${month}`,
      element: 'E',
      mg: 400_000_000,
      fissile: 16_000_000,
      form: 'U2',
    });
    transfer(book, {
      from: ['XA', 'XA-F1'],
      to: ['XA', 'XA-S1'],
      month,
      day: 20,
      batch: `XA-FA-${month}`,
      element: 'E',
      mg: 398_000_000,
      fissile: 15_920_000,
      form: 'EA',
    });
    transfer(book, {
      from: ['XB', 'XB-E1'],
      to: ['XB', 'XB-F1'],
      month,
      day: 4,
      batch: `XB-UF6-${month}`,
      element: 'E',
      mg: 300_000_000,
      fissile: 10_500_000,
      form: 'U6',
    });
  });
  // One international shipment (0.8 ekg: no advance notice required), measured on receipt.
  transfer(book, {
    from: ['XB', 'XB-E1'],
    to: ['XA', 'XA-F1'],
    month: '2026-06',
    day: 10,
    batch: 'XB-EXP-2026-1',
    element: 'E',
    mg: 500_000_000,
    fissile: 20_000_000,
    received: 499_900_000,
    foreign: true,
    form: 'U6',
  });
  return book;
}

/** Each MBA's opening physical inventory, by the organisation that reports it. */
function demoInventories(): [string, Report][] {
  return [
    [
      'xa-ssac',
      inventory('XA-S1', 'XA', [
        { prefix: 'XA-S1-PU', n: 12, element: 'P', mg: 10_000_000, form: 'PH' },
        { prefix: 'XA-S1-UO2', n: 10, element: 'E', mg: 500_000_000, enrichment: 0.04, form: 'U2' },
      ]),
    ],
    [
      'xa-ssac',
      inventory('XA-F1', 'XA', [
        { prefix: 'XA-F1-PW', n: 6, element: 'E', mg: 200_000_000, enrichment: 0.04, form: 'PH' },
      ]),
    ],
    [
      'xb-ssac',
      inventory('XB-E1', 'XB', [
        { prefix: 'XB-E1-UF6', n: 20, element: 'E', mg: 1_000_000_000, enrichment: 0.035, form: 'U6' },
      ]),
    ],
    [
      'xb-ssac',
      inventory('XB-F1', 'XB', [
        { prefix: 'XB-F1-PW', n: 5, element: 'E', mg: 100_000_000, enrichment: 0.035, form: 'PH' },
      ]),
    ],
    // Reactors are item MBAs: fuel assemblies counted as items.
    [
      'xa-ssac',
      inventory('XA-R1', 'XA', [
        { prefix: 'XA-R1-FA', n: 8, element: 'E', mg: 450_000_000, enrichment: 0.042, form: 'EA' },
      ]),
    ],
    [
      'xc-ssac',
      inventory('XC-R1', 'XC', [
        { prefix: 'XC-R1-FE', n: 6, element: 'E', mg: 3_500_000, enrichment: 0.197, form: 'EA' },
      ]),
    ],
  ];
}

/** One ICR a month for every MBA in the book (a month without change is a nil report). */
function monthlyIcrs(book: Lines): IcrReport[] {
  const out: IcrReport[] = [];
  for (const [mba, months] of book) {
    MONTHS.forEach((month, i) => {
      const lines = (months.get(month) ?? []).map((l, n) => ({ ...l, line: n + 1 }) as IcrLine);
      out.push({
        type: 'ICR',
        mba,
        reportNumber: i + 1,
        reportDate: addDays(endOfMonth(month), 12),
        period: { from: `${month}-01`, to: endOfMonth(month) },
        reportingPerson: `${mba.slice(0, 2)} operator`,
        lineCount: lines.length,
        lines,
      });
    });
  }
  return out;
}

/** A correction: XA-F1 re-measures its March receipt (report 12 corrects report 4 line 1). */
function marchCorrection(xa: readonly Report[]): Report {
  const march = xa.find((r) => r.mba === 'XA-F1' && r.type === 'ICR' && r.reportNumber === 4) as IcrReport;
  // (Report 4 of XA-F1 is March 2026; its line 1 is the receipt of XA-UO2-2026-03.)
  const corrected = {
    ...march.lines[0],
    weightMg: (march.lines[0]?.weightMg ?? 0) + 1_500,
    corrects: { reportNumber: 4, line: 1 },
  } as IcrLine;
  return {
    type: 'ICR',
    mba: 'XA-F1',
    reportNumber: 12,
    reportDate: '2026-11-20',
    period: { from: '2026-11-01', to: '2026-11-30' },
    reportingPerson: 'XA operator',
    lineCount: 1,
    lines: [{ ...corrected, line: 1, date: '2026-11-19' }],
    note: 'Re-measurement of the March receipt',
  };
}

/** Sign and submit each report as its organisation's submitter, at its simulated time. */
async function submitDemoReports(
  ports: Ports,
  all: readonly { org: string; report: Report; at: Date; csv: boolean }[],
): Promise<{ accepted: number; refused: number }> {
  let accepted = 0;
  let refused = 0;
  for (const s of all) {
    const seed = new Uint8Array(
      Buffer.from(readFileSync(demoKeyPath(ports.config.dataDir, s.org), 'utf8').trim(), 'base64'),
    );
    const body = Buffer.from(s.csv ? formatReportCsv(s.report) : formatReportJson(s.report));
    const header = `${computeKeyId(ed25519PublicKey(seed))}:${Buffer.from(ed25519Sign(seed, body)).toString('base64')}`;
    const clock: Clock = { now: () => new Date(Math.min(s.at.getTime(), ports.clock.now().getTime())) };
    try {
      await submitReport({ ...ports, clock }, await submitterOf(ports, s.org), {
        body,
        format: s.csv ? 'csv' : 'json',
        signatureHeader: header,
      });
      accepted++;
    } catch (err) {
      if (!isDomainError(err)) throw err;
      refused++;
      ports.logger.warn(
        { report: `${s.report.mba}:${s.report.type}:${s.report.reportNumber}`, details: err.details },
        'demo report refused',
      );
    }
  }
  return { accepted, refused };
}

export async function seedDemoReports(
  ports: Ports,
  admin: Principal,
): Promise<{ accepted: number; refused: number }> {
  const loss = generateProtractedLoss({
    seed: 7,
    mba: DEMO_LOSS_MBA,
    state: 'XA',
    start: DEMO_START,
    periods: MONTHS.length,
    upstreamMba: 'XA-S1',
    downstreamMba: 'XA-S1',
  });
  await registerMoxLine(ports, admin, loss);
  const perOrg = new Map<string, Report[]>();
  const add = (org: string, r: Report) => perOrg.set(org, [...(perOrg.get(org) ?? []), r]);
  for (const r of [loss.initial, ...loss.pils, ...moxBalanceReports(loss)]) add('xa-ssac', r);
  const book = bookMonthlyFlows(loss);
  // A month without any change still owes an ICR (a nil report): the reactors send those.
  for (const mba of ['XA-R1', 'XC-R1']) if (!book.has(mba)) book.set(mba, new Map());
  for (const [org, r] of demoInventories()) add(org, r);
  const orgOf = (mba: string) =>
    mba.startsWith('XA') ? 'xa-ssac' : mba.startsWith('XB') ? 'xb-ssac' : 'xc-ssac';
  for (const r of monthlyIcrs(book)) add(orgOf(r.mba), r);

  // Late ICRs (41 days after the month) for two months in XB and one in XC.
  const late = new Set(['2026-03', '2026-07']);
  const all: { org: string; report: Report; at: Date; csv: boolean }[] = [];
  for (const [org, reports] of perOrg) {
    for (const r of reports)
      all.push({
        org,
        report: r,
        at: submittedAt(r, org === 'xa-ssac' ? new Set() : late),
        csv: org === 'xb-ssac',
      });
  }
  const correction = marchCorrection(perOrg.get('xa-ssac') ?? []);
  all.push({ org: 'xa-ssac', report: correction, at: new Date('2026-11-20T10:00:00Z'), csv: false });
  all.sort((a, b) => a.at.getTime() - b.at.getTime() || order(a.report) - order(b.report));
  return submitDemoReports(ports, all);
}

/** Same-instant tie-break: inventories before changes, so an MBA's book exists first. */
function order(r: Report): number {
  return r.type === 'INITIAL' ? 0 : r.type === 'ICR' ? 1 : 2;
}
