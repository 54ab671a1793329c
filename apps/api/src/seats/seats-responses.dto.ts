import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Response shapes, for the OpenAPI document (the services return plain objects of these shapes). */

export class ShowSummaryDto {
  @ApiProperty({ example: 'neon-nights' }) id!: string;
  @ApiProperty({ example: 'Neon Nights: Live in Concert' }) title!: string;
  @ApiProperty({ example: 'Riverside Arena' }) venue!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ example: 150 }) totalSeats!: number;
  @ApiProperty({ example: 148 }) availableSeats!: number;
}

export class SeatDto {
  @ApiProperty({ example: 'neon-nights-A1' }) id!: string;
  @ApiProperty({ example: 'A1' }) label!: string;
  @ApiProperty({ example: 'A' }) row!: string;
  @ApiProperty({ example: 1 }) number!: number;
  @ApiProperty({ enum: ['AVAILABLE', 'HELD', 'BOOKED'] }) status!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the hold lapses; null unless HELD' }) holdExpiresAt!: string | null;
}

export class SeatMapDto {
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [SeatDto], description: 'Never says who holds a seat' }) seats!: SeatDto[];
}

export class HoldDto {
  @ApiProperty({ format: 'uuid' }) holdId!: string;
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [String], example: ['neon-nights-A1', 'neon-nights-A2'] }) seatIds!: string[];
  @ApiProperty({ format: 'date-time', description: 'The earliest expiry among the held seats (re-holding never extends)' }) expiresAt!: string;
}

export class BookingDto {
  @ApiProperty({ format: 'uuid' }) bookingId!: string;
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [String], example: ['neon-nights-A1', 'neon-nights-A2'] }) seatIds!: string[];
  @ApiProperty({ enum: ['CONFIRMED'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ReleaseDto {
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [String], example: ['neon-nights-A1'] }) released!: string[];
}

export class SeatConflictDto {
  @ApiProperty({ example: 'neon-nights-A2' }) seatId!: string;
  @ApiProperty({ enum: ['HELD', 'BOOKED', 'NOT_HELD_BY_YOU', 'EXPIRED', 'NOT_FOUND'] }) reason!: string;
}

/** RFC 9457 problem document, as every error is answered (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({ example: '/problems/seat-conflict' }) type!: string;
  @ApiProperty({ example: 'Seats unavailable' }) title!: string;
  @ApiProperty({ example: 409 }) status!: number;
  @ApiProperty({ example: 'Seat neon-nights-A2 is held by someone else.' }) detail!: string;
  @ApiPropertyOptional({ example: 'SEAT_CONFLICT', description: 'Machine-readable reason' }) code?: string;
  @ApiPropertyOptional({ example: '/api/seats/hold-bulk' }) instance?: string;
  @ApiPropertyOptional({ description: 'The X-Request-Id of the request that produced this answer' }) requestId?: string;
  @ApiPropertyOptional({ type: [SeatConflictDto], description: 'For seat conflicts (409): every seat that stood in the way' }) conflicts?: SeatConflictDto[];
}
