import { DomainError } from '../../domain/errors.js';
import { inScope, type Principal } from '../../domain/policy/index.js';
import { formatReportCsv, formatWeight, type Report, type ReportType } from '../../domain/reports/index.js';
import {
  type AccountLineRow,
  createAccountLinesRepo,
  type LinesQuery,
} from '../../store/account-lines.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { createReportsRepo, type StoredLineRow, toIcrLine, toReport } from '../../store/reports.repo.js';
import type { ReportRejectionRow, ReportRow } from '../../store/schema.types.js';
import { computeStateApObligations } from '../declarations/obligations.js';
import { declarationScopeOf } from '../declarations/queries.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { type ObligationPageQuery, pageStateObligations } from './obligations.js';

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

/** The report types with lines (a notice's text has its notice after its empty lines). */
const LINED: ReadonlySet<string> = new Set(['ICR', 'PIL', 'INITIAL', 'MBR']);

function notFound(): never {
  throw new DomainError('NOT_FOUND', 'no such resource');
}

function receiptUrl(id: string): string {
  return `/api/records/${encodeURIComponent(id)}/receipt`;
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

/** One stored report as GET /api/reports/:id answers it. */
function storedReportView(row: ReportRow, report: Report) {
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
    receiptUrl: receiptUrl(row.id),
    warnings: JSON.parse(row.warnings_json) as unknown[],
    report: reportView(report),
  };
}

type SummaryRow = Pick<
  ReportRow,
  | 'id'
  | 'state'
  | 'mba'
  | 'type'
  | 'report_number'
  | 'report_date'
  | 'period_from'
  | 'period_to'
  | 'pit'
  | 'line_count'
  | 'submitted_at'
  | 'log_index'
>;

/** A report's header as the list shows it. */
function reportSummary(r: SummaryRow) {
  return {
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
    receiptUrl: receiptUrl(r.id),
  };
}

/** A refusal as GET /api/rejections lists it: what could be read, the codes and the problems. */
function rejectionView(r: ReportRejectionRow) {
  return {
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
    receiptUrl: receiptUrl(r.id),
    // Refusals counted past the hourly quota, logged as this one record (decision 0023).
    ...(r.summary_count === null ? {} : { summary: { count: r.summary_count, from: r.summary_from } }),
  };
}

/** An ICR line as the lines list shows it: in grams, with the report that carried it and its sender. */
function accountLineView(row: AccountLineRow) {
  return {
    ...inGrams({ ...toIcrLine(row), reportNumber: row.report_number }),
    reportNumber: row.report_number,
    reportId: row.report_id,
    submittedAt: row.submitted_at,
    submittedBy: row.submitted_by,
  };
}

/** The MBA exists and the caller may read its state's data; NOT_FOUND otherwise (also out of scope). */
async function assertMbaReadable(ports: Ports, p: Principal, code: string): Promise<void> {
  const mba = await createRegistryRepo(ports.db).getMba(code);
  enforce(p, 'data.read', await scopeOf(ports, p), { state: mba?.state ?? '\0' });
  if (!mba) notFound();
}

/**
 * ICR lines of an MBA up to a date: the effective account (corrections applied) or the full
 * history (every line as submitted, with the report that carried it and who sent it). Paged in
 * SQL (store/account-lines.repo.ts): a request holds one page, whatever the MBA's history.
 */
async function linesOfMba(ports: Ports, p: Principal, code: string, f: LinesQuery) {
  await assertMbaReadable(ports, p, code);
  const { total, rows } = await createAccountLinesRepo(ports.db).page(code, f);
  return {
    mba: code,
    effective: f.effective,
    total,
    limit: f.limit,
    offset: f.offset,
    lines: rows.map(accountLineView),
  };
}

/** A page of an MBA's revised originals, each with its history (GET /api/mbas/:code/corrections). */
async function correctionsOfMba(
  ports: Ports,
  p: Principal,
  code: string,
  page: { limit: number; offset: number },
) {
  await assertMbaReadable(ports, p, code);
  const { total, items } = await createAccountLinesRepo(ports.db).revised(code, page);
  return {
    mba: code,
    total,
    limit: page.limit,
    offset: page.offset,
    items: items.map((e) => ({
      origin: e.origin,
      deleted: e.deleted,
      history: e.history.map(accountLineView),
    })),
  };
}

/** The report reads of the API, each checked against the caller's scope. */
export function createReportQueries(ports: Ports) {
  const repo = createReportsRepo(ports.db);

  /** A stored report the caller may read, or NOT_FOUND (also for one outside the scope). */
  async function readable(p: Principal, id: string): Promise<ReportRow> {
    const row = await repo.getReport(id);
    await assertReportReadable(ports, p, row?.state);
    return row ?? notFound();
  }
  async function shownStates(p: Principal): Promise<'all' | string[]> {
    const scope = await scopeOf(ports, p);
    enforce(p, 'data.read', scope);
    return scope === 'all' ? 'all' : [...scope];
  }

  /**
   * A stored report's text, its lines read a page at a time: `whole(lines)` is the text of the
   * report with these lines, and must be the text with no line followed by each line's part, in
   * order (the lines are the text's last part: storedReportView's `report` is its last member and
   * the lines the report's last; a CSV's rows come last). The first chunk is built before the
   * answer starts, so a report that cannot be read is refused as a whole; then one chunk a page:
   * a report of a million lines is never held at once, nor serialised in one call.
   */
  async function paged(
    row: ReportRow,
    whole: (lines: readonly StoredLineRow[]) => string,
    shape: { opens: string; joint: string; close: string },
  ): Promise<AsyncIterable<string>> {
    const { opens, joint, close } = shape;
    const empty = whole([]);
    const open = empty.slice(0, empty.length - close.length);
    const lined = LINED.has(row.type);
    if (lined && !(empty.endsWith(close) && open.endsWith(opens)))
      throw new Error(`report ${row.id}: its text does not end with its lines`);
    const id = row.id;
    return (async function* () {
      if (!lined) {
        yield empty;
        return;
      }
      yield open;
      let first = true;
      for await (const page of repo.linePages(id)) {
        const text = whole(page);
        yield `${first ? '' : joint}${text.slice(open.length, text.length - close.length)}`;
        first = false;
      }
      yield close;
    })();
  }

  return {
    /** GET /api/reports/:id's JSON, in chunks (paged). */
    async get(p: Principal, id: string): Promise<AsyncIterable<string>> {
      const row = await readable(p, id);
      return paged(row, (lines) => JSON.stringify(storedReportView(row, toReport(row, lines))), {
        opens: '"lines":[',
        joint: ',',
        close: ']}}',
      });
    },
    /** The report as CSV (export), in chunks: formula-looking cells are neutralised (domain/reports/csv.ts). */
    async exportCsv(p: Principal, id: string): Promise<AsyncIterable<string>> {
      const row = await readable(p, id);
      return paged(row, (lines) => formatReportCsv(toReport(row, lines)), {
        opens: '',
        joint: '',
        close: '',
      });
    },
    /** The exact signed bytes, so anyone can re-verify the signature offline. */
    async body(p: Principal, id: string): Promise<{ bytes: Uint8Array; format: string }> {
      const row = await readable(p, id);
      const bytes = await repo.body(id);
      return bytes ? { bytes, format: row.body_format } : notFound();
    },
    async list(
      p: Principal,
      f: { state?: string; mba?: string; type?: ReportType; limit: number; offset: number },
    ) {
      const rows = await repo.listReports({ ...f, states: await shownStates(p) });
      return rows.map(reportSummary);
    },
    async rejections(p: Principal, f: { state?: string; limit: number; offset: number }) {
      const rows = await repo.listRejections({ ...f, states: await shownStates(p) });
      return rows.map(rejectionView);
    },
    lines: (p: Principal, code: string, f: LinesQuery) => linesOfMba(ports, p, code, f),
    /** The MBA's corrected and deleted lines, a page of originals at a time, each with its history. */
    corrections: (p: Principal, code: string, page: { limit: number; offset: number }) =>
      correctionsOfMba(ports, p, code, page),
    /**
     * Obligations from the agreements in force, with due dates and status (deadlines domain): the
     * counts of all of them and a page of those the query selects (decision 0089).
     */
    timeliness: (p: Principal, state: string, query: ObligationPageQuery) =>
      timelinessOfState(ports, p, state, query),
  };
}

export type ReportQueries = ReturnType<typeof createReportQueries>;

/** A state's timeliness: its obligations' counts and a page of them, and its Article 3 declarations. */
async function timelinessOfState(ports: Ports, p: Principal, state: string, query: ObligationPageQuery) {
  enforce(p, 'data.read', await scopeOf(ports, p), { state });
  if (!(await createRegistryRepo(ports.db).getState(state))) return notFound();
  const today = ports.clock.now().toISOString().slice(0, 10);
  const { counts, total, obligations } = await pageStateObligations(ports, state, today, query);
  // The Article 3 declarations, for those the State's Protocol opens its declarations to.
  const ap = inScope(await declarationScopeOf(ports, p), state)
    ? await computeStateApObligations(ports, state, today)
    : undefined;
  const apCounts = { upcoming: 0, met: 0, late: 0, missing: 0 };
  for (const o of ap?.obligations ?? []) apCounts[o.status]++;
  const declarations = ap ? { agreement: ap.agreement, counts: apCounts, obligations: ap.obligations } : null;
  return { state, today, counts, total, limit: query.limit, offset: query.offset, obligations, declarations };
}
