export { CatalogueModule } from './catalogue.module.js';
export { applyPatch, parseShowDefinition, parseShowPatch, SHOW_LIMITS, type ShowPatch } from './show-definition.js';
export { ShowExistsError, ShowHasBookingsError } from './catalogue.errors.js';
export { ShowAdminService } from './show-admin.service.js';
