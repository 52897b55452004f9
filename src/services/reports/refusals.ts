import { createHash } from 'node:crypto';
import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import type { HeaderField, Report } from '../../domain/reports/index.js';
import type { DbOrTx } from '../../store/db.js';
import { createReportsRepo } from '../../store/reports.repo.js';
import type { RefusalCountRow, ReportRejectionRow } from '../../store/schema.types.js';
import { createRefusalCountRepo } from '../../store/throttle.repo.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { rejectionContent } from './content.js';

/**
 * Refusals are logged so a state can prove it tried (declarations issue), but the log is
 * permanent: a principal gets `refusalsLoggedPerHour` refusal records an hour, one by one; past
 * that, refusals are answered in full but only counted, and the count is logged as one refusal
 * record when the hour is over (decision 0023). The log grows by at most quota + 1 refusal records
 * per principal and hour whatever is sent.
 */

/** The UTC hour a refusal counts in: 'YYYY-MM-DDTHH'. */
export function refusalPeriod(at: string): string {
  return at.slice(0, 13);
}

const receiptUrl = (id: string) => `/api/records/${encodeURIComponent(id)}/receipt`;

/** What the refusal record says the report was about: only what could be read of it. */
export function refusedHeader(report: Report | undefined, unreadable: ReadonlySet<HeaderField> = new Set()) {
  const known = (f: HeaderField) => report !== undefined && !unreadable.has(f);
  return {
    mba: report?.mba ?? null,
    type: report?.type ?? null,
    report_number: known('reportNumber') ? (report?.reportNumber ?? null) : null,
    period_from: report?.type === 'ICR' && known('period') ? report.period.from : null,
    period_to: report?.type === 'ICR' && known('period') ? report.period.to : null,
    pit: report && 'pit' in report && known('pit') ? report.pit : null,
  };
}

/** The columns of a refusal row that say what was refused. */
export type RefusedHeader = Omit<ReturnType<typeof refusedHeader>, 'type'> & { readonly type: string | null };

export interface Refusal {
  /** What was refused when it is not a report (an AP declaration): the row's header as is. */
  readonly header?: RefusedHeader;
  readonly at: string;
  readonly bodySha256: string;
  readonly details: ErrorDetail[];
  readonly report?: Report | undefined;
  /** Header fields of a partial report that hold placeholders, not what the state sent. */
  readonly unreadable?: ReadonlySet<HeaderField>;
}

/** The error a refusal answers: a report's or, for an AP declaration, the declaration's. */
type RefusalCode = 'REPORT_INVALID' | 'DECLARATION_INVALID';

function refusedError(code: RefusalCode, details: ErrorDetail[], meta: Record<string, unknown>): DomainError {
  const problems = details.length;
  return new DomainError(
    code,
    `the ${code === 'REPORT_INVALID' ? 'report' : 'declaration'} was refused: ${problems} problem${problems === 1 ? '' : 's'}`,
    details,
    meta,
  );
}

/**
 * Refuse a submission: log it (within the hour's quota) or count it; always throws `code`
 * (REPORT_INVALID, or DECLARATION_INVALID for an AP declaration, which shares the quota).
 */
export async function reject(
  ports: Ports,
  p: Principal,
  r: Refusal,
  code: RefusalCode = 'REPORT_INVALID',
): Promise<never> {
  const counts = createRefusalCountRepo(ports.db);
  const period = refusalPeriod(r.at);
  const quota = ports.config.submitLimits.refusalsLoggedPerHour;
  const codes = [...new Set(r.details.map((d) => d.code))].sort();
  // Counted past the quota, unless the hour's summary is already logged (a server whose clock is
  // behind): then the refusal is logged on its own rather than lost.
  const counted = await ports.db.kysely.transaction().execute(async (tx) => {
    const row = await counts.see(tx, {
      principal: p.userId,
      period,
      state: p.state,
      organisation_id: p.organisationId as string,
    });
    if (row.seen <= quota || row.summary_id !== null) return undefined;
    const merged = [...new Set([...(JSON.parse(row.codes_json) as string[]), ...codes])].sort();
    const update = {
      counted: row.counted + 1,
      codes_json: JSON.stringify(merged),
      bodies_chain: createHash('sha256').update(`${row.bodies_chain}${r.bodySha256}`).digest('hex'),
      first_at: row.first_at ?? r.at,
      last_at: r.at,
    };
    await counts.count(tx, p.userId, period, update);
    return update.counted;
  });
  if (counted !== undefined) {
    throw refusedError(code, r.details, {
      rejection: { counted, period, logged: 'in one refusal record summing this hour, once it is over' },
    });
  }
  const id = `rejection:${Buffer.from(ports.random.bytes(12)).toString('hex')}`;
  const row = {
    id,
    state: p.state,
    organisation_id: p.organisationId as string,
    ...(r.header ?? refusedHeader(r.report, r.unreadable)),
    body_sha256: r.bodySha256,
    codes_json: JSON.stringify(codes),
    details_json: JSON.stringify(r.details.slice(0, 1000)),
    submitted_at: r.at,
    submitted_by: p.userId,
    summary_count: null,
    summary_from: null,
  };
  const logIndex = await logRefusal(ports, row);
  await ports.events.publish({
    type: 'report.rejected',
    state: p.state,
    organisation: p.organisationId,
    at: r.at,
    data: { id, mba: row.mba, reportType: row.type, reportNumber: row.report_number, codes, logIndex },
  });
  throw refusedError(code, r.details, { rejection: { id, logIndex, receiptUrl: receiptUrl(id) } });
}

async function logRefusal(
  ports: Ports,
  row: Omit<ReportRejectionRow, 'log_index'>,
  /** For a summary: claim its count row in the same transaction (false: another server did). */
  claim?: (tx: DbOrTx) => Promise<boolean>,
): Promise<number> {
  return ports.db.kysely.transaction().execute(async (tx) => {
    if (claim && !(await claim(tx))) throw new SummaryTaken();
    const index = await appendRecord(tx, ports, {
      kind: 'report-rejection',
      id: row.id,
      content: rejectionContent(row),
      subjectState: row.state,
      subjectOrg: row.organisation_id,
      at: row.submitted_at,
      by: row.submitted_by,
    });
    await createReportsRepo(ports.db).insertRejection(tx, { ...row, log_index: index });
    return index;
  });
}

class SummaryTaken extends Error {}

/** The refusal record that logs an hour's count: what it covers, the codes seen, the bodies' chain. */
function summaryRow(c: RefusalCountRow, id: string): Omit<ReportRejectionRow, 'log_index'> {
  return {
    id,
    state: c.state,
    organisation_id: c.organisation_id,
    mba: null,
    type: null,
    report_number: null,
    period_from: null,
    period_to: null,
    pit: null,
    body_sha256: c.bodies_chain,
    codes_json: c.codes_json,
    details_json: JSON.stringify([
      {
        ...problemOf('REFUSALS_COUNTED', {
          count: c.counted,
          from: c.first_at ?? (c.last_at as string),
          to: c.last_at as string,
        }),
        message: `${c.counted} further refusal${c.counted === 1 ? '' : 's'} from ${c.first_at} to ${c.last_at}, past the hour's quota, counted here; bodySha256 chains their bodies' SHA-256`,
      },
    ]),
    submitted_at: c.last_at as string,
    submitted_by: c.principal,
    summary_count: c.counted,
    summary_from: c.first_at,
  };
}

/**
 * Log the counts of hours that are over (called by the server every few seconds and at start).
 * Any number of servers may run it: the claim on the count row and the record id decide one winner.
 */
export async function logRefusalSummaries(ports: Ports): Promise<number> {
  const counts = createRefusalCountRepo(ports.db);
  const current = refusalPeriod(ports.clock.now().toISOString());
  let logged = 0;
  for (const c of await counts.pending(current, 100)) {
    const id = `rejection:${Buffer.from(ports.random.bytes(12)).toString('hex')}`;
    try {
      await logRefusal(ports, summaryRow(c, id), (tx) => counts.markLogged(tx, c.principal, c.period, id));
      logged++;
    } catch (err) {
      if (!(err instanceof SummaryTaken)) throw err;
    }
  }
  await counts.pruneBefore(current);
  return logged;
}
