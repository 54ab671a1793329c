import { PATCH_REFUSAL, SHOW_REFUSAL, ShowDefinitionSchema, ShowPatchSchema } from '@app/catalogue';
import { createZodDto } from 'nestjs-zod';

/** Body of `POST /api/admin/shows`; its 400s name the offending item and end "Nothing was changed." */
export class CreateShowDto extends createZodDto(ShowDefinitionSchema) {
  static readonly refusal = SHOW_REFUSAL;
}

/** Body of `PATCH /api/admin/shows/{id}`. */
export class PatchShowDto extends createZodDto(ShowPatchSchema) {
  static readonly refusal = PATCH_REFUSAL;
}
