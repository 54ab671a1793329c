import { SeatBookingService, SeatHoldService, SeatMapService } from '@app/booking';
import { Metrics } from '@app/metrics';
import { WriteAuthGuard, WriteThrottlerGuard } from '@app/security';
import { IdempotencyContext, Idempotent, type IdempotencyRef } from '@app/idempotency';
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SeatsRequestDto } from './seats-request.dto.js';

@ApiTags('seats')
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
  listShows() {
    return this.seatMaps.listShows();
  }

  @Get(':showId')
  @ApiOperation({ summary: "A show's seat map (never says who holds a seat)" })
  seatMap(@Param('showId') showId: string) {
    return this.seatMaps.seatMap(showId);
  }

  @Post('hold-bulk')
  @UseGuards(WriteAuthGuard, WriteThrottlerGuard)
  @Idempotent()
  @ApiOperation({ summary: 'Hold seats of one show, all or none' })
  hold(@Body() body: SeatsRequestDto) {
    return this.metrics.countWrite('hold', () => this.holds.hold(body));
  }

  @Post('book-bulk')
  @UseGuards(WriteAuthGuard, WriteThrottlerGuard)
  @Idempotent()
  @ApiOperation({ summary: 'Book seats held by this user, all or none' })
  book(@Body() body: SeatsRequestDto, @IdempotencyContext() idempotency?: IdempotencyRef) {
    return this.metrics.countWrite('booking', () => this.bookings.book(body, idempotency));
  }

  @Post('release-bulk')
  @UseGuards(WriteAuthGuard, WriteThrottlerGuard)
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ summary: "Release this user's holds, all or none" })
  release(@Body() body: SeatsRequestDto) {
    return this.metrics.countWrite('release', () => this.holds.release(body));
  }
}
