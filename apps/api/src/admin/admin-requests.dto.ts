import { PATCH_REFUSAL, SHOW_LIMITS, SHOW_REFUSAL, ShowDefinitionSchema, ShowPatchSchema } from '@app/catalogue';
import { strictObject, text } from '@app/common';
import { createZodDto } from 'nestjs-zod';
import { SeatIds } from '../seats/seats-request.dto.js';

/** Body of `POST /api/admin/shows`; its 400s name the offending item and end "Nothing was changed." */
export class CreateShowDto extends createZodDto(ShowDefinitionSchema) {
  static readonly refusal = SHOW_REFUSAL;
}

/** Body of `POST /api/admin/shows/{id}/block`. */
export class BlockSeatsDto extends createZodDto(
  strictObject({
    seatIds: SeatIds,
    reason: text(SHOW_LIMITS.textLength).optional().meta({ description: 'Why (sponsor, production, wheelchair place…), for the log' }),
  }),
) {}

/** Body of `POST /api/admin/shows/{id}/unblock`. */
export class UnblockSeatsDto extends createZodDto(strictObject({ seatIds: SeatIds })) {}

/** Body of `PATCH /api/admin/shows/{id}`. */
export class PatchShowDto extends createZodDto(ShowPatchSchema) {
  static readonly refusal = PATCH_REFUSAL;
}
