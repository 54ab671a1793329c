export { CatalogueModule } from './catalogue.module.js';
export { applyPatch, parseShowDefinition, parseShowPatch, SHOW_LIMITS, type ShowPatch } from './show-definition.js';
export { ShowAdminService, ShowExistsError, ShowHasBookingsError } from './show-admin.service.js';
