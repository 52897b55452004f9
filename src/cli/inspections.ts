import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { DomainError, type ErrorDetail } from '../domain/errors.js';
import { problemOf } from '../domain/particulars.js';
import type { InspectionStatement } from '../services/inspections/index.js';
import { readInputJson, readInputText } from './files.js';
import { addRemoteOptions, callApi, type RemoteOptions } from './http.js';

/** Items per request: well under the API's 10 000 and the body limit. */
const BATCH = 2000;
const COLUMNS = ['stratum', 'itemId', 'declared', 'measured', 'present', 'sealIntact'] as const;

export interface ImportedItem {
  readonly itemId: string;
  readonly declared: number;
  readonly measured: number | null;
  readonly present: boolean | null;
  readonly sealIntact: boolean | null;
}

function toNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function toFlag(text: string): boolean | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  if (['yes', 'true', '1', 'present', 'intact'].includes(t)) return true;
  if (['no', 'false', '0', 'absent', 'broken'].includes(t)) return false;
  return undefined;
}

/**
 * Reads measurement data: a header row naming `stratum` (or --stratum), `itemId`, `declared`,
 * and optionally `measured`, `present`, `sealIntact` (yes/no, true/false, 1/0; empty = not
 * checked). Every problem is gathered with its line before anything is sent.
 */
export function parseMeasurementCsv(text: string, defaultStratum?: string): Map<string, ImportedItem[]> {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw new DomainError('VALIDATION_FAILED', `the CSV cannot be read: ${(err as Error).message}`);
  }
  const [header, ...body] = rows;
  if (!header) throw new DomainError('VALIDATION_FAILED', 'the CSV is empty');
  const names = header.map((h) => h.trim());
  const problems: ErrorDetail[] = [];
  for (const n of names) {
    if (!(COLUMNS as readonly string[]).includes(n)) {
      problems.push({
        line: 1,
        field: n,
        ...problemOf('FIELD_UNKNOWN.oneOf', { allowed: COLUMNS }),
        message: `one of ${COLUMNS.join(', ')}`,
      });
    }
  }
  const col = (n: string) => names.indexOf(n);
  for (const need of ['itemId', 'declared']) {
    if (col(need) < 0)
      problems.push({ line: 1, field: need, code: 'FIELD_MISSING', message: 'required column' });
  }
  if (col('stratum') < 0 && defaultStratum === undefined) {
    problems.push({
      line: 1,
      field: 'stratum',
      code: 'FIELD_MISSING',
      message: 'add the column or pass --stratum',
    });
  }
  if (problems.length > 0)
    throw new DomainError('VALIDATION_FAILED', 'the CSV header is not usable', problems);
  const cell = (r: string[], n: string) => (col(n) < 0 ? '' : (r[col(n)] ?? ''));
  const out = new Map<string, ImportedItem[]>();
  body.forEach((r, i) => {
    const line = i + 2;
    const stratum = cell(r, 'stratum').trim() || defaultStratum || '';
    const itemId = cell(r, 'itemId').trim();
    const declared = toNumber(cell(r, 'declared'));
    const measuredText = cell(r, 'measured');
    const measured = measuredText.trim() === '' ? null : toNumber(measuredText);
    const present = toFlag(cell(r, 'present'));
    const sealIntact = toFlag(cell(r, 'sealIntact'));
    const bad = (field: string, message: string) =>
      problems.push({ line, field, code: 'FIELD_INVALID', message });
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(stratum)) bad('stratum', 'letters, digits, ".", "_" or "-" (1-64)');
    if (itemId === '' || itemId.length > 128) bad('itemId', 'required, at most 128 characters');
    if (declared === undefined) bad('declared', 'a number');
    if (measured === undefined) bad('measured', 'a number or empty');
    if (present === undefined) bad('present', 'yes/no or empty');
    if (sealIntact === undefined) bad('sealIntact', 'yes/no or empty');
    if (declared === undefined || measured === undefined || present === undefined || sealIntact === undefined)
      return;
    const list = out.get(stratum) ?? [];
    list.push({ itemId, declared, measured, present, sealIntact });
    out.set(stratum, list);
  });
  if (problems.length > 0) {
    const listed = problems
      .slice(0, 20)
      .map((p) => `line ${p.line} ${p.field}: ${p.message}`)
      .join('; ');
    throw new DomainError(
      'VALIDATION_FAILED',
      `${problems.length} problem(s) in the CSV: ${listed}`,
      problems,
    );
  }
  return out;
}

interface StratumAnswer {
  stratum: string;
  items: unknown[];
  dStatistic: { D: number; sigma: number; significant: boolean } | null;
  findings: string[];
}

/** `custos inspection …`: bulk import of verification data and offline statement checks. */
export function registerInspectionCommands(program: Command): void {
  const inspection = program.command('inspection').description('inspection verification data and statements');
  addRemoteOptions(
    inspection
      .command('import <inspectionId> <file>')
      .description(
        'import measurement data from CSV (columns stratum,itemId,declared,measured,present,sealIntact); ' +
          'the strata must be defined (PUT /api/inspections/:id/strata/:stratum)',
      )
      .option('--stratum <name>', 'stratum for rows without a stratum column'),
  ).action(async (inspectionId: string, file: string, opts: RemoteOptions & { stratum?: string }) => {
    const strata = parseMeasurementCsv(readInputText(file, 'the measurement CSV'), opts.stratum);
    const base = `/api/inspections/${encodeURIComponent(inspectionId)}/strata`;
    for (const [stratum, items] of strata) {
      let last: StratumAnswer | undefined;
      for (let i = 0; i < items.length; i += BATCH) {
        const res = await callApi(opts, 'POST', `${base}/${encodeURIComponent(stratum)}/items`, {
          bytes: JSON.stringify({ items: items.slice(i, i + BATCH) }),
          contentType: 'application/json',
        });
        last = res.json as StratumAnswer;
      }
      const d = last?.dStatistic;
      process.stdout.write(
        `${stratum}: ${items.length} item(s) imported, ${last?.items.length ?? 0} recorded` +
          (d
            ? `, D = ${d.D.toFixed(3)} (σ_D = ${d.sigma.toFixed(3)})${d.significant ? ' SIGNIFICANT' : ''}`
            : '') +
          `, ${last?.findings.length ?? 0} finding(s)\n`,
      );
    }
  });
  inspection
    .command('verify-statement <file>')
    .description(
      'verify a signed statement offline: a JSON file with statement, signature and publicKey ' +
        '(one entry of GET /api/inspections/:id/statements)',
    )
    .action(async (file: string) => {
      const { verifyStatementSignature } = await import('../services/inspections/index.js');
      const doc = readInputJson(file, 'the signed statement') as {
        statement?: InspectionStatement;
        signature?: string;
        publicKey?: string;
      };
      if (!doc.statement || typeof doc.signature !== 'string' || typeof doc.publicKey !== 'string') {
        throw new DomainError('BAD_REQUEST', 'the file needs statement, signature and publicKey');
      }
      if (!verifyStatementSignature(doc.statement, doc.signature, doc.publicKey)) {
        throw new DomainError('SIGNATURE_INVALID', 'the signature does not verify with that key');
      }
      process.stdout.write(
        `ok: statement of ${doc.statement.inspectorate} on inspection ${doc.statement.inspection} verifies\n`,
      );
    });
}
