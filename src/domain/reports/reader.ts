/**
 * Reading one field at a time from a JSON value (or the CSV parser's tree of strings): each reader
 * checks type, format and range, records every problem with its line and field path, and answers
 * undefined for a value it could not read. Never throws.
 */
import { type Particulars, problemOf } from '../particulars.js';
import { ELEMENT_CODES } from './codes.js';
import { isIsoDate } from './dates.js';
import type { ParseResult, PartialReport } from './parse.types.js';
import { ProblemList } from './problems.js';
import type { Counterpart, ElementCode, LineRef, Report } from './report.types.js';
import { parseWeight } from './weight.js';

const LINE_REF_SET = new Set(['reportNumber', 'line']);

type StringKind = 'code' | 'id' | 'text' | 'note';
// Codes (MBA, KMP, state, inventory change, isotope, basis, form): short, no spaces, and never
// starting with a spreadsheet formula character.
const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._/*-]{0,31}$/;
// Names (batch, item, notice reference, person): printable, no surrounding whitespace.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a note may hold line breaks and tabs only
const NOTE_CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a cheap first test for anything the two below refuse
const SUSPECT_RE = /[\u0000-\u001f\u007f\uD800-\uDFFF]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_LEN: Record<StringKind, number> = { code: 32, id: 100, text: 200, note: 10_000 };
export const INT_TEXT_RE = /^\d{1,16}$/;

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** FIELD_TYPE: what the field must be (string, number, date, grams, object, array) and what it is. */
export function wrongType(expected: string, v: unknown): Particulars {
  return problemOf('FIELD_TYPE', { expected, found: typeName(v) });
}

/** Distinct short values kept for sharing (codes and dates repeat on every line). */
const MAX_SHARED = 4096;

export class ReportReader {
  private readonly problems: ProblemList;
  /**
   * One string per distinct code or date (issue 15 item 9: memory within 8× the body): each
   * line's cells are fresh copies, and 900 000 lines of the same KMP, code and date would
   * otherwise keep 900 000 copies of each in the model.
   */
  private readonly shared = new Map<string, string>();
  /** One object per distinct counterpart, for the same reason (the model is read-only). */
  private readonly counterparts = new Map<string, Counterpart>();

  constructor(
    private readonly mode: 'json' | 'csv',
    maxDetails: number,
    private readonly decimalComma = false,
  ) {
    this.problems = new ProblemList(maxDetails);
  }

  add(p: Particulars, field: string | undefined, message: string, line?: number): void {
    this.problems.add(p, field, message, line);
  }

  get problemCount(): number {
    return this.problems.count;
  }

  finish(build: () => Report, partial?: () => PartialReport | undefined): ParseResult {
    if (this.problemCount === 0) return { ok: true, report: build() };
    const details = this.problems.done();
    const p = partial?.();
    return p === undefined ? { ok: false, details } : { ok: false, details, partial: p };
  }

  checkKeys(obj: Obj, allowed: ReadonlySet<string>, path: string, line?: number): void {
    for (const key in obj) {
      if (!allowed.has(key)) {
        this.add(
          problemOf('FIELD_UNKNOWN', {}),
          join(path, key),
          `unknown field "${key.slice(0, 64)}"`,
          line,
        );
      }
    }
  }

  /** The value at obj[key], or undefined if absent; records FIELD_MISSING when required. */
  private present(obj: Obj, key: string, path: string, line: number | undefined, required: boolean) {
    // Keys asked for are fixed field names, none of which Object.prototype carries.
    const v = obj[key];
    // An empty string is "no value": a spreadsheet cannot tell an empty cell from a missing one.
    if (v === undefined || v === '') {
      if (required) this.add(problemOf('FIELD_MISSING', {}), join(path, key), `"${key}" is required`, line);
      return undefined;
    }
    if (v === null) {
      this.add(problemOf('FIELD_TYPE.null', {}), join(path, key), `"${key}" must not be null`, line);
      return undefined;
    }
    return v;
  }

  str(obj: Obj, key: string, path: string, line: number | undefined, kind: StringKind, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'string') {
      this.add(wrongType('string', v), field, `"${key}" must be a string, not ${typeName(v)}`, line);
      return undefined;
    }
    return this.checkString(v, field, line, kind);
  }

  checkString(v: string, field: string, line: number | undefined, kind: StringKind): string | undefined {
    if (v.length > MAX_LEN[kind]) {
      this.add(
        problemOf('FIELD_FORMAT.tooLong', { max: MAX_LEN[kind] }),
        field,
        `longer than ${MAX_LEN[kind]} characters`,
        line,
      );
      return undefined;
    }
    if (kind === 'code') {
      if (!CODE_RE.test(v)) {
        this.add(
          problemOf('FIELD_FORMAT.notCode', { value: v }),
          field,
          `"${v}" is not a code (letters, digits, . _ / * -)`,
          line,
        );
        return undefined;
      }
      return this.share(v);
    }
    const bad =
      (SUSPECT_RE.test(v) &&
        ((kind === 'note' ? NOTE_CONTROL_RE.test(v) : CONTROL_RE.test(v)) || LONE_SURROGATE_RE.test(v))) ||
      (kind === 'id' && (v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32) && v.trim() !== v);
    if (bad) {
      this.add(
        problemOf('FIELD_FORMAT.characters', {}),
        field,
        'control characters, unpaired surrogates or surrounding spaces',
        line,
      );
      return undefined;
    }
    return v;
  }

  /** The shared copy of a short value (equal strings, one in memory). */
  private share(v: string): string {
    const known = this.shared.get(v);
    if (known !== undefined) return known;
    if (this.shared.size < MAX_SHARED) this.shared.set(v, v);
    return v;
  }

  /** The shared counterpart { state, mba? } (equal counterparts, one object in memory). */
  counterpart(state: string, mba: string | undefined): Counterpart {
    const key = mba === undefined ? state : `${state}\u0001${mba}`;
    const known = this.counterparts.get(key);
    if (known !== undefined) return known;
    const made: Counterpart = mba === undefined ? { state } : { state, mba };
    if (this.counterparts.size < MAX_SHARED) this.counterparts.set(key, made);
    return made;
  }

  int(obj: Obj, key: string, path: string, line: number | undefined, min: number, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    let n: number;
    if (this.mode === 'csv' && typeof v === 'string') {
      if (!INT_TEXT_RE.test(v)) {
        this.add(
          problemOf('FIELD_FORMAT.notWholeNumber', { value: v.slice(0, 32) }),
          field,
          `"${v.slice(0, 32)}" is not a whole number`,
          line,
        );
        return undefined;
      }
      n = Number(v);
    } else if (typeof v === 'number') {
      if (!Number.isInteger(v)) {
        this.add(
          problemOf('FIELD_FORMAT.notWholeNumber', { value: String(v) }),
          field,
          `${v} is not a whole number`,
          line,
        );
        return undefined;
      }
      n = v;
    } else {
      this.add(wrongType('number', v), field, `"${key}" must be a number, not ${typeName(v)}`, line);
      return undefined;
    }
    if (n < min || n > Number.MAX_SAFE_INTEGER) {
      this.add(
        problemOf('OUT_OF_RANGE', { value: n, min }),
        field,
        `${n} is out of range (at least ${min})`,
        line,
      );
      return undefined;
    }
    return n;
  }

  date(obj: Obj, key: string, path: string, line: number | undefined, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'string') {
      this.add(wrongType('date', v), field, `"${key}" must be a date string, not ${typeName(v)}`, line);
      return undefined;
    }
    if (!isIsoDate(v)) {
      this.add(
        problemOf('FIELD_FORMAT.notDate', { value: v.slice(0, 32) }),
        field,
        `"${v.slice(0, 32)}" is not a calendar date YYYY-MM-DD`,
        line,
      );
      return undefined;
    }
    return this.share(v);
  }

  /** Always signed: which entries may be negative is a validation rule (NEGATIVE_WEIGHT). */
  weight(obj: Obj, key: string, path: string, line: number | undefined, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'number' && typeof v !== 'string') {
      this.add(wrongType('grams', v), field, `"${key}" must be a number of grams, not ${typeName(v)}`, line);
      return undefined;
    }
    const r = parseWeight(v, { signed: true, decimalComma: this.decimalComma });
    if (!r.ok) {
      this.add(r, field, r.message, line);
      return undefined;
    }
    return r.mg;
  }

  element(obj: Obj, key: string, path: string, line: number | undefined): ElementCode | undefined {
    const v = this.present(obj, key, path, line, true);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'string') {
      this.add(wrongType('string', v), field, `"${key}" must be a string, not ${typeName(v)}`, line);
      return undefined;
    }
    if (!(ELEMENT_CODES as readonly string[]).includes(v)) {
      this.add(
        problemOf('UNKNOWN_ELEMENT.notElement', { value: v.slice(0, 32) }),
        field,
        `"${v.slice(0, 32)}" is not an element code (P, E, N, D, T)`,
        line,
      );
      return undefined;
    }
    return v as ElementCode;
  }

  object(obj: Obj, key: string, path: string, line: number | undefined, required: boolean) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    if (!isObj(v)) {
      this.add(
        wrongType('object', v),
        join(path, key),
        `"${key}" must be an object, not ${typeName(v)}`,
        line,
      );
      return undefined;
    }
    return v;
  }

  lines(root: Obj): readonly unknown[] | undefined {
    const v = Object.hasOwn(root, 'lines') ? root.lines : undefined;
    if (v === undefined) {
      this.add(problemOf('FIELD_MISSING', {}), 'lines', '"lines" is required');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(wrongType('array', v), 'lines', `"lines" must be an array, not ${typeName(v)}`);
      return undefined;
    }
    return v;
  }

  lineRef(obj: Obj, key: string, path: string, line: number | undefined): LineRef | undefined {
    const o = this.object(obj, key, path, line, false);
    if (o === undefined) return undefined;
    const p = join(path, key);
    this.checkKeys(o, LINE_REF_SET, p, line);
    const reportNumber = this.int(o, 'reportNumber', p, line, 1);
    const ln = this.int(o, 'line', p, line, 1);
    return reportNumber === undefined || ln === undefined ? undefined : { reportNumber, line: ln };
  }
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
