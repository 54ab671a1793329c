import {
  SeatDirectory,
  SeatMapSnapshots,
  ShowListService,
  ShowNotFoundError,
  ShowRepository,
  type ShowSummary,
  ShowKeys,
  ShowVersions,
} from '@app/booking';
import { type Db, Database, isUniqueViolation } from '@app/db';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ShowExistsError, ShowHasBookingsError } from './catalogue.errors.js';
import { applyPatch, layoutOf, type ShowDefinition, type ShowPatch } from './show-definition.js';

/** How long a deleted show's version outlives it in Redis (instances check it before serving a cached map). */
const DELETED_SHOW_VERSION_MS = 10 * 60_000;

/** Creates, changes and deletes shows (the admin API). The layout is written once and never changes. */
@Injectable()
export class ShowAdminService {
  private readonly logger = new Logger(ShowAdminService.name);

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly repository: ShowRepository,
    private readonly shows: ShowListService,
    private readonly directory: SeatDirectory,
    private readonly versions: ShowVersions,
    private readonly snapshots: SeatMapSnapshots,
    private readonly showKeys: ShowKeys,
  ) {}

  async create(definition: ShowDefinition): Promise<ShowSummary> {
    const layout = layoutOf(definition, new Date());
    // A version of its own first (fails closed without Redis): no instance can take a cached map
    // of an earlier show with this id for this one's.
    await this.versions.touch(layout.id, this.showKeys.expiryOf(layout.startsAt));
    const started = performance.now();
    try {
      const seats = await this.repository.create(layout);
      this.logger.log(`Created show ${layout.id} with ${seats.length} seats in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      // Every id written (sections, categories, seats) starts with the show's: a duplicate is the show.
      if (isUniqueViolation(error)) throw new ShowExistsError(layout.id);
      throw error;
    }
    return this.shows.summary(layout.id);
  }

  async update(showId: string, patch: ShowPatch): Promise<ShowSummary> {
    const { before, after } = await this.database.transaction(async (tx) => {
      const current = await this.lockShow(tx, showId);
      const next = applyPatch(current, patch);
      await this.repository.update(tx, showId, next);
      return { before: current.startsAt, after: next.startsAt };
    });
    this.directory.forget(showId);
    this.showKeys.forget(showId);
    if (before.getTime() !== after.getTime()) {
      // The show's keys now live until its new start plus the grace (the next reconciliation pass
      // would see to it too, and to keys another instance writes with the old expiry meanwhile).
      await this.showKeys
        .expireAll(showId, this.showKeys.expiryOf(after))
        .catch((error: Error) => this.logger.warn(`Show ${showId} moved; its Redis keys keep their old expiry for now: ${error.message}`));
    }
    return this.shows.summary(showId);
  }

  /**
   * Deletes a show nothing of which was ever booked and nothing is held. Only seats neither held
   * nor sold are deleted, in one conditional statement; if any seat remains (a hold committed
   * meanwhile: the delete waited for its row lock, then saw the hold), everything rolls back. A
   * hold that comes after finds its seats gone (NOT_FOUND).
   */
  async delete(showId: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      await this.lockShow(tx, showId);
      if (await this.repository.hasBookings(tx, showId)) throw new ShowHasBookingsError(showId, 'booked');
      if (!(await this.repository.deleteFreeSeats(tx, showId))) throw new ShowHasBookingsError(showId, 'held');
      await this.repository.deleteShow(tx, showId);
    });
    this.directory.forget(showId);
    this.snapshots.forget(showId);
    this.showKeys.forget(showId);
    // Its keys go; a new version, kept for a few minutes, tells every other instance that its
    // cached map is out of date and the show gone.
    try {
      await this.showKeys.purge(showId);
      await this.versions.touch(showId, Date.now() + DELETED_SHOW_VERSION_MS);
    } catch (error) {
      this.logger.warn(`Show ${showId} deleted; its Redis keys were not all removed: ${(error as Error).message}`);
    }
  }

  private async lockShow(tx: Db, showId: string) {
    const row = await this.repository.lock(tx, showId);
    if (!row) throw new ShowNotFoundError(showId);
    return row;
  }
}
