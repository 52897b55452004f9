import type { Ports } from '../ports.js';
import './records.js';
import { openCaseForFinding } from './cases.js';
import { createDesignationService } from './designations.js';
import { createEffortService } from './effort.js';
import { createFindingService } from './findings.js';
import type { CaseOpener } from './inspections.types.js';
import { createJointService } from './joint.js';
import { createSamplingService } from './sampling.js';
import { createSchedulingService } from './scheduling.js';
import { createStatementService } from './statement.js';
import { createVerificationService } from './verification.js';
import { createInspectionReading } from './view.js';

export interface InspectionServiceOptions {
  /** How a finding opens a case; default the cases service (openCaseForFinding). */
  readonly openCase?: CaseOpener;
}

/**
 * Inspection use cases (issue 7), one module per concept of domain/inspections; each takes only
 * the ports it uses. Each write is one transaction; policy first, then data. The cases service
 * needs every port, so only the case opener is given the whole bag.
 */
export function createInspectionService(ports: Ports, options: InspectionServiceOptions = {}) {
  const opener = options.openCase ?? openCaseForFinding;
  return {
    ...createSchedulingService(ports),
    ...createInspectionReading(ports),
    ...createEffortService(ports),
    ...createJointService(ports),
    ...createSamplingService(ports),
    ...createVerificationService(ports),
    ...createFindingService(ports, (p, request) => opener(ports, p, request)),
    ...createStatementService(ports),
    ...createDesignationService(ports),
  };
}

export type InspectionService = ReturnType<typeof createInspectionService>;
