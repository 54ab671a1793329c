import { SeatBookingService, SeatHoldService, SeatMapService } from '@app/booking';
import { Metrics } from '@app/metrics';
import { WriteAuthGuard, WriteThrottlerGuard } from '@app/security';
import { IdempotencyContext, Idempotent, type IdempotencyRef } from '@app/idempotency';
import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWriteHeaders } from '../problem/api-problems.js';
import { BookingDto, HoldDto, ReleaseDto, SeatMapDto, ShowSummaryDto } from './seats-responses.dto.js';
import { SeatsRequestDto, PathIdPipe } from './seats-request.dto.js';

/**
 * What every write shares: authentication and rate limits (before anything runs), the
 * Idempotency-Key, and the documented problems and headers.
 */
const WriteEndpoint = () =>
  applyDecorators(
    UseGuards(WriteAuthGuard, WriteThrottlerGuard),
    Idempotent(),
    ApiProblems(400, 401, 403, 409, 413, 422, 429, 503),
    ApiWriteHeaders(),
  );

@ApiTags('seats')
@ApiBearerAuth()
@Controller('api/seats')
export class SeatsController {
  constructor(
    private readonly seatMaps: SeatMapService,
    private readonly holds: SeatHoldService,
    private readonly bookings: SeatBookingService,
    private readonly metrics: Metrics,
  ) {}

  @Get('shows')
  @ApiOperation({ summary: 'List shows with their total and available seat counts' })
  @ApiOkResponse({ type: [ShowSummaryDto] })
  listShows() {
    return this.seatMaps.listShows();
  }

  @Get(':showId')
  @ApiOperation({ summary: "A show's seat map (never says who holds a seat)" })
  @ApiOkResponse({ type: SeatMapDto })
  @ApiProblems(400, 404)
  seatMap(@Param('showId', new PathIdPipe('showId')) showId: string) {
    return this.seatMaps.seatMap(showId);
  }

  @Post('hold-bulk')
  @WriteEndpoint()
  @ApiOperation({ summary: 'Hold seats of one show, all or none' })
  @ApiCreatedResponse({ type: HoldDto, description: 'All seats held (a replay carries Idempotent-Replayed: true)' })
  hold(@Body() body: SeatsRequestDto) {
    return this.metrics.countWrite('hold', () => this.holds.hold(body));
  }

  @Post('book-bulk')
  @WriteEndpoint()
  @ApiOperation({ summary: 'Book seats held by this user, all or none' })
  @ApiCreatedResponse({ type: BookingDto, description: 'Booked; committed in the database before this answer' })
  book(@Body() body: SeatsRequestDto, @IdempotencyContext() idempotency?: IdempotencyRef) {
    return this.metrics.countWrite('booking', () => this.bookings.book(body, idempotency));
  }

  @Post('release-bulk')
  @WriteEndpoint()
  @HttpCode(200)
  @ApiOperation({ summary: "Release this user's holds, all or none" })
  @ApiOkResponse({ type: ReleaseDto })
  release(@Body() body: SeatsRequestDto) {
    return this.metrics.countWrite('release', () => this.holds.release(body));
  }
}
