import { SeatBookingService, SeatHoldService, SeatMapSnapshots, ShowListService } from '@app/booking';
import { Metrics } from '@app/metrics';
import { WriteAuthGuard, WriteThrottlerGuard } from '@app/security';
import { IdempotencyContext, Idempotent, type IdempotencyRef } from '@app/idempotency';
import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
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

/** If-None-Match (RFC 9110 §13.1.2): `*`, or a list of ETags compared weakly. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => weak(tag) === weak(etag));
}

@ApiTags('seats')
@ApiBearerAuth()
@Controller('api/seats')
export class SeatsController {
  constructor(
    private readonly shows: ShowListService,
    private readonly snapshots: SeatMapSnapshots,
    private readonly holds: SeatHoldService,
    private readonly bookings: SeatBookingService,
    private readonly metrics: Metrics,
  ) {}

  @Get('shows')
  @ApiOperation({ summary: 'List shows with their total and available seat counts' })
  @ApiOkResponse({ type: [ShowSummaryDto] })
  listShows() {
    return this.shows.list();
  }

  @Get(':showId')
  @ApiOperation({ summary: "A show's seat map (never says who holds a seat); ETag and gzip, built once per version" })
  @ApiOkResponse({ type: SeatMapDto, headers: { ETag: { description: 'W/"<version>"; send it as If-None-Match to get a 304 while the map is unchanged', schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'Not modified: the If-None-Match ETag is the current version' })
  @ApiProblems(400, 404)
  async seatMap(@Param('showId', new PathIdPipe('showId')) showId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const snapshot = await this.snapshots.current(showId);
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('Vary', 'Accept-Encoding');
    if (snapshot.etag) {
      response.setHeader('ETag', snapshot.etag);
      if (matches(request.headers['if-none-match'], snapshot.etag)) {
        response.status(304).end();
        return;
      }
    }
    response.type('application/json');
    if (request.acceptsEncodings('gzip') === 'gzip') {
      response.setHeader('Content-Encoding', 'gzip');
      response.end(snapshot.gzip);
    } else response.end(snapshot.json);
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
