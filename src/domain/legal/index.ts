/** The legal framework's door (issue 19, decision 0031): instruments, provisions, obligations. */

export {
  type BindingProvision,
  buildMatrix,
  COMPATIBILITY_STATUSES,
  type CompatibilityEntry,
  type CompatibilityInput,
  type CompatibilityMatrix,
  type CompatibilityStatus,
  checkCompatibilityInput,
  checkStepOrder,
  type DomesticProvision,
  entryOfStep,
  INSTITUTIONS,
  type Institution,
  isGap,
  isProvisionRef,
  REVIEW_STEPS,
  type ReviewStep,
  type StepBody,
} from './compatibility.js';
export { parseStepBody, TEXT_LIMITS } from './compatibility-step.js';
export type {
  DeadlineRule,
  InstitutionalDuty,
  Instrument,
  InstrumentInput,
  InstrumentKind,
  LegalObligation,
  Provision,
  ProvisionBasis,
} from './legal.types.js';
export {
  DEADLINE_ANCHORS,
  INSTITUTION_KINDS,
  INSTITUTIONAL_DUTIES,
  INSTRUMENT_KINDS,
  NOTICE_CONDITIONS,
  NOTICE_SUBJECTS,
} from './legal.types.js';
export {
  findObligation,
  instrumentsBinding,
  isInForce,
  provisionByRef,
} from './lookup.js';
export {
  MODEL_AP_ID,
  MODEL_AP_PROVISIONS,
  MODEL_CSA_ID,
  MODEL_CSA_PROVISIONS,
  MODEL_INSTRUMENTS,
} from './model-texts.js';
export { INSTRUMENT_ID, LIMITS, REPORT_TYPE_NAME, validateInstrument } from './validate.js';
