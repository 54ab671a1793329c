export { CatalogueModule } from './catalogue.module.js';
export {
  applyPatch,
  layoutOf,
  PATCH_REFUSAL,
  SHOW_LIMITS,
  SHOW_REFUSAL,
  type ShowDefinition,
  ShowDefinitionSchema,
  type ShowPatch,
  ShowPatchSchema,
} from './show-definition.js';
export { ShowExistsError, ShowHasBookingsError } from './catalogue.errors.js';
export { ShowAdminService } from './show-admin.service.js';
