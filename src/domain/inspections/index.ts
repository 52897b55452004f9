export {
  DESIGNATION_ANSWER_DAYS,
  type DesignationInput,
  type DesignationStatus,
  decideDesignation,
} from './designations.js';
export {
  computeRoutineEffortCap,
  type EffortCap,
  type EffortInput,
  MAN_DAYS_PER_MAN_YEAR,
} from './effort.js';
export {
  type ActivityAssignment,
  JOINT_ACTIVITIES,
  type JointActivity,
  type JointPlan,
  validateAssignments,
} from './joint.js';
export {
  checkNotice,
  FACILITY_KINDS,
  type FacilityKind,
  INSPECTION_TYPE_INFO,
  INSPECTION_TYPES,
  type InspectionType,
  type NoticeCheck,
  type NoticeInput,
  needsNotice,
  requiredNoticeHours,
} from './notice.js';
export {
  computeSamplingPlan,
  createSeededWords,
  type DefectLevel,
  drawSample,
  METHOD_FOR_DEFECT,
  type SamplingPlan,
  type SamplingPlanInput,
} from './sampling.js';
export {
  type InspectionStatement,
  type StatementFacts,
  statementBytes,
  verifyStatementSignature,
} from './statement.js';
export {
  computeDStatistic,
  type DStatistic,
  type DStatisticInput,
  type Finding,
  type FindingType,
  findingsFromVerification,
  type ItemTest,
  type MethodErrors,
  SIGNIFICANCE_SIGMAS,
  testItemDifference,
  type VerificationInput,
  type VerificationResult,
  type VerifiedItem,
} from './verification.js';
