import { id, integer, InvalidRequestError, list, strictObject } from '@app/common';
import { MAX_SEATS_PER_REQUEST, MAX_USER_ID_LENGTH } from '@app/config';
import { Injectable, type PipeTransform } from '@nestjs/common';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** 1 to 50 distinct seat ids, all of one show. */
export const SeatIds = list(id(), 1, MAX_SEATS_PER_REQUEST)
  .refine((ids) => new Set(ids).size === ids.length, { error: 'must not name a seat twice' })
  .meta({
    description: `Distinct seat ids, all of one show (1 to ${MAX_SEATS_PER_REQUEST})`,
    example: ['neon-nights-A1', 'neon-nights-A2'],
  });

const UserId = id(MAX_USER_ID_LENGTH).meta({ description: `The buyer (1 to ${MAX_USER_ID_LENGTH} characters)`, example: 'user-42' });

/** Body of hold-bulk, book-bulk and release-bulk. */
export class SeatsRequestDto extends createZodDto(strictObject({ seatIds: SeatIds, userId: UserId })) {}

const Keys = (description: string) => list(id(32), 1, 100).optional().meta({ description });

/** Body of hold-best. */
export class HoldBestRequestDto extends createZodDto(
  strictObject({
    showId: id().meta({ example: 'neon-nights' }),
    userId: UserId,
    quantity: integer(1, MAX_SEATS_PER_REQUEST).meta({ description: 'How many seats', example: 2 }),
    categories: Keys('Only seats (or places) of these categories (keys)'),
    sections: Keys(
      'Only seats of these sections, or places of these general-admission areas (keys); areas are chosen only when named here',
    ),
    together: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .meta({ description: 'Only seats next to each other in one row (default false)' }),
  }),
) {}

/** Body of extend-bulk. */
export class ExtendRequestDto extends createZodDto(
  strictObject({
    seatIds: SeatIds,
    userId: UserId,
    seconds: integer(1, 3600)
      .optional()
      .meta({ description: 'How long from now each hold should last (default HOLD_TTL_SECONDS), within HOLD_MAX_SECONDS of its grant' }),
  }),
) {}

/** Body of a booking cancellation. */
export class CancelBookingDto extends createZodDto(
  strictObject({
    userId: UserId.optional().meta({ description: "The booking's owner. Required, except with the admin token" }),
    seatIds: SeatIds.optional().meta({ description: 'The seats to cancel; absent: every seat still booked', example: ['neon-nights-A2'] }),
  }),
) {}

/** Query of the bookings list. */
export class ListBookingsQueryDto extends createZodDto(strictObject({ userId: UserId.meta({ description: 'Whose bookings' }) })) {}

const PathId = id();
export const isId = (value: unknown): value is string => PathId.safeParse(value).success;

/** An id from the path (`showId`, `bookingId`): 1 to 128 characters of text, else 400 (never a database error). */
@Injectable()
export class PathIdPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!isId(value)) throw new InvalidRequestError(`${this.name} must be 1 to 128 characters without control characters.`);
    return value;
  }
}
