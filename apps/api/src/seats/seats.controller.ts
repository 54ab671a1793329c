import { BestAvailableService, SeatSaleService, SeatHoldService, SeatMapSnapshots, ShowListService } from '@app/booking';
import { Metrics } from '@app/metrics';
import { WriteAuthGuard, WriteThrottlerGuard } from '@app/security';
import { IdempotencyContext, Idempotent, type IdempotencyRef } from '@app/idempotency';
import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiExtraModels, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWriteHeaders } from '../problem/api-problems.js';
import {
  AreaCountsDto,
  BookingDto,
  ExtendDto,
  HoldBestDto,
  HoldDto,
  ReleaseDto,
  SeatMapDto,
  SeatStatusDto,
  ShowLayoutDto,
  ShowSummaryDto,
} from './seats-responses.dto.js';
import { ExtendRequestDto, HoldBestRequestDto, SeatsRequestDto, PathIdPipe } from './seats-request.dto.js';

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

/** A representation built once and kept: its ETag, its JSON and its gzip bytes on demand. */
interface Cached {
  etag: string | undefined;
  cacheControl: string;
  json: string;
  gzip: () => Promise<Buffer>;
}

/**
 * If-None-Match (RFC 9110 §13.1.2): `*`, or a list of ETags compared weakly. Not express's
 * `req.fresh`: that is a cache's rule, and answers 200 to a request with `Cache-Control: no-cache`,
 * which fetch() adds to every conditional request it sends.
 */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => weak(tag) === weak(etag));
}

/** Sends a cached representation: 304 when If-None-Match names its ETag, else its JSON, gzipped when the client accepts it. */
async function send(request: Request, response: Response, { etag, cacheControl, json, gzip }: Cached): Promise<void> {
  response.setHeader('Cache-Control', cacheControl);
  response.setHeader('Vary', 'Accept-Encoding');
  if (etag) {
    response.setHeader('ETag', etag);
    if (matches(request.headers['if-none-match'], etag)) {
      response.status(304).end();
      return;
    }
  }
  response.type('application/json');
  if (request.acceptsEncodings('gzip') === 'gzip') {
    response.setHeader('Content-Encoding', 'gzip');
    response.end(await gzip());
  } else response.end(json);
}

@ApiTags('seats')
@ApiExtraModels(AreaCountsDto)
@ApiBearerAuth()
@Controller('api/seats')
export class SeatsController {
  constructor(
    private readonly shows: ShowListService,
    private readonly snapshots: SeatMapSnapshots,
    private readonly holds: SeatHoldService,
    private readonly best: BestAvailableService,
    private readonly bookings: SeatSaleService,
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
  @ApiOkResponse({
    type: SeatMapDto,
    headers: {
      ETag: { description: 'W/"<version>"; send it as If-None-Match to get a 304 while the map is unchanged', schema: { type: 'string' } },
    },
  })
  @ApiResponse({ status: 304, description: 'Not modified: the If-None-Match ETag is the current version' })
  @ApiProblems(400, 404)
  async seatMap(
    @Param('showId', new PathIdPipe('showId')) showId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const snapshot = await this.snapshots.current(showId);
    await send(request, response, { etag: snapshot.etag, cacheControl: 'no-cache', json: snapshot.json, gzip: () => snapshot.gzip() });
  }

  @Get(':showId/layout')
  @ApiOperation({
    summary: "A show's layout: sections, categories, seats without status, general-admission areas",
    description:
      "The same bytes for the show's whole life: cache it (strong ETag, `Cache-Control: public, no-cache`) and follow the status part.",
  })
  @ApiOkResponse({ type: ShowLayoutDto, headers: { ETag: { description: '"<layoutVersion>" (strong)', schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'Not modified: the layout named by If-None-Match is the current one' })
  @ApiProblems(400, 404)
  async layout(
    @Param('showId', new PathIdPipe('showId')) showId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const layout = await this.snapshots.layoutOf(showId);
    await send(request, response, { etag: layout.etag, cacheControl: 'public, no-cache', json: layout.json, gzip: () => layout.gzip() });
  }

  @Get(':showId/status')
  @ApiOperation({
    summary: "Every seat's status as one character, in layout order (A available, H held, B booked, X not for sale)",
    description:
      'Fresh like the full map: a read that starts after a write was answered reflects it, with a greater version, on any instance.',
  })
  @ApiOkResponse({ type: SeatStatusDto, headers: { ETag: { description: 'W/"status-<version>"', schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'Not modified: the If-None-Match ETag is the current version' })
  @ApiProblems(400, 404)
  async status(
    @Param('showId', new PathIdPipe('showId')) showId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const snapshot = await this.snapshots.current(showId);
    await send(request, response, {
      etag: snapshot.statusEtag,
      cacheControl: 'no-cache',
      json: snapshot.statusJson,
      gzip: () => snapshot.statusGzipped(),
    });
  }

  @Post('hold-bulk')
  @WriteEndpoint()
  @ApiOperation({ summary: 'Hold seats of one show, all or none' })
  @ApiCreatedResponse({ type: HoldDto, description: 'All seats held (a replay carries Idempotent-Replayed: true)' })
  hold(@Body() body: SeatsRequestDto) {
    return this.metrics.countWrite('hold', () => this.holds.hold(body));
  }

  @Post('hold-best')
  @WriteEndpoint()
  @ApiOperation({
    summary:
      'Hold the best free seats: next to each other in one row without stranding a single seat, else next to each other, else (unless together) the best anywhere',
  })
  @ApiCreatedResponse({ type: HoldBestDto, description: 'Held, as hold-bulk answers, plus whether the seats are together' })
  holdBest(@Body() body: HoldBestRequestDto) {
    return this.metrics.countWrite('hold', () => this.best.holdBest(body));
  }

  @Post('extend-bulk')
  @WriteEndpoint()
  @HttpCode(200)
  @ApiOperation({ summary: "Extend this user's live holds, all or none (at most HOLD_MAX_SECONDS after each was first granted)" })
  @ApiOkResponse({ type: ExtendDto })
  extend(@Body() body: ExtendRequestDto) {
    return this.metrics.countWrite('extension', () => this.holds.extend(body));
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
