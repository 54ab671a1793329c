/**
 * PostgreSQL schema. `sqlite.schema.ts` mirrors it table for table and column for column, so one
 * repository serves both dialects. Change both files together, then run `npm run db:generate`.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const shows = pgTable('shows', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  venue: text('venue').notNull(),
  startsAt: instant('starts_at').notNull(),
});

export const seats = pgTable(
  'seats',
  {
    id: text('id').primaryKey(),
    showId: text('show_id')
      .notNull()
      .references(() => shows.id),
    label: text('label').notNull(),
    row: text('row').notNull(),
    number: integer('number').notNull(),
    status: text('status', { enum: ['AVAILABLE', 'HELD', 'BOOKED'] })
      .notNull()
      .default('AVAILABLE'),
    /** Who holds (or, after an expiry, last held) the seat. Never exposed by the API. */
    holdOwner: text('hold_owner'),
    holdId: text('hold_id'),
    holdExpiresAt: instant('hold_expires_at'),
    /** Fencing token: incremented by every hold, so a stale writer can be told from the current one. */
    holdVersion: integer('hold_version').notNull().default(0),
    bookingId: text('booking_id'),
  },
  (t) => [
    index('seats_show_idx').on(t.showId, t.row, t.number),
    index('seats_hold_expiry_idx').on(t.status, t.holdExpiresAt),
    check('seats_status_check', sql`${t.status} in ('AVAILABLE', 'HELD', 'BOOKED')`),
    check('seats_held_has_owner', sql`${t.status} <> 'HELD' or (${t.holdOwner} is not null and ${t.holdExpiresAt} is not null)`),
    check('seats_booked_has_booking', sql`${t.status} <> 'BOOKED' or ${t.bookingId} is not null`),
  ],
);

export const bookings = pgTable('bookings', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  showId: text('show_id')
    .notNull()
    .references(() => shows.id),
  createdAt: instant('created_at').notNull(),
});

/** A seat can appear in at most one booking: the primary key makes a second sale impossible. */
export const bookingSeats = pgTable('booking_seats', {
  seatId: text('seat_id')
    .primaryKey()
    .references(() => seats.id),
  bookingId: text('booking_id')
    .notNull()
    .references(() => bookings.id),
});

/**
 * Durable idempotency records, written in the same transaction as the booking they describe, so a
 * retry after a crash (or after Redis lost its cache) returns the booking instead of repeating it.
 */
export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    statusCode: integer('status_code').notNull(),
    body: text('body').notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);
