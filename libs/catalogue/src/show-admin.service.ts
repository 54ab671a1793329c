import { SeatCatalog, SeatMapSnapshots, ShowListService, type ShowSummary, ShowNotFoundError, ShowVersions } from '@app/booking';
import { type Db, Database, isUniqueViolation, writeShow } from '@app/db';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { and, eq, or, sql } from 'drizzle-orm';
import { ShowExistsError, ShowHasBookingsError } from './catalogue.errors.js';
import { applyPatch, parseShowDefinition, parseShowPatch } from './show-definition.js';

/** Creates, changes and deletes shows (the admin API). The layout is written once and never changes. */
@Injectable()
export class ShowAdminService {
  private readonly logger = new Logger(ShowAdminService.name);

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly shows: ShowListService,
    private readonly catalog: SeatCatalog,
    private readonly versions: ShowVersions,
    private readonly snapshots: SeatMapSnapshots,
  ) {}

  async create(body: unknown): Promise<ShowSummary> {
    const layout = parseShowDefinition(body, new Date());
    // A version of its own first (fails closed without Redis): no instance can take a cached map
    // of an earlier show with this id for this one's.
    await this.versions.touch(layout.id);
    const started = performance.now();
    try {
      const seats = await writeShow(this.database, layout);
      this.logger.log(`Created show ${layout.id} with ${seats.length} seats in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      // Every id written (sections, categories, seats) starts with the show's: a duplicate is the show.
      if (isUniqueViolation(error)) throw new ShowExistsError(layout.id);
      throw error;
    }
    return this.shows.summary(layout.id);
  }

  async update(showId: string, body: unknown): Promise<ShowSummary> {
    const patch = parseShowPatch(body);
    const { shows } = this.database.tables;
    await this.database.transaction(async (tx) => {
      const current = await this.lockShow(tx, showId);
      const next = applyPatch(current, patch);
      await tx
        .update(shows)
        .set({
          title: next.title,
          venue: next.venue,
          startsAt: next.startsAt,
          salesOpenAt: next.salesOpenAt,
          salesCloseAt: next.salesCloseAt,
          perOrder: next.perOrder,
          perCustomer: next.perCustomer,
        })
        .where(eq(shows.id, showId));
    });
    this.catalog.forget(showId);
    return this.shows.summary(showId);
  }

  /**
   * Deletes a show nothing of which was ever booked and nothing is held. Only seats neither held
   * nor sold are deleted, in one conditional statement; if any seat remains (a hold committed
   * meanwhile: the delete waited for its row lock, then saw the hold), everything rolls back. A
   * hold that comes after finds its seats gone (NOT_FOUND).
   */
  async delete(showId: string): Promise<void> {
    const { shows, seats, sections, categories, bookings } = this.database.tables;
    await this.database.transaction(async (tx) => {
      await this.lockShow(tx, showId);
      const [booked] = await tx.select({ id: bookings.id }).from(bookings).where(eq(bookings.showId, showId)).limit(1);
      if (booked) throw new ShowHasBookingsError(showId, 'booked');
      const now = this.database.clock.now();
      const free = or(eq(seats.status, 'AVAILABLE'), and(eq(seats.status, 'HELD'), sql`${seats.holdExpiresAt} <= ${now}`));
      await tx.delete(seats).where(and(eq(seats.showId, showId), free));
      const [left] = await tx.select({ id: seats.id }).from(seats).where(eq(seats.showId, showId)).limit(1);
      if (left) throw new ShowHasBookingsError(showId, 'held');
      await tx.delete(sections).where(eq(sections.showId, showId));
      await tx.delete(categories).where(eq(categories.showId, showId));
      await tx.delete(shows).where(eq(shows.id, showId));
    });
    this.catalog.forget(showId);
    this.snapshots.forget(showId);
    // Every other instance then finds its cached map out of date, and the show gone.
    await this.versions
      .touch(showId)
      .catch((error: Error) => this.logger.warn(`Show ${showId} deleted; its version was not moved on: ${error.message}`));
  }

  /** The show's row, locked against concurrent changes until the transaction ends (PostgreSQL). */
  private async lockShow(tx: Db, showId: string) {
    const { shows } = this.database.tables;
    const query = tx.select().from(shows).where(eq(shows.id, showId));
    const [row] = await (this.database.kind === 'postgres' ? query.for('update') : query);
    if (!row) throw new ShowNotFoundError(showId);
    return row;
  }
}
