import type { Insertable } from 'kysely';
import type { ErrorDetail } from '../../domain/errors.js';
import { type Particulars, problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { isKeyValidAt } from '../../domain/registry/index.js';
import {
  detailOf,
  type HeaderField,
  mergeDetails,
  parseReportCsvSteps,
  parseReportJsonSteps,
  type Report,
  type SignatureOutcome,
  validateReportSteps,
} from '../../domain/reports/index.js';
import { ed25519VerifyAsync } from '../../log/index.js';
import { packBody } from '../../store/body-codec.js';
import { recordAcceptance } from '../../store/obligations.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { createReportAccountRepo } from '../../store/report-account.repo.js';
import { createReportsRepo } from '../../store/reports.repo.js';
import type { NoticeRow, ReportRow } from '../../store/schema.types.js';
import { deriveReport } from '../evaluation/index.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce, scopeOf } from '../scope.js';
import { reportContent } from './content.js';
import { buildValidationContext } from './context.js';
import { runInSlices, sha256HexInSlices } from './intake.js';
import { type RefusedHeader, refusedHeader, reject } from './refusals.js';

export type BodyFormat = 'json' | 'csv';

export interface Submission {
  /**
   * The signed bytes. Examining a submission lets go of them once they are hashed, verified and
   * parsed (`letGoOfBody`): a 60 MB report's body is not needed while its lines are validated and
   * stored, and holding it kept its size in memory through the storing transaction (issue 15
   * item 9, decision 0058). The caller must not read it afterwards.
   */
  body: Uint8Array;
  readonly format: BodyFormat;
  /** `Custos-Signature: <keyId>:<base64 Ed25519 signature over the exact body bytes>`. */
  readonly signatureHeader: string | undefined;
}

export interface Accepted {
  readonly id: string;
  readonly status: 'accepted';
  readonly logIndex: number;
  readonly receiptUrl: string;
  readonly warnings: ErrorDetail[];
}

export function reportId(r: Pick<Report, 'mba' | 'type' | 'reportNumber'>): string {
  return `${r.mba}:${r.type}:${r.reportNumber}`;
}

export interface SignatureCheck {
  readonly outcome: SignatureOutcome;
  readonly keyId: string;
  readonly signature: string;
  readonly message: string;
  /** The particulars of a failed check (decision 0052): the key and the time it was checked at. */
  readonly problem?: Particulars;
}

/**
 * The key must be the submitting organisation's, valid now, and sign the exact bytes. Shared with
 * every other body a state signs the same way (Custos-Signature), e.g. compatibility review steps.
 */
export async function checkSignature(
  ports: Ports,
  p: Principal,
  s: Pick<Submission, 'body' | 'signatureHeader'>,
  at: string,
): Promise<SignatureCheck> {
  const m =
    s.signatureHeader === undefined
      ? null
      : /^([0-9a-f]{16}):([A-Za-z0-9+/]+={0,2})$/.exec(s.signatureHeader.trim());
  if (!m) {
    return {
      outcome: 'SIGNATURE_INVALID',
      keyId: '',
      signature: '',
      message: 'the Custos-Signature header is missing or not <keyId>:<base64 signature>',
      problem: problemOf('SIGNATURE_INVALID.header', {}),
    };
  }
  const [, keyId, sigB64] = m as unknown as [string, string, string];
  const key = await createRegistryRepo(ports.db).getSigningKey(keyId);
  if (!key || key.organisation !== p.organisationId) {
    return {
      outcome: 'KEY_UNKNOWN',
      keyId,
      signature: sigB64,
      message: `key ${keyId} is not a registered key of your organisation`,
      problem: problemOf('KEY_UNKNOWN.key', { keyId }),
    };
  }
  if (!isKeyValidAt(key, at)) {
    return {
      outcome: 'KEY_NOT_VALID',
      keyId,
      signature: sigB64,
      message: `key ${keyId} is not valid at ${at} (expired, revoked or not yet valid)`,
      problem: problemOf('KEY_NOT_VALID.key', { keyId, at }),
    };
  }
  const sig = Buffer.from(sigB64, 'base64');
  const ok =
    sig.length === 64 && (await ed25519VerifyAsync(Buffer.from(key.publicKey, 'base64'), s.body, sig));
  return ok
    ? { outcome: 'VALID', keyId, signature: sigB64, message: '' }
    : {
        outcome: 'SIGNATURE_INVALID',
        keyId,
        signature: sigB64,
        message: 'the signature does not verify over the body bytes',
      };
}

export function signatureDetail(
  outcome: Exclude<SignatureOutcome, 'VALID'>,
  sig: SignatureCheck,
): ErrorDetail {
  return detailOf(sig.problem ?? problemOf(outcome, {}), 'Custos-Signature', sig.message);
}

/** What the checks found: a report that passes, or every problem at once. */
export type Examined =
  | {
      readonly ok: true;
      readonly report: Report;
      readonly warnings: ErrorDetail[];
      readonly sig: SignatureCheck;
    }
  | {
      readonly ok: false;
      readonly details: ErrorDetail[];
      readonly report: Report | undefined;
      /** Header fields of a partial report that hold placeholders, not what the state sent. */
      readonly unreadable?: ReadonlySet<HeaderField>;
      readonly sig: SignatureCheck;
    };

/**
 * The checks before anything is stored: signature, parsing and validation against the registry
 * and the MBA's account, every problem at once. It only reads: submitting (which stores the
 * report, or the fact of its refusal) and practice mode (which stores nothing) share it.
 */
export async function examineSubmission(
  ports: Ports,
  p: Principal,
  s: Submission,
  at: string,
): Promise<Examined> {
  const state = p.state as string;
  const sig = await checkSignature(ports, p, s, at);
  // In slices: a big body must not hold the event loop while it is read and checked (issue 15 item 9).
  const parsed = await runInSlices(
    s.format === 'csv' ? parseReportCsvSteps(s.body) : parseReportJsonSteps(s.body),
  );
  letGoOfBody(s);
  if (!parsed.ok) {
    const partial = parsed.partial;
    if (partial === undefined) {
      const details =
        sig.outcome === 'VALID'
          ? [...parsed.details]
          : [signatureDetail(sig.outcome, sig), ...parsed.details];
      return { ok: false, details, report: undefined, sig };
    }
    // Every problem at once: the registry and account checks also run on what could be read.
    const ctx = await buildValidationContext(ports, partial.report, state, sig.outcome);
    const checked = await runInSlices(validateReportSteps(partial.report, ctx, { partial }));
    const details = mergeDetails(parsed.details, withSignatureMessage(checked.errors, sig));
    return { ok: false, details, report: partial.report, unreadable: partial.unreadable, sig };
  }
  const report = parsed.report;
  const ctx = await buildValidationContext(ports, report, state, sig.outcome);
  const result = await runInSlices(validateReportSteps(report, ctx));
  if (result.errors.length > 0) {
    return { ok: false, details: withSignatureMessage(result.errors, sig), report, sig };
  }
  if (sig.outcome !== 'VALID') {
    // The validator reports the signature outcome itself; this guards against a context without it.
    return { ok: false, details: [signatureDetail(sig.outcome, sig)], report, sig };
  }
  return { ok: true, report, warnings: result.warnings, sig };
}

const NO_BODY = new Uint8Array(0);

/**
 * Drops this submission's reference to its body. The bytes are freed once nothing else holds
 * them: the route does not (submissionOf), and packing keeps them only until it is done.
 */
export function letGoOfBody(s: Submission): void {
  s.body = NO_BODY;
}

/** The report's row: its header, who signed and sent it, and its place in the log (set on insert). */
function reportRow(
  p: Principal,
  c: { readonly report: Report; readonly sig: SignatureCheck; readonly warnings: ErrorDetail[] },
  s: Submission,
  at: string,
  bodySha256: string,
): ReportRow {
  const { report, sig } = c;
  return {
    id: reportId(report),
    state: p.state as string,
    organisation_id: p.organisationId as string,
    mba: report.mba,
    type: report.type,
    report_number: report.reportNumber,
    report_date: report.reportDate,
    period_from: report.type === 'ICR' ? report.period.from : null,
    period_to: report.type === 'ICR' ? report.period.to : null,
    pit: report.type === 'PIL' || report.type === 'MBR' || report.type === 'INITIAL' ? report.pit : null,
    reporting_person: report.reportingPerson,
    line_count: report.lineCount,
    note: report.note ?? null,
    notice_json:
      report.type === 'EXPORT_NOTICE' || report.type === 'IMPORT_NOTICE'
        ? JSON.stringify(report.notice)
        : null,
    body_sha256: bodySha256,
    body_format: s.format,
    key_id: sig.keyId,
    signature: sig.signature,
    warnings_json: JSON.stringify(c.warnings),
    submitted_at: at,
    submitted_by: p.userId,
    log_index: -1,
  };
}

/** A transfer notice's row, looked up when ICR lines and the other state's notices cite it. */
export function noticeRow(
  state: string,
  id: string,
  report: Extract<Report, { type: 'EXPORT_NOTICE' | 'IMPORT_NOTICE' }>,
  at: string,
): Insertable<NoticeRow> {
  const n = report.notice;
  return {
    reference: n.reference,
    report_id: id,
    direction: report.type === 'EXPORT_NOTICE' ? 'export' : 'import',
    state,
    mba: report.mba,
    other_state: n.otherState,
    other_mba: n.otherMba ?? null,
    element: n.element,
    weight_mg: n.weightMg,
    fissile_mg: n.fissileMg ?? null,
    preparation_date: n.preparationDate,
    dispatch_date: n.dispatchDate,
    arrival_date: n.arrivalDate,
    submitted_at: at,
  };
}

/**
 * What examining and storing a submission came to, as plain data: it crosses from the intake
 * thread (intake-thread.ts) as it is. A refusal and a lost race are recorded by the caller.
 */
export type Intake =
  | {
      readonly kind: 'accepted';
      readonly id: string;
      readonly logIndex: number;
      readonly warnings: ErrorDetail[];
      readonly mba: string;
      readonly reportType: Report['type'];
      readonly reportNumber: number;
      readonly lines: number;
    }
  | {
      readonly kind: 'refused';
      readonly bodySha256: string;
      readonly details: ErrorDetail[];
      readonly header: RefusedHeader;
    }
  | {
      /** Two submissions of the same number raced past validation: the unique index decided. */
      readonly kind: 'duplicate';
      readonly bodySha256: string;
      readonly header: RefusedHeader;
      readonly reportType: Report['type'];
      readonly reportNumber: number;
      readonly mba: string;
    };

/**
 * How the storing transaction gets the database's writer: on the event loop's own connection it
 * just runs; on the intake thread it waits until the process hands it the writer (decision 0078).
 */
export type WriterGate = <T>(store: () => Promise<T>) => Promise<T>;

const onThisConnection: WriterGate = (store) => store();

/**
 * Verify the signature, parse, validate every line with all problems at once, then in ONE
 * transaction store the report, its lines, its signed body, its log entry and the derived state
 * (declarations issue). Stores nothing else: what it answers is settled by `submitReport`.
 */
export async function examineAndStore(
  ports: Ports,
  p: Principal,
  s: Submission,
  at: string,
  gate: WriterGate = onThisConnection,
): Promise<Intake> {
  const state = p.state as string;
  const bodySha256 = await sha256HexInSlices(s.body);
  // Compressed on the thread pool while the report is validated; only stored if it is accepted.
  const packed = packBody(s.body);
  packed.catch(() => undefined);
  const examined = await examineSubmission(ports, p, s, at);
  if (!examined.ok) {
    const { details, report, unreadable } = examined;
    return { kind: 'refused', bodySha256, details, header: refusedHeader(report, unreadable) };
  }
  const { report } = examined;
  const body = await packed;
  const id = reportId(report);
  const repo = createReportsRepo(ports.db);
  const account = createReportAccountRepo(ports.db);
  let logIndex: number;
  try {
    logIndex = await gate(() =>
      ports.db.kysely.transaction().execute(async (tx) => {
        const row = reportRow(p, examined, s, at, bodySha256);
        const index = await appendRecord(tx, ports, {
          kind: 'report',
          id,
          content: reportContent(row),
          subjectState: state,
          subjectOrg: p.organisationId,
          at,
          by: p.userId,
        });
        await repo.insertReport(tx, { ...row, log_index: index });
        await recordAcceptance(tx, row, ports.db.sqlite);
        await repo.insertBody(tx, id, body);
        await repo.insertLines(tx, id, report);
        if (report.type === 'ICR')
          await account.recordRevisions(tx, report.mba, report.reportNumber, report.lines);
        if (report.type === 'EXPORT_NOTICE' || report.type === 'IMPORT_NOTICE') {
          await repo.insertNotice(tx, noticeRow(state, id, report, at));
        }
        await deriveReport(tx, report, ports.db.sqlite);
        return index;
      }),
    );
  } catch (err) {
    if (/unique|duplicate/i.test(String((err as Error).message))) {
      const { mba, type: reportType, reportNumber } = report;
      return { kind: 'duplicate', bodySha256, header: refusedHeader(report), mba, reportType, reportNumber };
    }
    throw err;
  }
  return {
    kind: 'accepted',
    id,
    logIndex,
    warnings: examined.warnings,
    mba: report.mba,
    reportType: report.type,
    reportNumber: report.reportNumber,
    lines: report.lines.length,
  };
}

/**
 * Submit one report. A refused report stores only the fact of its refusal (who, when, body hash,
 * codes), itself logged, so a state can prove it tried to report on time. A big body on SQLite
 * is examined and stored on the intake thread (decision 0078), so that neither its parsing nor
 * SQLite's COMMIT holds the event loop; the outcome is settled here the same way.
 */
export async function submitReport(ports: Ports, p: Principal, s: Submission): Promise<Accepted> {
  const scope = await scopeOf(ports, p);
  enforce(p, 'report.submit', scope);
  const state = p.state as string;
  const at = ports.clock.now().toISOString();
  const thread = ports.intakeThread;
  const intake =
    (thread?.takes(s.body.length) === true ? await thread.examineAndStore(p, s, at) : undefined) ??
    (await examineAndStore(ports, p, s, at));
  if (intake.kind === 'refused') {
    return reject(ports, p, {
      at,
      bodySha256: intake.bodySha256,
      details: intake.details,
      header: intake.header,
    });
  }
  if (intake.kind === 'duplicate') {
    return reject(ports, p, {
      at,
      bodySha256: intake.bodySha256,
      header: intake.header,
      details: [
        {
          field: 'reportNumber',
          ...problemOf('REPORT_DUPLICATE', {
            type: intake.reportType,
            number: intake.reportNumber,
            mba: intake.mba,
          }),
          message: `report ${intake.reportNumber} was already accepted`,
        },
      ],
    });
  }
  const { id, logIndex } = intake;
  await ports.events.publish({
    type: 'report.accepted',
    state,
    organisation: p.organisationId,
    at,
    data: {
      id,
      mba: intake.mba,
      reportType: intake.reportType,
      reportNumber: intake.reportNumber,
      logIndex,
      lines: intake.lines,
    },
  });
  return {
    id,
    status: 'accepted',
    logIndex,
    receiptUrl: `/api/records/${encodeURIComponent(id)}/receipt`,
    warnings: intake.warnings,
  };
}

/** The validator lists the signature outcome among the other problems; give it our precise message. */
function withSignatureMessage(details: readonly ErrorDetail[], sig: SignatureCheck): ErrorDetail[] {
  return details.map((d) =>
    isSignatureCode(d.code) && sig.message
      ? detailOf(
          sig.problem ?? problemOf(sig.outcome as Exclude<SignatureOutcome, 'VALID'>, {}),
          d.field,
          sig.message,
          d.line,
        )
      : d,
  );
}

function isSignatureCode(code: string): boolean {
  return code === 'SIGNATURE_INVALID' || code === 'KEY_UNKNOWN' || code === 'KEY_NOT_VALID';
}
