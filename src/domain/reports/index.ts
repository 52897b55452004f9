export type { IcCodeInfo } from './codes.js';
export {
  DEFAULT_BASIS_CODES,
  DEFAULT_IC_CODES,
  DEFAULT_ISOTOPE_CODES,
  ELEMENT_CODES,
  MBR_BALANCE_ENTRIES,
  MBR_SIGNED_ENTRIES,
} from './codes.js';
export type { FormatCsvOptions } from './csv.js';
export { formatReportCsv, neutraliseCell, parseReportCsv, unneutraliseCell } from './csv.js';
export { formatReportJson, parseReportJson, toReportJsonValue } from './json.js';
export type { HeaderField, ParseResult, PartialReport, ReadOptions } from './parse.types.js';
export { DEFAULT_MAX_DETAILS, mergeDetails } from './problems.js';
export type * from './report.types.js';
export { REPORT_TYPES } from './report-keys.js';
export { validateReport } from './validate.js';
export { batchKey, lineRefKey } from './validate-lines.js';
export type {
  KeyLookup,
  KmpInfo,
  MbaInfo,
  SignatureOutcome,
  ValidationContext,
  ValidationResult,
} from './validation.types.js';
export type { ParseWeightOptions, WeightProblem, WeightResult } from './weight.js';
export { formatWeight, formatWeightText, MAX_WEIGHT_MG, parseWeight } from './weight.js';
