import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Response shapes, for the OpenAPI document (the services return plain objects of these shapes). */

export class LimitsDto {
  @ApiProperty({ example: 8, description: 'Most seats in one hold' }) perOrder!: number;
  @ApiProperty({
    example: 8,
    nullable: true,
    type: Number,
    description: 'Most seats one user holds plus has booked in this show; null: no limit',
  })
  perCustomer!: number | null;
}

export class ShowSummaryDto {
  @ApiProperty({ example: 'neon-nights' }) id!: string;
  @ApiProperty({ example: 'Neon Nights: Live in Concert' }) title!: string;
  @ApiProperty({ example: 'Riverside Arena' }) venue!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Holds are granted from this instant…' }) salesOpenAt!: string;
  @ApiProperty({ format: 'date-time', description: '…until this one (exclusive)' }) salesCloseAt!: string;
  @ApiProperty({ type: LimitsDto }) limits!: LimitsDto;
  @ApiProperty({ example: 150 }) totalSeats!: number;
  @ApiProperty({ example: 148 }) availableSeats!: number;
}

export class PriceDto {
  @ApiProperty({ example: 4500, description: 'Minor units (cents)' }) amount!: number;
  @ApiProperty({ example: 'EUR', description: 'ISO 4217' }) currency!: string;
}

export class SectionDto {
  @ApiProperty({ example: 'floor' }) key!: string;
  @ApiProperty({ example: 'Floor' }) label!: string;
}

export class CategoryDto {
  @ApiProperty({ example: 'stalls' }) key!: string;
  @ApiProperty({ example: 'Stalls' }) label!: string;
  @ApiProperty({ type: PriceDto, nullable: true, description: 'null: not sold at a price (complimentary)' }) price!: PriceDto | null;
}

export class SeatDto {
  @ApiProperty({ example: 'neon-nights-A1' }) id!: string;
  @ApiProperty({ example: 'A1', description: 'Row label + seat label' }) label!: string;
  @ApiProperty({ example: 'A' }) row!: string;
  @ApiProperty({ example: 1, description: 'Position in the row, from 1' }) number!: number;
  @ApiProperty({ example: 'floor', nullable: true, type: String }) section!: string | null;
  @ApiProperty({ example: 'stalls', nullable: true, type: String }) category!: string | null;
  @ApiProperty({ enum: ['AVAILABLE', 'HELD', 'BOOKED', 'BLOCKED'] }) status!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the hold lapses; null unless HELD' })
  holdExpiresAt!: string | null;
}

export class AreaDto {
  @ApiProperty({ example: 'standing' }) key!: string;
  @ApiProperty({ example: 'Standing floor' }) label!: string;
  @ApiProperty({ example: 'floor', nullable: true, type: String }) category!: string | null;
  @ApiProperty({ example: 2000 }) capacity!: number;
}

export class AreaCountsDto {
  @ApiProperty({ example: 2000 }) capacity!: number;
  @ApiProperty({ example: 1500 }) available!: number;
  @ApiProperty({ example: 20 }) held!: number;
  @ApiProperty({ example: 480 }) booked!: number;
}

/** An area in the full seat map: as in the layout, with its places counted. */
export class AreaStateDto extends AreaDto {
  @ApiProperty({ example: 1500 }) available!: number;
  @ApiProperty({ example: 20 }) held!: number;
  @ApiProperty({ example: 480 }) booked!: number;
}

export class SeatMapDto {
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({
    example: 1796117515594012,
    description: "Grows with every change of the show's seats; seats:changed events carry the version of their changes",
  })
  version!: number;
  @ApiProperty({ type: [SectionDto], description: 'In layout order' }) sections!: SectionDto[];
  @ApiProperty({ type: [CategoryDto] }) categories!: CategoryDto[];
  @ApiProperty({
    type: [SeatDto],
    description: 'In layout order: sections as given, rows as given, seats by number. Never says who holds a seat',
  })
  seats!: SeatDto[];
  @ApiProperty({
    type: [AreaStateDto],
    required: false,
    description: "The show's general-admission areas with their places counted (only when it has any; their places are not in `seats`)",
  })
  areas?: AreaStateDto[];
}

export class LayoutSeatDto {
  @ApiProperty({ example: 'neon-nights-A1' }) id!: string;
  @ApiProperty({ example: 'A1' }) label!: string;
  @ApiProperty({ example: 'A' }) row!: string;
  @ApiProperty({ example: 1 }) number!: number;
  @ApiProperty({ example: 'floor', nullable: true, type: String }) section!: string | null;
  @ApiProperty({ example: 'stalls', nullable: true, type: String }) category!: string | null;
}

export class ShowLayoutDto {
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({
    example: 'Xk3v0c1cM2bq5h1r9QmE0A',
    description: 'Digest of the layout; changes only if the show is deleted and made again',
  })
  layoutVersion!: string;
  @ApiProperty({ type: [SectionDto] }) sections!: SectionDto[];
  @ApiProperty({ type: [CategoryDto] }) categories!: CategoryDto[];
  @ApiProperty({ type: [LayoutSeatDto], description: 'In layout order, as in the full seat map' }) seats!: LayoutSeatDto[];
  @ApiProperty({ type: [AreaDto], description: 'General-admission areas ([] when none)' }) areas!: AreaDto[];
}

export class SeatStatusDto {
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ example: 1796117515594012, description: 'As in the full seat map' }) version!: number;
  @ApiProperty({ example: 'Xk3v0c1cM2bq5h1r9QmE0A', description: 'The layout these statuses are in the order of' }) layoutVersion!: string;
  @ApiProperty({
    example: 'AAHBBAX',
    description: 'One character per seat of the layout, in its order: A available, H held, B booked, X not for sale',
  })
  statuses!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/AreaCountsDto' },
    description: 'Per general-admission area: capacity and places available, held, booked',
  })
  areas!: Record<string, AreaCountsDto>;
}

export class HoldDto {
  @ApiProperty({ format: 'uuid' }) holdId!: string;
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [String], example: ['neon-nights-A1', 'neon-nights-A2'] }) seatIds!: string[];
  @ApiProperty({ format: 'date-time', description: 'The earliest expiry among the held seats (re-holding never extends)' })
  expiresAt!: string;
}

export class HoldBestDto extends HoldDto {
  @ApiProperty({ description: 'True when the seats are next to each other in one row' }) together!: boolean;
}

export class ExtendDto {
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [String], example: ['neon-nights-A1', 'neon-nights-A2'] }) seatIds!: string[];
  @ApiProperty({ format: 'date-time', description: 'The earliest new expiry among the seats' }) expiresAt!: string;
}

export class BookedSeatDto {
  @ApiProperty({ example: 'neon-nights-A1' }) seatId!: string;
  @ApiProperty({ example: 'A1' }) label!: string;
  @ApiProperty({ example: 'floor', nullable: true, type: String }) section!: string | null;
  @ApiProperty({ example: 'premium', nullable: true, type: String }) category!: string | null;
  @ApiProperty({ type: PriceDto, nullable: true, description: 'As at booking time' }) price!: PriceDto | null;
}

export class BookingDto {
  @ApiProperty({ format: 'uuid' }) bookingId!: string;
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [String], example: ['neon-nights-A1', 'neon-nights-A2'], description: 'The seats still booked' }) seatIds!: string[];
  @ApiProperty({ enum: ['CONFIRMED', 'CANCELLED'], description: 'CANCELLED once no seat remains' }) status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: [String], example: [], description: 'Seats cancelled from this booking (they may have been sold again)' })
  cancelledSeatIds!: string[];
  @ApiProperty({ type: [BookedSeatDto], description: 'The seats still booked, with their prices at booking time' }) seats!: BookedSeatDto[];
  @ApiProperty({
    type: PriceDto,
    nullable: true,
    description: 'Sum of the seats still booked; null unless every one has a price in one currency',
  })
  total!: PriceDto | null;
}

export class ReleaseDto {
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ type: [String], example: ['neon-nights-A1'] }) released!: string[];
}

export class SeatConflictDto {
  @ApiProperty({ example: 'neon-nights-A2' }) seatId!: string;
  @ApiProperty({ enum: ['HELD', 'BOOKED', 'BLOCKED', 'NOT_BLOCKED', 'NOT_HELD_BY_YOU', 'EXPIRED', 'NOT_FOUND'] }) reason!: string;
}

export class LimitDto {
  @ApiProperty({ enum: ['perOrder', 'perCustomer'] }) kind!: string;
  @ApiProperty({ example: 8 }) max!: number;
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
  @ApiPropertyOptional({ type: [SeatConflictDto], description: 'For seat conflicts (409): every seat that stood in the way' })
  conflicts?: SeatConflictDto[];
  @ApiPropertyOptional({ type: LimitDto, description: 'For LIMIT_EXCEEDED (409): which limit, and its value' }) limit?: LimitDto;
}
