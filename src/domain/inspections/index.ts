export { decideDesignation } from './designations.js';
export { computeRoutineEffortCap, type EffortCap } from './effort.js';
export { JOINT_ACTIVITIES, type JointActivity, validateAssignments } from './joint.js';
export {
  checkNotice,
  FACILITY_KINDS,
  type FacilityKind,
  INSPECTION_TYPE_INFO,
  INSPECTION_TYPES,
  type InspectionType,
  needsNotice,
} from './notice.js';
export { computeSamplingPlan, type DefectLevel, drawSample, type SamplingPlan } from './sampling.js';
export {
  type InspectionStatement,
  type StatementFacts,
  statementBytes,
  verifyStatementSignature,
} from './statement.js';
export {
  computeDStatistic,
  type DStatistic,
  type Finding,
  findingsFromVerification,
  type ItemTest,
  type MethodErrors,
} from './verification.js';
