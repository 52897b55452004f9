// The door of the inspection use cases: what the server, the CLI, the demo runtime and the
// tests use. Each concept's module (scheduling, effort, joint, sampling, verification,
// findings, statement, designations) stays behind it.
export { seedDemoInspection } from './demo.js';
export { createInspectionService, type InspectionService } from './service.js';
export { type InspectionStatement, verifyStatementSignature } from './statement.js';
