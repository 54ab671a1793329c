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

export class WebhookEndpointDto {
  @ApiProperty({ example: 'wh_3q2-1vX0aZb9kLm4' }) id!: string;
  @ApiProperty({ example: 'https://tickets.example.com/hooks/seat-booking' }) url!: string;
  @ApiProperty({ enum: ['booking.confirmed', 'booking.cancelled'], isArray: true }) events!: string[];
  @ApiProperty({ description: 'false once the receiver answered 410 Gone' }) enabled!: boolean;
}

export class WebhookEndpointWithSecretDto extends WebhookEndpointDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Signing secret; shown only when the endpoint is made' })
  secret!: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ example: 'msg_4f1c2b0e9d8a7c6b5a4f3e2d1c0b9a88', description: 'The webhook-id header' }) messageId!: string;
  @ApiProperty({ enum: ['booking.confirmed', 'booking.cancelled'] }) type!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null: no answer (timeout or connection refused)' }) lastResponseStatus!:
    number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
}
