import { BookingsService } from '@app/booking';
import { Idempotent } from '@app/idempotency';
import { Metrics } from '@app/metrics';
import { WriteThrottlerGuard } from '@app/security';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWriteHeaders } from '../problem/api-problems.js';
import { CancelBookingDto, ListBookingsQueryDto, PathIdPipe } from '../seats/seats-request.dto.js';
import { BookingDto } from '../seats/seats-responses.dto.js';
import { BookingAccessGuard } from './booking-access.guard.js';

const OWNER_ONLY: [number, string] = [
  403,
  "Someone else's booking (with authentication on: the token's sub is not the owner, and it is not the admin token)",
];
const NOT_FOUND: [number, string] = [404, 'Unknown booking'];

@ApiTags('bookings')
@ApiBearerAuth()
@UseGuards(BookingAccessGuard)
@Controller('api/bookings')
export class BookingsController {
  constructor(
    private readonly bookings: BookingsService,
    private readonly metrics: Metrics,
  ) {}

  @Get()
  @ApiOperation({ summary: "A user's bookings, newest first (at most 200)" })
  @ApiOkResponse({ type: [BookingDto] })
  @ApiProblems(400, 401, OWNER_ONLY)
  list(@Query() query: ListBookingsQueryDto) {
    return this.bookings.listOf(query.userId);
  }

  @Get(':bookingId')
  @ApiOperation({ summary: 'A booking: the seats still booked with their prices, and the cancelled ones' })
  @ApiOkResponse({ type: BookingDto })
  @ApiProblems(400, 401, OWNER_ONLY, NOT_FOUND)
  find(@Param('bookingId', new PathIdPipe('bookingId')) bookingId: string) {
    return this.bookings.find(bookingId);
  }

  @Post(':bookingId/cancel')
  @HttpCode(200)
  @UseGuards(WriteThrottlerGuard)
  @Idempotent()
  @ApiWriteHeaders()
  @ApiOperation({ summary: 'Cancel a booking, all of it or some seats; the seats are on sale again at once' })
  @ApiOkResponse({ type: BookingDto, description: 'The booking after the cancellation' })
  @ApiProblems(
    [400, 'Invalid body, seats not in this booking, or a missing/invalid Idempotency-Key'],
    401,
    OWNER_ONLY,
    NOT_FOUND,
    [409, 'BOOKING_CANCELLED: everything asked was cancelled already; or the same Idempotency-Key is still in progress'],
    413,
    422,
    429,
    503,
  )
  cancel(@Param('bookingId', new PathIdPipe('bookingId')) bookingId: string, @Body() body: CancelBookingDto) {
    return this.metrics.countWrite('cancellation', () => this.bookings.cancel(bookingId, body.seatIds));
  }
}
