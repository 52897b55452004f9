/** The legal register's use cases (issue 19, decisions 0031 and 0033). */
export { instrumentsBindingState } from './binding.js';
export { createCompatibilityService } from './compatibility.js';
export { createInstrumentService, type InstrumentService } from './instruments.js';
export { createProvisionCatalogue } from './provisions.js';
export { createInstitutionRoleService, type InstitutionRoleService } from './roles.js';
