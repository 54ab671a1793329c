import { InvalidRequestError, NO_CONTROL_CHARACTERS } from '@app/common';
import { MAX_SEATS_PER_REQUEST, MAX_USER_ID_LENGTH } from '@app/config';
import { applyDecorators, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';

/** The rules of a list of seat ids: 1 to 50 distinct ids of text. */
const SeatIdsRules = () =>
  applyDecorators(
    IsArray(),
    ArrayNotEmpty(),
    ArrayMaxSize(MAX_SEATS_PER_REQUEST),
    ArrayUnique(),
    IsString({ each: true }),
    Length(1, 128, { each: true }),
    Matches(NO_CONTROL_CHARACTERS, { each: true, message: 'each value in seatIds must not contain control characters' }),
  );

/** The rules of a user id: 1 to 128 characters of text. */
const UserIdRules = () =>
  applyDecorators(
    IsString(),
    Length(1, MAX_USER_ID_LENGTH),
    Matches(NO_CONTROL_CHARACTERS, { message: 'userId must not contain control characters' }),
  );

/** Body of hold-bulk, book-bulk and release-bulk. */
export class SeatsRequestDto {
  @ApiProperty({
    description: `Distinct seat ids, all of one show (1 to ${MAX_SEATS_PER_REQUEST})`,
    example: ['neon-nights-A1', 'neon-nights-A2'],
    type: [String],
    minItems: 1,
    maxItems: MAX_SEATS_PER_REQUEST,
    uniqueItems: true,
  })
  @SeatIdsRules()
  seatIds!: string[];

  @ApiProperty({
    description: `The buyer (1 to ${MAX_USER_ID_LENGTH} characters)`,
    example: 'user-42',
    minLength: 1,
    maxLength: MAX_USER_ID_LENGTH,
  })
  @UserIdRules()
  userId!: string;
}

/** An id from the path (`showId`, `bookingId`): 1 to 128 characters of text, else 400 (never a database error). */
@Injectable()
export class PathIdPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!isId(value)) throw new InvalidRequestError(`${this.name} must be 1 to 128 characters without control characters.`);
    return value;
  }
}

export const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 128 && NO_CONTROL_CHARACTERS.test(value);

/** Body of a booking cancellation. */
export class CancelBookingDto {
  @ApiPropertyOptional({
    description: "The booking's owner. Required, except with the admin token",
    example: 'user-42',
    minLength: 1,
    maxLength: MAX_USER_ID_LENGTH,
  })
  @IsOptional()
  @UserIdRules()
  userId?: string;

  @ApiPropertyOptional({
    description: 'The seats to cancel; absent: every seat still booked',
    example: ['neon-nights-A2'],
    type: [String],
    minItems: 1,
    maxItems: MAX_SEATS_PER_REQUEST,
    uniqueItems: true,
  })
  @IsOptional()
  @SeatIdsRules()
  seatIds?: string[];
}

/** Query of the bookings list. */
export class ListBookingsQueryDto {
  @ApiProperty({ description: 'Whose bookings', example: 'user-42', minLength: 1, maxLength: MAX_USER_ID_LENGTH })
  @UserIdRules()
  userId!: string;
}
