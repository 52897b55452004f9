/**
 * Report validation against the registry and the account (issue "Validation: every problem at
 * once"). Pure: the service fills a ValidationContext from the database; nothing here reads a
 * clock or a store. Field paths and line numbers follow build-report.ts.
 */
import type { ErrorDetail } from '../errors.js';
import { DEFAULT_MAX_DETAILS, type HeaderField, omittedBy, tooManyErrors } from './build-report.js';
import {
  DEFAULT_BASIS_CODES,
  DEFAULT_ISOTOPE_CODES,
  type IcCodeInfo,
  MBR_BALANCE_ENTRIES,
  MBR_SIGNED_ENTRIES,
} from './codes.js';
import { daysBetween, isCalendarMonth } from './dates.js';
import type {
  ElementCode,
  IcrReport,
  IsoDate,
  LineRef,
  MbrReport,
  Milligrams,
  NoticeReport,
  PilReport,
  Report,
} from './report.types.js';
import { formatWeightText } from './weight.js';

export interface MbaInfo {
  readonly code: string;
  /** The state the MBA belongs to (the only state that may report for it). */
  readonly state: string;
  /** Items counted as items (fuel assemblies): MUF must be exactly 0 (domain.md §4). */
  readonly isItemMba?: boolean;
}

export interface KmpInfo {
  readonly kind: 'flow' | 'inventory';
}

/** Anything with `has`: a Set of keys, a Map keyed by them, or a lookup object over a database index. */
export interface KeyLookup {
  has(key: string): boolean;
}

/** Outcome of the signature check done before parsing; reported with the other problems. */
export type SignatureOutcome = 'VALID' | 'SIGNATURE_INVALID' | 'KEY_UNKNOWN' | 'KEY_NOT_VALID';

export interface ValidationContext {
  /** The registry entry of `report.mba`, or undefined if there is none (UNKNOWN_MBA). */
  readonly mba: MbaInfo | undefined;
  /** The state whose key signed the submission (MBA_NOT_OWNED unless it owns the MBA). */
  readonly submitterState: string;
  readonly signature?: SignatureOutcome;
  /** KMPs of this MBA. */
  readonly kmps: ReadonlyMap<string, KmpInfo>;
  /** Inventory change codes of the agreement (DEFAULT_IC_CODES if it adds none). */
  readonly icCodes: ReadonlyMap<string, IcCodeInfo>;
  /** Elements the agreement covers; all five when absent. */
  readonly elements?: ReadonlySet<ElementCode>;
  readonly basisCodes?: ReadonlySet<string>;
  readonly isotopeCodes?: ReadonlySet<string>;
  /** Highest report number stored for this MBA and report type; 0 when none. */
  readonly lastReportNumber: number;
  /** Report numbers already stored for this MBA and report type. */
  readonly existingReportNumbers: { has(reportNumber: number): boolean };
  /**
   * Batches on this MBA's book, as `batchKey(batch, element)`: created by an earlier receipt,
   * starting point or de-exemption (or listed in the initial report) and not since removed.
   */
  readonly bookBatches?: KeyLookup;
  /** Earlier ICR lines of this MBA that a correction may target, as `lineRefKey(ref)`. */
  readonly correctionTargets?: KeyLookup;
  /** Notice references already on record (for ICR lines: must exist; for a notice: must not). */
  readonly knownNotices?: KeyLookup;
  /** Ending physical inventory of the previous balance per element (PB_MISMATCH); missing element = 0. */
  readonly previousPe?: ReadonlyMap<ElementCode, Milligrams>;
  /** PIL total per element for the MBR's PIT (PE_MISMATCH); missing element = 0. */
  readonly pilTotals?: ReadonlyMap<ElementCode, Milligrams>;
  /** Effective ICR line weights of the balance period, summed per element and code (ICR_MISMATCH). */
  readonly icrTotals?: ReadonlyMap<ElementCode, ReadonlyMap<string, Milligrams>>;
  /** PIT of the previous balance (a PIL, MBR or INITIAL must be later). */
  readonly previousPit?: IsoDate;
  /** Entry into force of the agreement: no line may be dated before it. */
  readonly agreementStart?: IsoDate;
  /** Today's date (the clock comes in): a report may not be dated in the future. */
  readonly today?: IsoDate;
}

/**
 * Validating the readable part of a report that also has format problems (PartialReport of
 * build-report.ts): checks that depend on an unreadable header field, or on every line being
 * there (line count, numbering, the MBR's balance arithmetic and totals), are left out.
 */
export interface PartialValidation {
  readonly unreadable: ReadonlySet<HeaderField>;
  readonly rawLineCount: number;
  readonly droppedLines: number;
  /** The position in the document of each line of the partial report (field paths name it). */
  readonly positions: readonly number[];
}

export interface ValidationResult {
  readonly errors: ErrorDetail[];
  readonly warnings: ErrorDetail[];
}

export function lineRefKey(ref: LineRef): string {
  return `${ref.reportNumber}:${ref.line}`;
}

export function batchKey(batch: string, element: ElementCode): string {
  return `${element}:${batch}`;
}

class Sink {
  readonly list: ErrorDetail[] = [];
  private omitted = 0;
  constructor(private readonly max: number) {}
  add(code: string, field: string | undefined, message: string, line?: number): void {
    if (this.list.length >= this.max) {
      this.omitted++;
      return;
    }
    const d: ErrorDetail =
      line === undefined
        ? field === undefined
          ? { code, message }
          : { field, code, message }
        : field === undefined
          ? { line, code, message }
          : { line, field, code, message };
    this.list.push(d);
  }
  done(): ErrorDetail[] {
    if (this.omitted > 0) {
      this.list.push(tooManyErrors(this.omitted));
    }
    return this.list;
  }
}

const g = formatWeightText;

/** Every problem of a parsed report, at once. Errors refuse the report; warnings are stored with it. */
export function validateReport(
  report: Report,
  ctx: ValidationContext,
  options: { maxDetails?: number; partial?: PartialValidation } = {},
): ValidationResult {
  const max = options.maxDetails ?? DEFAULT_MAX_DETAILS;
  const errors = new Sink(max);
  const warnings = new Sink(max);
  const readable = new Readable(options.partial);
  checkHeader(report, ctx, readable, errors);
  switch (report.type) {
    case 'ICR':
      checkIcr(report, ctx, readable, errors, warnings);
      break;
    case 'PIL':
    case 'INITIAL':
      checkInventory(report, ctx, readable, errors, warnings);
      break;
    case 'MBR':
      checkMbr(report, ctx, readable, errors, warnings);
      break;
    default:
      checkNotice(report, ctx, errors, warnings);
  }
  return { errors: errors.done(), warnings: warnings.done() };
}

/** Which parts of the report were read (all of them, unless it is a partial report). */
class Readable {
  readonly lineCount: number | undefined;
  readonly allLines: boolean;
  constructor(private readonly partial: PartialValidation | undefined) {
    this.lineCount = partial?.rawLineCount;
    this.allLines = (partial?.droppedLines ?? 0) === 0;
  }
  has(field: HeaderField): boolean {
    return this.partial?.unreadable.has(field) !== true;
  }
  /** The field path of the i-th line: its position in the document, not in the partial report. */
  path(i: number): string {
    return `lines[${this.partial?.positions[i] ?? i}]`;
  }
}

/**
 * The format problems and the validation problems of one report as one list for the submitter:
 * report-level problems first, then by line (stable within a line), with at most `max` details
 * and one TOO_MANY_ERRORS detail saying how many more there were.
 */
export function mergeDetails(
  a: readonly ErrorDetail[],
  b: readonly ErrorDetail[],
  max = DEFAULT_MAX_DETAILS,
): ErrorDetail[] {
  let omitted = 0;
  const listed: ErrorDetail[] = [];
  for (const d of [...a, ...b]) {
    if (d.code === 'TOO_MANY_ERRORS') omitted += omittedBy(d);
    else listed.push(d);
  }
  const sorted = listed
    .map((d, i) => ({ d, i }))
    .sort((x, y) => (x.d.line ?? 0) - (y.d.line ?? 0) || x.i - y.i)
    .map((x) => x.d);
  omitted += Math.max(0, sorted.length - max);
  const out = sorted.slice(0, max);
  if (omitted > 0) out.push(tooManyErrors(omitted));
  return out;
}

function checkHeader(report: Report, ctx: ValidationContext, readable: Readable, errors: Sink): void {
  if (ctx.signature !== undefined && ctx.signature !== 'VALID') {
    errors.add(ctx.signature, 'signature', signatureMessage[ctx.signature]);
  }
  if (ctx.mba === undefined || ctx.mba.code !== report.mba) {
    errors.add('UNKNOWN_MBA', 'mba', `MBA "${report.mba}" is not registered`);
  } else if (ctx.mba.state !== ctx.submitterState) {
    // Not naming the owner: a state learns nothing of another state's MBA from a refusal.
    errors.add('MBA_NOT_OWNED', 'mba', `MBA "${report.mba}" is not an MBA of ${ctx.submitterState}`);
  }
  const n = report.reportNumber;
  if (!readable.has('reportNumber') || !ownsMba(report, ctx)) {
    // nothing to compare (another state's numbering is not ours to see)
  } else if (ctx.existingReportNumbers.has(n)) {
    errors.add(
      'REPORT_DUPLICATE',
      'reportNumber',
      `${report.type} number ${n} for ${report.mba} already exists`,
    );
  } else if (n !== ctx.lastReportNumber + 1) {
    errors.add(
      'REPORT_NUMBER_GAP',
      'reportNumber',
      `${report.type} numbers for ${report.mba} are sequential: expected ${ctx.lastReportNumber + 1}, got ${n}`,
    );
  }
  const count = readable.lineCount ?? report.lines.length;
  if (readable.has('lineCount') && report.lineCount !== count) {
    errors.add(
      'LINE_COUNT_MISMATCH',
      'lineCount',
      `lineCount says ${report.lineCount} but the report has ${count} lines`,
    );
  }
  if (readable.has('reportDate') && ctx.today !== undefined && report.reportDate > ctx.today) {
    errors.add(
      'DATE_OUTSIDE_PERIOD',
      'reportDate',
      `report date ${report.reportDate} is after today (${ctx.today})`,
    );
  }
  // Lines are numbered 1..n, each once, in any order (n counts unreadable lines too).
  if (count > 0) {
    const seen = new Uint8Array(count + 1);
    for (let i = 0; i < report.lines.length; i++) {
      const ln = (report.lines[i] as { line: number }).line;
      if (ln > count) {
        errors.add('LINE_NUMBERING', `${readable.path(i)}.line`, `line numbers run from 1 to ${count}`, ln);
      } else if (seen[ln] === 1) {
        errors.add('LINE_NUMBERING', `${readable.path(i)}.line`, `line number ${ln} is used twice`, ln);
      } else {
        seen[ln] = 1;
      }
    }
  }
}

/** The report's MBA is registered and belongs to the submitting state. */
function ownsMba(report: Report, ctx: ValidationContext): boolean {
  return ctx.mba !== undefined && ctx.mba.code === report.mba && ctx.mba.state === ctx.submitterState;
}

const signatureMessage: Record<Exclude<SignatureOutcome, 'VALID'>, string> = {
  SIGNATURE_INVALID: 'the signature does not verify over the submitted bytes',
  KEY_UNKNOWN: 'the signing key is not registered',
  KEY_NOT_VALID: 'the signing key was not valid at the report date',
};

interface WeighedLine {
  readonly line: number;
  readonly kmp: string;
  readonly element: ElementCode;
  readonly weightMg: Milligrams;
  readonly fissileMg?: Milligrams;
  readonly isotope?: string;
  readonly basis?: string;
}

/** Checks shared by ICR and inventory lines. */
function checkLineBasics(l: WeighedLine, path: string, ctx: ValidationContext, errors: Sink, warnings: Sink) {
  const ln = l.line;
  // Under an unknown or another state's MBA every KMP would be unknown: UNKNOWN_MBA or
  // MBA_NOT_OWNED says it once.
  if (ctx.mba?.state === ctx.submitterState && !ctx.kmps.has(l.kmp)) {
    errors.add('UNKNOWN_KMP', `${path}.kmp`, `KMP "${l.kmp}" is not registered`, ln);
  }
  if (ctx.elements !== undefined && !ctx.elements.has(l.element)) {
    errors.add(
      'UNKNOWN_ELEMENT',
      `${path}.element`,
      `element ${l.element} is not covered by the agreement`,
      ln,
    );
  }
  checkWeights(l.weightMg, l.fissileMg, false, path, ln, errors);
  if (l.basis !== undefined && !(ctx.basisCodes ?? DEFAULT_BASIS_CODES).has(l.basis)) {
    errors.add('UNKNOWN_BASIS', `${path}.basis`, `measurement basis "${l.basis}" is not known`, ln);
  }
  if (l.isotope !== undefined && !(ctx.isotopeCodes ?? DEFAULT_ISOTOPE_CODES).has(l.isotope)) {
    errors.add('UNKNOWN_ISOTOPE', `${path}.isotope`, `isotope code "${l.isotope}" is not known`, ln);
  }
  if (l.element === 'E' && l.fissileMg === undefined) {
    warnings.add('FISSILE_MISSING', `${path}.fissileWeight`, 'enriched uranium without its U-235 weight', ln);
  }
}

function checkWeights(
  weightMg: Milligrams,
  fissileMg: Milligrams | undefined,
  signed: boolean,
  path: string,
  ln: number | undefined,
  errors: Sink,
): void {
  if (!signed && weightMg < 0) errors.add('NEGATIVE_WEIGHT', `${path}.weight`, 'weight is negative', ln);
  if (fissileMg === undefined) return;
  if (!signed && fissileMg < 0) {
    errors.add('NEGATIVE_WEIGHT', `${path}.fissileWeight`, 'fissile weight is negative', ln);
  } else if (Math.abs(fissileMg) > Math.abs(weightMg) || (signed && fissileMg * weightMg < 0)) {
    errors.add(
      'FISSILE_EXCEEDS_ELEMENT',
      `${path}.fissileWeight`,
      `fissile weight ${g(fissileMg)} g exceeds element weight ${g(weightMg)} g`,
      ln,
    );
  }
}

function checkIcr(
  report: IcrReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: Sink,
  warnings: Sink,
): void {
  const { from, to } = report.period;
  const hasPeriod = readable.has('period');
  if (!hasPeriod) {
    // an unreadable period is already reported; the lines' dates cannot be checked against it
  } else if (from > to) {
    errors.add('PERIOD_INVALID', 'period', `period starts ${from} after it ends ${to}`);
  } else if (!isCalendarMonth(from, to)) {
    // domain.md §2: the ICR period is "the month".
    errors.add('PERIOD_INVALID', 'period', `an ICR covers one calendar month, not ${from}..${to}`);
  }
  if (hasPeriod && readable.has('reportDate') && report.reportDate < to) {
    warnings.add(
      'REPORT_DATE_EARLY',
      'reportDate',
      `report dated ${report.reportDate}, before its period ends`,
    );
  }
  const ownState = ctx.mba?.state ?? ctx.submitterState;
  // The account checks (notices on record, correction targets) only look into the state's own MBA.
  const own = ownsMba(report, ctx);
  const seenChange = new Set<string>();
  const created = new Set<string>();
  const targets = ctx.correctionTargets;
  const notices = ctx.knownNotices;
  for (let i = 0; i < report.lines.length; i++) {
    const l = report.lines[i]!;
    const path = readable.path(i);
    const ln = l.line;
    checkLineBasics(l, path, ctx, errors, warnings);
    const ref = l.corrects ?? l.deletes;
    // A correction carries the date of the change it corrects, which may lie in an earlier month.
    if (hasPeriod && (ref === undefined ? l.date < from || l.date > to : l.date > to)) {
      errors.add(
        'DATE_OUTSIDE_PERIOD',
        `${path}.date`,
        `date ${l.date} is outside the period ${from}..${to}`,
        ln,
      );
    } else if (ctx.agreementStart !== undefined && l.date < ctx.agreementStart) {
      errors.add('DATE_OUTSIDE_PERIOD', `${path}.date`, `date ${l.date} is before the agreement started`, ln);
    }
    const info = ctx.icCodes.get(l.code);
    if (info === undefined) {
      errors.add('UNKNOWN_IC_CODE', `${path}.code`, `inventory change code "${l.code}" is not known`, ln);
    } else if (info.transfer !== undefined) {
      if (l.counterpart === undefined) {
        errors.add(
          'FIELD_MISSING',
          `${path}.counterpart`,
          `a ${l.code} line names the other state and MBA`,
          ln,
        );
      } else if (info.transfer === 'foreign' && l.counterpart.state === ownState) {
        errors.add(
          'COUNTERPART_INVALID',
          `${path}.counterpart.state`,
          'a foreign transfer goes to another state',
          ln,
        );
      } else if (l.counterpart.mba !== undefined && l.counterpart.mba === report.mba) {
        errors.add('COUNTERPART_INVALID', `${path}.counterpart.mba`, 'a transfer goes to another MBA', ln);
      }
    }
    if (l.notice !== undefined && own && notices?.has(l.notice) !== true) {
      errors.add('NOTICE_UNKNOWN', `${path}.notice`, `no advance notice "${l.notice}" is on record`, ln);
    }
    if (ref !== undefined) {
      const field = l.corrects !== undefined ? 'corrects' : 'deletes';
      const later = readable.has('reportNumber') && ref.reportNumber >= report.reportNumber;
      if (later || (own && targets?.has(lineRefKey(ref)) !== true)) {
        errors.add(
          'CORRECTION_TARGET_UNKNOWN',
          `${path}.${field}`,
          `no earlier ICR line ${ref.reportNumber}:${ref.line} of ${report.mba} to correct`,
          ln,
        );
      }
      continue; // a correction restates its batch; the batch rules apply to new changes only
    }
    const bk = batchKey(l.batch, l.element);
    const change = `${l.code}|${bk}`;
    if (seenChange.has(change)) {
      errors.add(
        'BATCH_REUSED',
        `${path}.batch`,
        `batch "${l.batch}" has a second ${l.code} line in this report`,
        ln,
      );
    } else {
      seenChange.add(change);
      if (info?.createsBatch === true) {
        if (created.has(bk) || ctx.bookBatches?.has(bk) === true) {
          errors.add(
            'BATCH_REUSED',
            `${path}.batch`,
            `batch "${l.batch}" (${l.element}) is already on the book`,
            ln,
          );
        }
        created.add(bk);
      }
    }
  }
}

function checkPit(
  report: PilReport | MbrReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: Sink,
): void {
  if (!readable.has('pit')) return;
  if (readable.has('reportDate') && report.pit > report.reportDate) {
    errors.add('DATE_OUTSIDE_PERIOD', 'pit', `inventory date ${report.pit} is after the report date`);
  } else if (ctx.previousPit !== undefined && report.pit <= ctx.previousPit) {
    errors.add(
      'DATE_OUTSIDE_PERIOD',
      'pit',
      `inventory date ${report.pit} is not after the previous ${ctx.previousPit}`,
    );
  } else if (ctx.agreementStart !== undefined && report.pit < ctx.agreementStart) {
    errors.add('DATE_OUTSIDE_PERIOD', 'pit', `inventory date ${report.pit} is before the agreement started`);
  }
}

function checkInventory(
  report: PilReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: Sink,
  warnings: Sink,
): void {
  checkPit(report, ctx, readable, errors);
  const seen = new Set<string>();
  for (let i = 0; i < report.lines.length; i++) {
    const l = report.lines[i]!;
    const path = readable.path(i);
    checkLineBasics(l, path, ctx, errors, warnings);
    const bk = batchKey(l.batch, l.element);
    if (seen.has(bk)) {
      errors.add(
        'BATCH_REUSED',
        `${path}.batch`,
        `batch "${l.batch}" (${l.element}) is listed twice`,
        l.line,
      );
    }
    seen.add(bk);
  }
}

interface ElementBalance {
  readonly entries: Map<string, { path: string; line: number; w: bigint; f: bigint | undefined }>;
}

function checkMbr(
  report: MbrReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: Sink,
  warnings: Sink,
): void {
  checkPit(report, ctx, readable, errors);
  const byElement = new Map<ElementCode, ElementBalance>();
  for (let i = 0; i < report.lines.length; i++) {
    const l = report.lines[i]!;
    const path = readable.path(i);
    const ln = l.line;
    if (ctx.elements !== undefined && !ctx.elements.has(l.element)) {
      errors.add(
        'UNKNOWN_ELEMENT',
        `${path}.element`,
        `element ${l.element} is not covered by the agreement`,
        ln,
      );
    }
    const known = MBR_BALANCE_ENTRIES.has(l.entry) || ctx.icCodes.has(l.entry);
    if (!known) {
      errors.add(
        'UNKNOWN_IC_CODE',
        `${path}.entry`,
        `"${l.entry}" is neither a balance entry nor a change code`,
        ln,
      );
    }
    checkWeights(l.weightMg, l.fissileMg, MBR_SIGNED_ENTRIES.has(l.entry), path, ln, errors);
    let bal = byElement.get(l.element);
    if (bal === undefined) {
      bal = { entries: new Map() };
      byElement.set(l.element, bal);
    }
    if (bal.entries.has(l.entry)) {
      errors.add('ENTRY_DUPLICATE', `${path}.entry`, `${l.element} ${l.entry} appears twice`, ln);
    } else if (known) {
      const f = l.fissileMg === undefined ? undefined : BigInt(l.fissileMg);
      bal.entries.set(l.entry, { path, line: ln, w: BigInt(l.weightMg), f });
    }
  }

  // The balance of an element is only whole when every line was read: no arithmetic on a part.
  if (!readable.allLines) return;
  for (const [element, bal] of byElement) {
    const e = bal.entries;
    const missing = ['PB', 'BE', 'BEA', 'PE', 'MUF'].filter((k) => !e.has(k));
    if (missing.length > 0) {
      errors.add('FIELD_MISSING', 'lines', `element ${element} has no ${missing.join(', ')} line`);
      continue;
    }
    for (const part of ['w', 'f'] as const) {
      const val = (k: string): bigint | undefined => {
        const x = e.get(k);
        return x === undefined ? 0n : x[part];
      };
      const field = part === 'w' ? 'weight' : 'fissileWeight';
      let x = 0n;
      let complete = true;
      for (const [entry, row] of e) {
        if (MBR_BALANCE_ENTRIES.has(entry)) continue;
        const v = row[part];
        if (v === undefined) complete = false;
        else x += BigInt(ctx.icCodes.get(entry)!.sign) * v;
      }
      const pb = val('PB');
      const be = val('BE');
      const srd = val('SRD');
      const bea = val('BEA');
      const pe = val('PE');
      const muf = val('MUF');
      if (!complete || [pb, be, srd, bea, pe, muf].some((v) => v === undefined)) continue;
      const at = (k: string) => e.get(k)!;
      const arith = (k: string, expected: bigint, formula: string) => {
        const row = at(k);
        if (row[part] !== expected) {
          errors.add(
            'BALANCE_ARITHMETIC',
            `${row.path}.${field}`,
            `${element} ${k} is ${bg(row[part]!)} g but ${formula} = ${bg(expected)} g`,
            row.line,
          );
        }
      };
      arith('BE', pb! + x, 'PB + X − Y');
      arith('BEA', be! - srd!, 'BE − SRD');
      arith('MUF', bea! - pe!, 'BEA − PE');
    }
    if (ctx.mba?.isItemMba === true && at0(e, 'MUF') !== 0n) {
      const row = e.get('MUF')!;
      warnings.add('ITEM_MUF_NONZERO', `${row.path}.weight`, `item MBA with ${element} MUF ≠ 0`, row.line);
    }
  }

  compareTotals(ctx.previousPe, 'PB', 'PB_MISMATCH', 'the previous balance ended with PE', byElement, errors);
  compareTotals(ctx.pilTotals, 'PE', 'PE_MISMATCH', 'the PIL of this PIT totals', byElement, errors);

  if (ctx.icrTotals !== undefined) {
    for (const [element, bal] of byElement) {
      const totals = ctx.icrTotals.get(element);
      for (const [entry, row] of bal.entries) {
        if (MBR_BALANCE_ENTRIES.has(entry)) continue;
        const icr = BigInt(totals?.get(entry) ?? 0);
        if (icr !== row.w) {
          errors.add(
            'ICR_MISMATCH',
            `${row.path}.weight`,
            `${element} ${entry} is ${bg(row.w)} g but the period's ICR lines total ${bg(icr)} g`,
            row.line,
          );
        }
      }
    }
    for (const [element, totals] of ctx.icrTotals) {
      for (const [code, mg] of totals) {
        if (mg !== 0 && byElement.get(element)?.entries.has(code) !== true) {
          errors.add(
            'ICR_MISMATCH',
            'lines',
            `the period's ICR lines have ${g(mg)} g ${element} ${code}, the MBR none`,
          );
        }
      }
    }
  }
}

function at0(e: ElementBalance['entries'], k: string): bigint {
  return e.get(k)?.w ?? 0n;
}

function bg(v: bigint): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const digits = abs.toString().padStart(4, '0');
  const frac = digits.slice(-3).replace(/0+$/, '');
  return `${neg ? '-' : ''}${digits.slice(0, -3).replace(/^0+(?=\d)/, '')}${frac === '' ? '' : `.${frac}`}`;
}

function compareTotals(
  expected: ReadonlyMap<ElementCode, Milligrams> | undefined,
  entry: 'PB' | 'PE',
  code: string,
  what: string,
  byElement: ReadonlyMap<ElementCode, ElementBalance>,
  errors: Sink,
): void {
  if (expected === undefined) return;
  for (const [element, bal] of byElement) {
    const row = bal.entries.get(entry);
    if (row === undefined) continue;
    const want = BigInt(expected.get(element) ?? 0);
    if (row.w !== want) {
      errors.add(
        code,
        `${row.path}.weight`,
        `${element} ${entry} is ${bg(row.w)} g but ${what} ${bg(want)} g`,
        row.line,
      );
    }
  }
  for (const [element, mg] of expected) {
    if (mg !== 0 && !byElement.has(element)) {
      errors.add(code, 'lines', `${what} ${g(mg)} g of ${element}, but the MBR has no ${element} lines`);
    }
  }
}

function checkNotice(report: NoticeReport, ctx: ValidationContext, errors: Sink, warnings: Sink): void {
  const n = report.notice;
  checkWeights(n.weightMg, n.fissileMg, false, 'notice', undefined, errors);
  if (ctx.elements !== undefined && !ctx.elements.has(n.element)) {
    errors.add('UNKNOWN_ELEMENT', 'notice.element', `element ${n.element} is not covered by the agreement`);
  }
  if (n.element === 'E' && n.fissileMg === undefined) {
    warnings.add('FISSILE_MISSING', 'notice.fissileWeight', 'enriched uranium without its U-235 weight');
  }
  if (ctx.knownNotices?.has(n.reference) === true) {
    errors.add('REPORT_DUPLICATE', 'notice.reference', `notice reference "${n.reference}" is already used`);
  }
  if (n.otherState === (ctx.mba?.state ?? ctx.submitterState)) {
    errors.add(
      'COUNTERPART_INVALID',
      'notice.otherState',
      'an international transfer involves another state',
    );
  }
  if (n.dispatchDate < n.preparationDate) {
    errors.add('DATE_ORDER', 'notice.dispatchDate', 'dispatch is before preparation');
  }
  if (n.arrivalDate < n.dispatchDate) {
    errors.add('DATE_ORDER', 'notice.arrivalDate', 'arrival is before dispatch');
  }
  // domain.md §2: export notice ≥ 2 weeks before preparation; import no later than taking responsibility.
  if (report.type === 'EXPORT_NOTICE' && daysBetween(report.reportDate, n.preparationDate) < 14) {
    warnings.add(
      'NOTICE_RULE_VIOLATED',
      'notice.preparationDate',
      'an export is notified at least 14 days before preparation',
    );
  }
  if (report.type === 'IMPORT_NOTICE' && report.reportDate > n.arrivalDate) {
    warnings.add(
      'NOTICE_RULE_VIOLATED',
      'notice.arrivalDate',
      'an import is notified no later than its arrival',
    );
  }
}
