import { ApiProperty } from '@nestjs/swagger';
import { PriceDto } from '../seats/seats-responses.dto.js';

const CAUSES = ['hold', 'extend', 'release', 'expiry', 'booking', 'cancellation', 'block', 'unblock'];

export class SeatHistoryEntryDto {
  @ApiProperty({ format: 'date-time', description: 'By the database clock' }) at!: string;
  @ApiProperty({ enum: ['AVAILABLE', 'HELD', 'BOOKED', 'BLOCKED'], description: 'The status the change left the seat in' }) status!: string;
  @ApiProperty({ enum: CAUSES }) cause!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The buyer, for holds, extensions, releases, expiries, bookings and cancellations',
  })
  userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) holdId!: string | null;
  @ApiProperty({ type: String, nullable: true }) bookingId!: string | null;
}

export class StatusCountsDto {
  @ApiProperty({ example: 40120 }) available!: number;
  @ApiProperty({ example: 310 }) held!: number;
  @ApiProperty({ example: 9500 }) booked!: number;
  @ApiProperty({ example: 70 }) blocked!: number;
}

export class ReportLineDto extends StatusCountsDto {
  @ApiProperty({ example: 'stalls' }) key!: string;
  @ApiProperty({ example: 'Stalls' }) label!: string;
  @ApiProperty({
    type: PriceDto,
    nullable: true,
    description: 'The booked seats at their booking prices; null when one has no price or they are in several currencies',
  })
  revenue!: PriceDto | null;
}

export class SalesReportDto {
  @ApiProperty({ example: 'neon-nights' }) showId!: string;
  @ApiProperty({ description: 'The seat-map version the figures are exact as of' }) version!: number;
  @ApiProperty({ type: StatusCountsDto }) totals!: StatusCountsDto;
  @ApiProperty({ type: [ReportLineDto] }) byCategory!: ReportLineDto[];
  @ApiProperty({ type: [ReportLineDto], description: 'Sections, then general-admission areas' }) bySection!: ReportLineDto[];
}
