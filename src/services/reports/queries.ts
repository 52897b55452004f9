import { compareLines, computeEffectiveLines, type SourcedIcrLine } from '../../domain/accounting/index.js';
import { computeObligations, type Obligation, type ReceivedReport } from '../../domain/deadlines/index.js';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import { type ElementCode, formatReportCsv, formatWeight, type Report } from '../../domain/reports/index.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { createReportsRepo, toIcrLine, toReport } from '../../store/reports.repo.js';
import { pageInMemory, type SortValue } from '../page-memory.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';

/**
 * The view of a report, a rejection and their log records (issue 15 item 1): data.read in the
 * report's state. The report, its body, its CSV export and its record all ask this one function.
 */
export async function assertReportReadable(
  ports: Pick<Ports, 'db'>,
  p: Principal,
  state: string | null | undefined,
): Promise<void> {
  enforce(p, 'data.read', await scopeOf(ports, p), { state: state ?? '\0' });
}

function notFound(): never {
  throw new DomainError('NOT_FOUND', 'no such resource');
}

/** A line or notice with its milligram weights turned back into grams (the API's unit). */
function inGrams<T extends { weightMg: number; fissileMg?: number }>(l: T) {
  const { weightMg, fissileMg, ...rest } = l;
  return {
    ...rest,
    weight: formatWeight(weightMg),
    ...(fissileMg === undefined ? {} : { fissileWeight: formatWeight(fissileMg) }),
  };
}

export function reportView(report: Report) {
  const lines = (report.lines as readonly { weightMg: number; fissileMg?: number }[]).map(inGrams);
  return 'notice' in report ? { ...report, lines, notice: inGrams(report.notice) } : { ...report, lines };
}

/** Fields GET /api/mbas/:code/lines sorts on; without one, lines come in effective order. */
export const LINE_SORTS = ['date', 'code', 'batch', 'kmp', 'element', 'weight', 'reportNumber'] as const;
export type LineSort = (typeof LINE_SORTS)[number];

export interface LinesRequest {
  /** Lines dated on or before this date. */
  readonly asOf?: string | undefined;
  /** Lines dated strictly after this date (with asOf: the lines of a balance period (after, asOf]). */
  readonly after?: string | undefined;
  readonly element?: ElementCode | undefined;
  readonly effective: boolean;
  readonly limit: number;
  readonly offset: number;
  readonly sort?: LineSort | undefined;
  readonly desc?: boolean | undefined;
  /** Case-insensitive substring of the batch, code, KMP, notice or counterpart. */
  readonly q?: string | undefined;
}

/** How each sortable field of the lines reads a line (pageInMemory). */
const LINE_SORT_VALUES: Readonly<Record<LineSort, SortValue<SourcedIcrLine>>> = {
  date: (l) => l.date,
  code: (l) => l.code,
  batch: (l) => l.batch,
  kmp: (l) => l.kmp,
  element: (l) => l.element,
  weight: (l) => l.weightMg,
  reportNumber: (l) => l.reportNumber,
};

export function createReportQueries(ports: Ports) {
  const k = ports.db.kysely;
  const repo = createReportsRepo(ports.db);
  const registry = createRegistryRepo(ports.db);

  async function mbaInScope(p: Principal, code: string) {
    const mba = await registry.getMba(code);
    enforce(p, 'data.read', await scopeOf(ports, p), { state: mba?.state ?? '\0' });
    return mba ?? notFound();
  }

  return {
    async get(p: Principal, id: string) {
      const row = await repo.getReport(id);
      await assertReportReadable(ports, p, row?.state);
      if (!row) return notFound();
      const report = toReport(row, await repo.linesOf(id));
      return {
        id: row.id,
        state: row.state,
        organisation: row.organisation_id,
        status: 'accepted' as const,
        submittedAt: row.submitted_at,
        submittedBy: row.submitted_by,
        keyId: row.key_id,
        signature: row.signature,
        bodySha256: row.body_sha256,
        bodyFormat: row.body_format,
        logIndex: Number(row.log_index),
        receiptUrl: `/api/records/${encodeURIComponent(row.id)}/receipt`,
        warnings: JSON.parse(row.warnings_json) as unknown[],
        report: reportView(report),
      };
    },
    /** The report as CSV (export): formula-looking cells are neutralised (domain/reports/csv.ts). */
    async exportCsv(p: Principal, id: string): Promise<string> {
      const row = await repo.getReport(id);
      await assertReportReadable(ports, p, row?.state);
      if (!row) return notFound();
      return formatReportCsv(toReport(row, await repo.linesOf(id)));
    },
    /** The exact signed bytes, so anyone can re-verify the signature offline. */
    async body(p: Principal, id: string): Promise<{ bytes: Uint8Array; format: string }> {
      const row = await repo.getReport(id);
      await assertReportReadable(ports, p, row?.state);
      const bytes = row && (await repo.body(id));
      if (!row || !bytes) return notFound();
      return { bytes, format: row.body_format };
    },
    async list(
      p: Principal,
      f: { state?: string; mba?: string; type?: string; limit: number; offset: number },
    ) {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      let q = k
        .selectFrom('reports')
        .select([
          'id',
          'state',
          'mba',
          'type',
          'report_number',
          'report_date',
          'period_from',
          'period_to',
          'pit',
          'line_count',
          'submitted_at',
          'log_index',
        ]);
      if (scope !== 'all') q = q.where('state', 'in', scope.size ? [...scope] : ['\0']);
      if (f.state) q = q.where('state', '=', f.state);
      if (f.mba) q = q.where('mba', '=', f.mba);
      if (f.type) q = q.where('type', '=', f.type);
      const rows = await q
        .orderBy('submitted_at', 'desc')
        .orderBy('id')
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        state: r.state,
        mba: r.mba,
        type: r.type,
        reportNumber: r.report_number,
        reportDate: r.report_date,
        period: r.period_from ? { from: r.period_from, to: r.period_to } : undefined,
        pit: r.pit ?? undefined,
        lineCount: r.line_count,
        submittedAt: r.submitted_at,
        logIndex: Number(r.log_index),
        receiptUrl: `/api/records/${encodeURIComponent(r.id)}/receipt`,
      }));
    },
    async rejections(p: Principal, f: { state?: string; limit: number; offset: number }) {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      let q = k.selectFrom('report_rejections').selectAll();
      if (scope !== 'all') q = q.where('state', 'in', scope.size ? [...scope] : ['\0']);
      if (f.state) q = q.where('state', '=', f.state);
      const rows = await q.orderBy('submitted_at', 'desc').limit(f.limit).offset(f.offset).execute();
      return rows.map((r) => ({
        id: r.id,
        state: r.state,
        mba: r.mba,
        type: r.type,
        reportNumber: r.report_number,
        bodySha256: r.body_sha256,
        codes: JSON.parse(r.codes_json) as string[],
        details: JSON.parse(r.details_json) as unknown[],
        submittedAt: r.submitted_at,
        logIndex: Number(r.log_index),
        receiptUrl: `/api/records/${encodeURIComponent(r.id)}/receipt`,
      }));
    },
    /**
     * ICR lines of an MBA up to a date: the effective account (corrections applied) or the full
     * history (every line as submitted, with the report that carried it and who sent it).
     */
    async lines(p: Principal, code: string, f: LinesRequest) {
      await mbaInScope(p, code);
      // Read for this request only (no copy kept between requests: docs/decisions/0011).
      const stored = await repo.icrLinesOfMba(code);
      const account = computeEffectiveLines(
        stored.map((row): SourcedIcrLine => ({ ...toIcrLine(row), reportNumber: row.report_number })),
      );
      const allLines = () => [
        ...account.entries.flatMap((e) => e.history),
        ...account.orphans.map((o) => o.line),
      ];
      const reports = await k
        .selectFrom('reports')
        .select(['id', 'report_number', 'submitted_at', 'submitted_by'])
        .where('mba', '=', code)
        .where('type', '=', 'ICR')
        .execute();
      const meta = new Map(reports.map((r) => [r.report_number, r]));
      const withMeta = (l: SourcedIcrLine) => {
        const m = meta.get(l.reportNumber);
        return {
          ...inGrams(l),
          reportNumber: l.reportNumber,
          reportId: m?.id,
          submittedAt: m?.submitted_at,
          submittedBy: m?.submitted_by,
        };
      };
      const rows = (f.effective ? account.lines : allLines().sort(compareLines)).filter(
        (l) =>
          (f.asOf === undefined || l.date <= f.asOf) &&
          (f.after === undefined || l.date > f.after) &&
          (f.element === undefined || l.element === f.element),
      );
      const lines = pageInMemory('lines', rows, f, LINE_SORT_VALUES, (l) => [
        l.batch,
        l.code,
        l.kmp,
        l.notice,
        l.counterpart?.state,
        l.counterpart?.mba,
      ]);
      const page = {
        mba: code,
        effective: f.effective,
        total: lines.total,
        limit: lines.limit,
        offset: lines.offset,
        lines: lines.items.map(withMeta),
      };
      if (!f.effective) return page;
      return {
        ...page,
        corrected: account.entries
          .filter((e) => e.history.length > 1)
          .map((e) => ({
            origin: e.origin,
            deleted: e.current === undefined,
            history: e.history.map(withMeta),
          })),
      };
    },
    /** Obligations from the agreements in force, with due dates and status (deadlines domain). */
    async timeliness(p: Principal, state: string) {
      enforce(p, 'data.read', await scopeOf(ports, p), { state });
      if (!(await registry.getState(state))) return notFound();
      const today = ports.clock.now().toISOString().slice(0, 10);
      const obligations = await computeStateObligations(ports, state, today);
      const counts = { upcoming: 0, met: 0, late: 0, missing: 0 };
      for (const o of obligations) counts[o.status]++;
      return { state, today, counts, obligations };
    },
  };
}

/**
 * A state's reporting obligations as of `today`: from its agreements in force, its MBAs, the PITs
 * it has reported, its export notices, and every submission accepted or refused (a refusal that
 * is cured in time dates the obligation: deadlines domain).
 */
export async function computeStateObligations(
  ports: Ports,
  state: string,
  today: string,
): Promise<Obligation[]> {
  const k = ports.db.kysely;
  const registry = createRegistryRepo(ports.db);
  const agreements = (await registry.listAgreements())
    .filter((a) => a.status === 'in-force' && a.parties.some((x) => x.kind === 'state' && x.ref === state))
    .map((a) => ({
      id: a.id,
      type: a.type,
      entryIntoForce: a.entryIntoForce,
      parties: a.parties.map((x) => x.ref),
    }));
  const mbas = await registry.listMbas({ state });
  const reports = await k
    .selectFrom('reports')
    .select(['type', 'mba', 'period_from', 'period_to', 'pit', 'notice_json', 'submitted_at'])
    .where('state', '=', state)
    .execute();
  const rejected = await k
    .selectFrom('report_rejections')
    .select(['type', 'mba', 'period_from', 'period_to', 'pit', 'submitted_at'])
    .where('state', '=', state)
    .where('mba', 'is not', null)
    .where('type', 'is not', null)
    .execute();
  const received: ReceivedReport[] = [
    ...reports.map((r) => toReceived(r, 'accepted')),
    ...rejected.map((r) => toReceived({ ...r, notice_json: null }, 'rejected')),
  ];
  const pits = new Map<string, Set<string>>();
  for (const r of reports) {
    if (!r.pit || (r.type !== 'PIL' && r.type !== 'MBR')) continue;
    const set = pits.get(r.mba) ?? new Set<string>();
    set.add(r.pit);
    pits.set(r.mba, set);
  }
  const shipments = new Map<string, { direction: 'export'; reference: string; preparationDate: string }[]>();
  for (const r of reports) {
    if (r.type !== 'EXPORT_NOTICE' || !r.notice_json) continue;
    const n = JSON.parse(r.notice_json) as { reference: string; preparationDate: string };
    const list = shipments.get(r.mba) ?? [];
    list.push({ direction: 'export', reference: n.reference, preparationDate: n.preparationDate });
    shipments.set(r.mba, list);
  }
  return computeObligations({
    state,
    agreements,
    mbas: mbas.map((m) => ({
      mba: m.code,
      pits: [...(pits.get(m.code) ?? [])].sort(),
      shipments: shipments.get(m.code) ?? [],
    })),
    reports: received,
    today,
  });
}

function toReceived(
  r: {
    type: string | null;
    mba: string | null;
    period_from: string | null;
    period_to: string | null;
    pit: string | null;
    notice_json: string | null;
    submitted_at: string;
  },
  outcome: 'accepted' | 'rejected',
): ReceivedReport {
  const base = {
    type: r.type as ReceivedReport['type'],
    mba: r.mba as string,
    submittedAt: r.submitted_at,
    outcome,
  };
  if (r.period_from && r.period_to) return { ...base, period: { from: r.period_from, to: r.period_to } };
  if (r.pit) return { ...base, pit: r.pit };
  if (r.notice_json)
    return { ...base, noticeReference: (JSON.parse(r.notice_json) as { reference: string }).reference };
  return base;
}

export type ReportQueries = ReturnType<typeof createReportQueries>;
