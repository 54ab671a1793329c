import { HouseHoldsService, SellerRecordsService } from '@app/booking';
import { ShowAdminService } from '@app/catalogue';
import { AdminGuard } from '@app/security';
import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../problem/api-problems.js';
import { ShowSummaryDto } from '../seats/seats-responses.dto.js';
import { PathIdPipe } from '../seats/seats-request.dto.js';
import { BlockSeatsDto, CreateShowDto, PatchShowDto, UnblockSeatsDto } from './admin-requests.dto.js';
import { SalesReportDto, SeatHistoryEntryDto } from './admin-responses.dto.js';

/** The catalogue, for the ticket seller: `Authorization: Bearer <ADMIN_TOKEN>`. */
@ApiTags('admin')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@Controller('api/admin/shows')
export class ShowsAdminController {
  private readonly logger = new Logger(ShowsAdminController.name);

  constructor(
    private readonly shows: ShowAdminService,
    private readonly houseHolds: HouseHoldsService,
    private readonly records: SellerRecordsService,
  ) {}

  @Get(':showId/seats/:seatId/history')
  @ApiOperation({ summary: 'Every change a seat went through, oldest first, with its cause' })
  @ApiOkResponse({ type: [SeatHistoryEntryDto] })
  @ApiProblems([401, 'No or wrong admin token'], [404, 'SHOW_NOT_FOUND or SEAT_NOT_FOUND'], 503)
  history(@Param('showId', new PathIdPipe('showId')) showId: string, @Param('seatId', new PathIdPipe('seatId')) seatId: string) {
    return this.records.historyOf(showId, seatId);
  }

  @Get(':showId/report')
  @ApiOperation({ summary: 'How the sale stands: seats by status, by category and by section (areas count as sections), with revenue' })
  @ApiOkResponse({ type: SalesReportDto })
  @ApiProblems([401, 'No or wrong admin token'], 404, 503)
  report(@Param('showId', new PathIdPipe('showId')) showId: string) {
    return this.records.report(showId);
  }

  @Post()
  @ApiOperation({ summary: 'Create a show with its seat layout, categories, prices, sales window and limits' })
  @ApiBody({ type: CreateShowDto })
  @ApiCreatedResponse({ type: ShowSummaryDto })
  @ApiProblems(
    [400, 'Invalid show: the detail names the offending item; nothing created'],
    [401, 'No or wrong admin token'],
    [409, 'SHOW_EXISTS'],
    [413, 'Body over 1 MiB'],
    503,
  )
  create(@Body() body: CreateShowDto) {
    return this.shows.create(body);
  }

  @Patch(':showId')
  @ApiOperation({ summary: "Change a show's title, venue, times, sales window or limits (never its layout)" })
  @ApiBody({ type: PatchShowDto })
  @ApiOkResponse({ type: ShowSummaryDto })
  @ApiProblems(
    [400, 'Invalid patch, a layout member, or a window that would close before it opens'],
    [401, 'No or wrong admin token'],
    404,
    [413, 'Body over 1 MiB'],
    503,
  )
  update(@Param('showId', new PathIdPipe('showId')) showId: string, @Body() body: PatchShowDto) {
    return this.shows.update(showId, body);
  }

  @Post(':showId/block')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take seats off sale (house holds): AVAILABLE → BLOCKED, all or nothing' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { showId: { type: 'string' }, blocked: { type: 'array', items: { type: 'string' } } } },
  })
  @ApiProblems(
    [400, 'Invalid body'],
    [401, 'No or wrong admin token'],
    [409, 'SEAT_CONFLICT: a seat is held, sold, already blocked or not of this show (reasons per seat); nothing changed'],
    503,
  )
  async block(@Param('showId', new PathIdPipe('showId')) showId: string, @Body() body: BlockSeatsDto) {
    const result = await this.houseHolds.block(showId, body.seatIds);
    this.logger.log(`Blocked ${body.seatIds.length} seat(s) of ${showId}${body.reason ? `: ${body.reason}` : ''}`);
    return result;
  }

  @Post(':showId/unblock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put blocked seats back on sale: BLOCKED → AVAILABLE, all or nothing' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { showId: { type: 'string' }, unblocked: { type: 'array', items: { type: 'string' } } } },
  })
  @ApiProblems(
    [400, 'Invalid body'],
    [401, 'No or wrong admin token'],
    [409, 'SEAT_CONFLICT: a seat is not blocked (NOT_BLOCKED) or not of this show; nothing changed'],
    503,
  )
  unblock(@Param('showId', new PathIdPipe('showId')) showId: string, @Body() body: UnblockSeatsDto) {
    return this.houseHolds.unblock(showId, body.seatIds);
  }

  @Delete(':showId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a show nothing of which was ever booked and nothing is held' })
  @ApiNoContentResponse({ description: 'Deleted: gone from the list, its seat map 404, its seat ids unknown' })
  @ApiProblems([401, 'No or wrong admin token'], 404, [409, 'SHOW_HAS_BOOKINGS: something was booked (ever) or is held now'], 503)
  async delete(@Param('showId', new PathIdPipe('showId')) showId: string): Promise<void> {
    await this.shows.delete(showId);
  }
}
