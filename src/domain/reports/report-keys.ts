/** The report types and the field names each part of a report may carry (docs/csv-format.md). */
import type { ReportType } from './report.types.js';

export const REPORT_TYPES: readonly ReportType[] = [
  'ICR',
  'PIL',
  'MBR',
  'INITIAL',
  'EXPORT_NOTICE',
  'IMPORT_NOTICE',
];

const HEADER_KEYS = ['type', 'mba', 'reportNumber', 'reportDate', 'reportingPerson', 'lineCount', 'note'];
export const REPORT_KEYS: Readonly<Record<ReportType, ReadonlySet<string>>> = {
  ICR: new Set([...HEADER_KEYS, 'period', 'lines']),
  PIL: new Set([...HEADER_KEYS, 'pit', 'lines']),
  INITIAL: new Set([...HEADER_KEYS, 'pit', 'lines']),
  MBR: new Set([...HEADER_KEYS, 'pit', 'lines']),
  EXPORT_NOTICE: new Set([...HEADER_KEYS, 'notice', 'lines']),
  IMPORT_NOTICE: new Set([...HEADER_KEYS, 'notice', 'lines']),
};
export const ICR_LINE_KEYS: readonly string[] = [
  'line',
  'date',
  'code',
  'batch',
  'kmp',
  'element',
  'weight',
  'fissileWeight',
  'isotope',
  'basis',
  'form',
  'counterpart',
  'notice',
  'corrects',
  'deletes',
];
export const INVENTORY_LINE_KEYS: readonly string[] = [
  'line',
  'item',
  'batch',
  'kmp',
  'element',
  'weight',
  'fissileWeight',
  'isotope',
  'basis',
  'form',
];
export const MBR_LINE_KEYS: readonly string[] = ['line', 'element', 'entry', 'weight', 'fissileWeight'];
export const NOTICE_KEYS: readonly string[] = [
  'reference',
  'otherState',
  'otherMba',
  'element',
  'weight',
  'fissileWeight',
  'form',
  'batches',
  'preparationDate',
  'dispatchDate',
  'arrivalDate',
];
