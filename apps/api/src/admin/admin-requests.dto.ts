import { PATCH_REFUSAL, SHOW_LIMITS, SHOW_REFUSAL, ShowDefinitionSchema, ShowPatchSchema } from '@app/catalogue';
import { WEBHOOK_EVENTS } from '@app/booking';
import { list, strictObject, text } from '@app/common';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];
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

/** Body of `POST /api/admin/webhooks`. */
export class CreateWebhookDto extends createZodDto(
  strictObject({
    url: text(2048).meta({
      description: 'http(s); private, loopback and link-local addresses only with WEBHOOK_ALLOW_PRIVATE_URLS',
      example: 'https://tickets.example.com/hooks/seat-booking',
    }),
    events: list(
      z.enum(WEBHOOK_EVENTS as [WebhookEventName, ...WebhookEventName[]], { error: `must be one of ${WEBHOOK_EVENTS.join(', ')}` }),
      1,
      WEBHOOK_EVENTS.length,
    ).meta({
      example: ['booking.confirmed', 'booking.cancelled'],
    }),
  }),
) {}
