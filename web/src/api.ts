/**
 * The only door to the server: same-origin fetch with the session cookie, the error envelope
 * `{ error: { code, message, details } }` turned into ApiError so screens can say what to do, and
 * one module per area of the API. Wire types come from the server's OpenAPI document (api/wire.ts).
 */
export {
  type AttachmentUpload,
  type CaseDetail,
  type CaseEvent,
  type CaseSummary,
  casesApi,
  type OpenCaseBody,
} from './api/cases.js';
export {
  ApiError,
  apiJson,
  apiText,
  type ErrorDetail,
  isApiError,
  type Page,
  type PageQuery,
} from './api/client.js';
export {
  type Alarm,
  type AlarmSummary,
  type BalancePeriod,
  type Balances,
  evaluationApi,
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
  type ListedInspection,
  type SamplingPlan,
  type SamplingPlanRequest,
  type StratumResult,
} from './api/inspections.js';
export { type InboxItem, inboxApi, type LiveEvent } from './api/notifications.js';
export {
  type Agreement,
  api,
  type Facility,
  type Kmp,
  type Mba,
  type Me,
  type RegisteredKey,
  type State,
} from './api/registry.js';
export {
  type Accepted,
  type AccountLine,
  type Obligation,
  type ReportSummary,
  reportsApi,
  type Timeliness,
} from './api/reports.js';
