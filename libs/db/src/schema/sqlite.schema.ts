/** SQLite (dev mode) mirror of `pg.schema.ts`: same tables, same column names, same constraints. */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const instant = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const shows = sqliteTable('shows', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  venue: text('venue').notNull(),
  startsAt: instant('starts_at').notNull(),
});

export const seats = sqliteTable(
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
    holdOwner: text('hold_owner'),
    holdId: text('hold_id'),
    holdExpiresAt: instant('hold_expires_at'),
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

export const bookings = sqliteTable('bookings', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  showId: text('show_id')
    .notNull()
    .references(() => shows.id),
  createdAt: instant('created_at').notNull(),
});

export const bookingSeats = sqliteTable('booking_seats', {
  seatId: text('seat_id')
    .primaryKey()
    .references(() => seats.id),
  bookingId: text('booking_id')
    .notNull()
    .references(() => bookings.id),
});

export const idempotencyRecords = sqliteTable(
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
