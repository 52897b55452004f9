/**
 * The only door to the server: same-origin fetch with the session cookie, the error envelope
 * `{ error: { code, message, details } }` turned into ApiError so screens can say what to do, and
 * one module per area of the API. Wire types come from the server's OpenAPI document (api/wire.ts).
 */
export {
  type AttachmentUpload,
  type CaseAttachment,
  type CaseDetail,
  type CaseEvent,
  type CaseSummary,
  casesApi,
  type LogRecord,
  type OpenCaseBody,
} from './api/cases.js';
export {
  ApiError,
  allPages,
  apiJson,
  apiText,
  type ErrorDetail,
  isApiError,
  type Page,
  type PageQuery,
  queryString,
  type RequestOptions,
  seg,
} from './api/client.js';
export {
  type Alarm,
  type AlarmSummary,
  type BalancePeriod,
  type Balances,
  evaluationApi,
  type SignificantQuantity,
  type StateEvaluation,
  type Transfer,
  type TransferSide,
} from './api/evaluation.js';
export {
  type Assignment,
  type EffortSummary,
  type Inspection,
  type ItemResult,
  inspectionsApi,
  type NewInspectionBody,
  type SamplingPlan,
  type SamplingPlanRequest,
  type StratumBody,
  type StratumResult,
} from './api/inspections.js';
export { type InboxItem, inboxApi, type LiveEvent } from './api/notifications.js';
export {
  type Agreement,
  api,
  type Facility,
  type Kmp,
  type Mba,
  type MbaDetail,
  type Me,
  type Organisation,
  type RegisteredKey,
  type State,
} from './api/registry.js';
export {
  type Accepted,
  type AccountLine,
  type CorrectedLine,
  type LinesQuery,
  type MbaLines,
  type Obligation,
  type ReportSummary,
  reportsApi,
  type Timeliness,
} from './api/reports.js';
