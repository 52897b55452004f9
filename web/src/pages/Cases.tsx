/**
 * Cases: the inspectorate's board by status and each case's thread, transitions and decision;
 * a state reads the questions addressed to it and answers them, with attachments.
 */
export { default } from './cases/Board.js';
export { CaseDetailPage } from './cases/CaseDetail.js';
export { OpenCaseForm } from './cases/OpenCaseForm.js';
export { StatusBadge } from './cases/status.js';
