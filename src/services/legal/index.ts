/** The legal register's use cases (issue 19, decision 0031). */
export { createInstrumentService, type InstrumentService } from './instruments.js';
