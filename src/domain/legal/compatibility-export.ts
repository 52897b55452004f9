import { stringify } from 'csv-stringify/sync';
import type { CompatibilityMatrix, MatrixRow } from './compatibility.js';

/**
 * The matrix as CSV and as a printable HTML page (issue 19 item 2: "export the matrix as CSV and
 * as a printable report"). Pure: the caller passes the matrix and the time it was read.
 */

export const MATRIX_CSV_COLUMNS = [
  'state',
  'provision',
  'instrument',
  'status',
  'act',
  'section',
  'text',
  'in_force_from',
  'in_force_to',
  'institution',
  'note',
  'evidence',
  'version',
  'updated_at',
] as const;

/**
 * Text from a state opened in a spreadsheet: a cell that starts with = + - @ (or a tab or CR)
 * would be read as a formula (CSV injection), so such a cell gets a leading apostrophe, which
 * spreadsheets show as text and hide.
 */
function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvRow(state: string, r: MatrixRow): string[] {
  const e = r.entry;
  return [
    state,
    r.provision.ref,
    r.provision.instrument,
    r.status,
    e?.domestic?.act,
    e?.domestic?.section,
    e?.domestic?.text,
    e?.domestic?.inForceFrom,
    e?.domestic?.inForceTo,
    e?.domestic?.institution,
    e?.note,
    e?.evidence,
    e?.version,
    e?.at,
  ].map(cell);
}

/** One row per binding provision (RFC 4180, CRLF, header row), in the matrix's order. */
export function formatMatrixCsv(m: CompatibilityMatrix): string {
  return stringify([[...MATRIX_CSV_COLUMNS], ...m.rows.map((r) => csvRow(m.state, r))], {
    record_delimiter: '\r\n',
  });
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

const STATUS_LABEL: Record<MatrixRow['status'], string> = {
  implemented: 'Implemented',
  partial: 'Partial',
  missing: 'Missing',
  conflicting: 'Conflicting',
  'not-reviewed': 'Not reviewed',
};

function tableRow(r: MatrixRow): string {
  const e = r.entry;
  const d = e?.domestic;
  const domestic = d
    ? `<strong>${escapeHtml(d.act)} ${escapeHtml(d.section)}</strong><br>${escapeHtml(d.text)}` +
      (d.inForceFrom || d.inForceTo
        ? `<br><small>in force ${escapeHtml(d.inForceFrom ?? '…')} – ${escapeHtml(d.inForceTo ?? '')}</small>`
        : '') +
      (d.institution ? `<br><small>responsible: ${escapeHtml(d.institution)}</small>` : '')
    : '';
  const note = [e?.note, e?.evidence ? `Evidence: ${e.evidence}` : null]
    .filter((x): x is string => typeof x === 'string' && x !== '')
    .map(escapeHtml)
    .join('<br>');
  return (
    `<tr class="s-${r.status}"><th scope="row">${escapeHtml(r.provision.ref)}<br><small>${escapeHtml(r.provision.instrument)}</small></th>` +
    `<td>${STATUS_LABEL[r.status]}</td><td>${domestic}</td><td>${note}</td>` +
    `<td>${e ? `v${e.version}<br><small>${escapeHtml(e.at.slice(0, 10))}</small>` : ''}</td></tr>`
  );
}

const PRINT_CSS = `
body{font:11pt/1.4 system-ui,sans-serif;margin:2em;color:#111}
h1{font-size:16pt;margin:0 0 .2em}h2{font-size:13pt;margin:1.4em 0 .4em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}
thead{display:table-header-group}tr{break-inside:avoid}
.s-missing td:nth-child(2),.s-conflicting td:nth-child(2){font-weight:bold}
.summary td{text-align:right}small{color:#444}
@page{size:A4 landscape;margin:1.5cm}
@media print{body{margin:0}a{color:inherit;text-decoration:none}}
`;

/**
 * A self-contained page (no script, no external resource) that prints as the state's
 * compatibility report: summary, gaps, then the whole matrix. Everything from the data is
 * escaped. English: the web app's printable view speaks the user's language.
 */
export function formatMatrixHtml(m: CompatibilityMatrix, generatedAt: string): string {
  const head =
    '<thead><tr><th scope="col">Provision</th><th scope="col">Status</th><th scope="col">Domestic provision</th>' +
    '<th scope="col">Note and evidence</th><th scope="col">Version</th></tr></thead>';
  const summary = (Object.keys(STATUS_LABEL) as MatrixRow['status'][])
    .map((s) => `<tr><th scope="row">${STATUS_LABEL[s]}</th><td>${m.summary[s]}</td></tr>`)
    .join('');
  const state = escapeHtml(m.state);
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>Domestic-law compatibility — ${state}</title>`,
    `<style>${PRINT_CSS}</style></head><body>`,
    `<h1>Domestic-law compatibility — ${state}</h1>`,
    `<p>Generated ${escapeHtml(generatedAt)} from the Custos record; every entry and review step is committed to the log.</p>`,
    `<h2>Summary</h2><table class="summary"><tbody>${summary}</tbody></table>`,
    `<h2>Gaps (${m.gaps.length})</h2>`,
    m.gaps.length === 0
      ? '<p>No provision is missing, partial or conflicting.</p>'
      : `<table>${head}<tbody>${m.gaps.map(tableRow).join('')}</tbody></table>`,
    `<h2>All provisions (${m.rows.length})</h2>`,
    `<table>${head}<tbody>${m.rows.map(tableRow).join('')}</tbody></table>`,
    '</body></html>',
    '',
  ].join('\n');
}
