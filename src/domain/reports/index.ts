/** Reports (parsing, validation, wire formats): what other folders use, by name. */
export { BatchSet } from './batch-set.js';
export { DEFAULT_IC_CODES, ELEMENT_CODES } from './codes.js';
export { formatReportCsv, parseReportCsv, parseReportCsvSteps } from './csv.js';
export { formatReportJson, parseReportJson, parseReportJsonSteps } from './json.js';
export type { HeaderField } from './parse.types.js';
export { detailOf, mergeDetails } from './problems.js';
export type {
  ElementCode,
  IcrLine,
  IcrReport,
  InventoryLine,
  LineRef,
  MbrLine,
  MbrReport,
  Milligrams,
  NoticeBody,
  Report,
  ReportType,
} from './report.types.js';
export { REPORT_TYPES } from './report-keys.js';
export type { Steps } from './steps.js';
export { validateReport, validateReportSteps } from './validate.js';
export { batchKey, lineRefKey } from './validate-lines.js';
export type { SignatureOutcome, ValidationContext } from './validation.types.js';
export { formatWeight } from './weight.js';
