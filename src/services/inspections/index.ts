export { openCaseForFinding } from './cases.js';
export { type DemoInspection, seedDemoInspection } from './demo.js';
export type {
  CaseOpener,
  Designation,
  EffortSummary,
  FindingCaseRequest,
  Inspection,
  InspectionFinding,
  InspectionStatus,
  ItemInput,
  NewFinding,
  NewInspection,
  NoticeTerms,
  SamplingAnswer,
  SamplingRequest,
  Schedule,
  StratumInput,
  StratumResult,
} from './inspections.types.js';
export { INSPECTION_RECORD_KINDS } from './records.js';
export {
  createInspectionService,
  defaultFacilityKind,
  type InspectionService,
  type InspectionServiceOptions,
} from './service.js';
export {
  checkStatementFacts,
  type InspectionStatement,
  type StatementFacts,
  statementBytes,
  verifyStatementSignature,
} from './statement.js';
