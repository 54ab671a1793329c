import { type Db, type ShowLayout, writeShow, and, asc, eq, inArray, or, sql } from '@app/db';
import { Injectable } from '@nestjs/common';
import { Statements } from './statements.js';

/** Statements about shows: the list, their counts, sections, categories and sales rules; creating, changing and deleting them. */
@Injectable()
export class ShowRepository extends Statements {
  /** What a show summary says of the show itself. */
  private showColumns() {
    const { shows } = this.t;
    const { id, title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer } = shows;
    return { id, title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer };
  }

  /** Every show with its seat counts, by one aggregate over all their seats (O(seats)). */
  listShows(db: Db) {
    const { shows, seats } = this.t;
    const available = sql<number>`cast(sum(case when ${this.takeable()} then 1 else 0 end) as integer)`.mapWith(Number);
    return db
      .select({
        ...this.showColumns(),
        totalSeats: sql<number>`cast(count(${seats.id}) as integer)`.mapWith(Number),
        availableSeats: available,
      })
      .from(shows)
      .leftJoin(seats, eq(seats.showId, shows.id))
      .groupBy(shows.id)
      .orderBy(asc(shows.startsAt), asc(shows.id));
  }

  /** The shows (or one) without their seats, in list order: O(shows). */
  showRows(db: Db, showId?: string) {
    const { shows } = this.t;
    return db
      .select(this.showColumns())
      .from(shows)
      .where(showId === undefined ? undefined : eq(shows.id, showId))
      .orderBy(asc(shows.startsAt), asc(shows.id));
  }

  /** One show's seat counts (a lapsed hold counts as available). */
  async seatCounts(db: Db, showId: string): Promise<{ totalSeats: number; availableSeats: number }> {
    const { seats } = this.t;
    const [row] = await db
      .select({
        totalSeats: sql<number>`cast(count(*) as integer)`.mapWith(Number),
        availableSeats: sql<number>`cast(coalesce(sum(case when ${this.takeable()} then 1 else 0 end), 0) as integer)`.mapWith(Number),
      })
      .from(seats)
      .where(eq(seats.showId, showId));
    return row;
  }

  async showExists(db: Db, showId: string): Promise<boolean> {
    const { shows } = this.t;
    const rows = await db.select({ id: shows.id }).from(shows).where(eq(shows.id, showId)).limit(1);
    return rows.length > 0;
  }

  /** The show's sections and areas in layout order; an area has a capacity, a section none. */
  sectionsOf(db: Db, showId: string) {
    const { sections } = this.t;
    return db
      .select({ key: sections.key, label: sections.label, capacity: sections.capacity, category: sections.category })
      .from(sections)
      .where(eq(sections.showId, showId))
      .orderBy(asc(sections.position));
  }

  categoriesOf(db: Db, showId: string) {
    const { categories } = this.t;
    return db
      .select({ key: categories.key, label: categories.label, amount: categories.priceAmount, currency: categories.priceCurrency })
      .from(categories)
      .where(eq(categories.showId, showId))
      .orderBy(asc(categories.position));
  }

  /**
   * What a hold must respect, with the sales window judged by the database clock. (No lock on the
   * show's row: every hold of an on-sale would queue on it. A delete instead deletes only seats
   * that are neither held nor sold, and gives up if any remain.)
   */
  async holdRules(db: Db, showId: string): Promise<{ onSale: boolean; perOrder: number; perCustomer: number | null } | undefined> {
    const { shows } = this.t;
    const now = this.clock.now();
    const [row] = await db
      .select({
        onSale: sql<number>`case when ${shows.salesOpenAt} <= ${now} and ${now} < ${shows.salesCloseAt} then 1 else 0 end`.mapWith(Number),
        perOrder: shows.perOrder,
        perCustomer: shows.perCustomer,
      })
      .from(shows)
      .where(eq(shows.id, showId));
    return row && { ...row, onSale: row.onSale === 1 };
  }

  async showRules(db: Db, showId: string) {
    const { shows } = this.t;
    const [row] = await db
      .select({
        salesOpenAt: shows.salesOpenAt,
        salesCloseAt: shows.salesCloseAt,
        perOrder: shows.perOrder,
        perCustomer: shows.perCustomer,
      })
      .from(shows)
      .where(eq(shows.id, showId));
    return row;
  }

  /** Writes a new show with its whole layout (see `writeShow`); the seats' ids. */
  create(layout: ShowLayout) {
    return writeShow(this.database, layout);
  }

  /** The show's row, locked against concurrent changes until the transaction ends (PostgreSQL; SQLite has one writer). */
  async lock(tx: Db, showId: string) {
    const { shows } = this.t;
    const query = tx.select().from(shows).where(eq(shows.id, showId));
    const [row] = await (this.database.kind === 'postgres' ? query.for('update') : query);
    return row;
  }

  async update(tx: Db, showId: string, next: ShowChanges): Promise<void> {
    const { shows } = this.t;
    const { title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer } = next;
    await tx.update(shows).set({ title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer }).where(eq(shows.id, showId));
  }

  async hasBookings(tx: Db, showId: string): Promise<boolean> {
    const { bookings } = this.t;
    const [booked] = await tx.select({ id: bookings.id }).from(bookings).where(eq(bookings.showId, showId)).limit(1);
    return booked !== undefined;
  }

  /**
   * Deletes the show's seats that are neither held nor sold, in one conditional statement; false
   * when any seat remains (a hold committed meanwhile: the delete waited for its row lock, then saw
   * the hold), and then the caller rolls back.
   */
  async deleteFreeSeats(tx: Db, showId: string): Promise<boolean> {
    const { seats, seatHistory } = this.t;
    // Their history first, while the seats still say which are the show's (rolled back with the rest if the delete fails).
    await tx
      .delete(seatHistory)
      .where(inArray(seatHistory.seatId, tx.select({ id: seats.id }).from(seats).where(eq(seats.showId, showId))));
    // Blocked seats go with the show: the house's own hold sold nothing.
    const free = or(
      inArray(seats.status, ['AVAILABLE', 'BLOCKED']),
      and(eq(seats.status, 'HELD'), sql`${seats.holdExpiresAt} <= ${this.clock.now()}`),
    );
    await tx.delete(seats).where(and(eq(seats.showId, showId), free));
    const [left] = await tx.select({ id: seats.id }).from(seats).where(eq(seats.showId, showId)).limit(1);
    return left === undefined;
  }

  /** The show's own rows, once its seats are gone. */
  async deleteShow(tx: Db, showId: string): Promise<void> {
    const { shows, sections, categories } = this.t;
    await tx.delete(sections).where(eq(sections.showId, showId));
    await tx.delete(categories).where(eq(categories.showId, showId));
    await tx.delete(shows).where(eq(shows.id, showId));
  }
}

/** What an admin may change of a show (its layout never changes). */
export type ShowChanges = Omit<ShowLayout, 'id' | 'categories' | 'sections' | 'areas'>;
