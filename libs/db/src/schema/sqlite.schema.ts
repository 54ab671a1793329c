/** SQLite (dev mode) mirror of `pg.schema.ts`: same tables, same column names, same constraints. */
import { sql, sqliteCore } from '../drizzle.js';

const { check, index, integer, uniqueIndex, primaryKey, sqliteTable, text } = sqliteCore;

const instant = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const shows = sqliteTable('shows', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  venue: text('venue').notNull(),
  startsAt: instant('starts_at').notNull(),
  /** Holds are granted in [sales_open_at, sales_close_at) by the database clock. */
  salesOpenAt: instant('sales_open_at').notNull(),
  salesCloseAt: instant('sales_close_at').notNull(),
  /** Most seats in one hold request. */
  perOrder: integer('per_order').notNull(),
  /** Most seats one user may hold (live) plus have booked in this show; null: no limit. */
  perCustomer: integer('per_customer'),
});

/**
 * A show's sections and general-admission areas, in layout order (areas after the sections). An
 * area has a `capacity` (its places are rows of `seats`, after the seated ones) and a category.
 */
export const sections = sqliteTable(
  'sections',
  {
    showId: text('show_id')
      .notNull()
      .references(() => shows.id),
    key: text('key').notNull(),
    label: text('label').notNull(),
    position: integer('position').notNull(),
    /** Null for a section of seats; the number of places of a general-admission area. */
    capacity: integer('capacity'),
    /** An area's category (a section's seats carry their own). */
    category: text('category'),
  },
  (t) => [primaryKey({ columns: [t.showId, t.key] })],
);

/** A show's price categories; a null price is "not sold at a price" (complimentary). */
export const categories = sqliteTable(
  'categories',
  {
    showId: text('show_id')
      .notNull()
      .references(() => shows.id),
    key: text('key').notNull(),
    label: text('label').notNull(),
    /** Minor units (cents) of `priceCurrency` (ISO 4217). */
    priceAmount: integer('price_amount'),
    priceCurrency: text('price_currency'),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.showId, t.key] })],
);

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
    /** Section and category keys (null for layouts without them, like the first demo shows). */
    section: text('section'),
    category: text('category'),
    /** Layout order within the show: sections as given, rows as given, seats by number. */
    position: integer('position').notNull().default(0),
    status: text('status', { enum: ['AVAILABLE', 'HELD', 'BOOKED', 'BLOCKED'] })
      .notNull()
      .default('AVAILABLE'),
    holdOwner: text('hold_owner'),
    holdId: text('hold_id'),
    holdExpiresAt: instant('hold_expires_at'),
    // When the hold was first granted: extensions reach at most HOLD_MAX_SECONDS past it.
    holdGrantedAt: instant('hold_granted_at'),
    holdVersion: integer('hold_version').notNull().default(0),
    bookingId: text('booking_id'),
  },
  (t) => [
    // No index on a column that a hold, release, expiry or booking changes: those updates stay HOT
    // (heap-only, no index entry rewritten), so SERIALIZABLE bookings of neighbouring seats do not
    // collide on the index pages they share. Lapsed holds are found through `hold_expiries`.
    index('seats_show_idx').on(t.showId, t.row, t.number),
    check('seats_status_check', sql`${t.status} in ('AVAILABLE', 'HELD', 'BOOKED', 'BLOCKED')`),
    check('seats_held_has_owner', sql`${t.status} <> 'HELD' or (${t.holdOwner} is not null and ${t.holdExpiresAt} is not null)`),
    check('seats_booked_has_booking', sql`${t.status} <> 'BOOKED' or ${t.bookingId} is not null`),
  ],
);

/**
 * Every hold's expiry, written by the hold (a copy of the seat's `hold_expires_at`), so the sweeper
 * finds lapsed holds without an index on `seats`. Append-only for holds; the sweeper deletes the
 * entries that are due, releasing their seats if still held by that hold (a seat released, sold or
 * held again since is left alone: a new hold has an entry of its own). Also counts a user's live
 * holds in a show for the per-customer limit, checked against the seat itself.
 */
export const holdExpiries = sqliteTable(
  'hold_expiries',
  {
    seatId: text('seat_id').notNull(),
    showId: text('show_id').notNull(),
    owner: text('owner').notNull(),
    expiresAt: instant('expires_at').notNull(),
  },
  (t) => [index('hold_expiries_due_idx').on(t.expiresAt), index('hold_expiries_owner_idx').on(t.showId, t.owner)],
);

/**
 * Every change a seat went through, oldest first (by `id`), written by the change's own statement
 * or transaction: a rolled-back change leaves no entry. Kept for the show's life.
 */
export const seatHistory = sqliteTable(
  'seat_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    seatId: text('seat_id').notNull(),
    showId: text('show_id').notNull(),
    at: instant('at').notNull(),
    status: text('status').notNull(),
    /** hold, extend, release, expiry, booking, cancellation, block or unblock. */
    cause: text('cause').notNull(),
    userId: text('user_id'),
    holdId: text('hold_id'),
    bookingId: text('booking_id'),
  },
  (t) => [index('seat_history_seat_idx').on(t.seatId, t.id)],
);

export const bookings = sqliteTable(
  'bookings',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    showId: text('show_id')
      .notNull()
      .references(() => shows.id),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [index('bookings_user_idx').on(t.userId, t.createdAt)],
);

/**
 * The seats of a booking, with what they cost at booking time. A cancelled line keeps its history;
 * the partial unique index lets a seat be in at most one live (uncancelled) line, so a second
 * sale of a seat is impossible, while a cancelled seat can be sold again.
 */
export const bookingSeats = sqliteTable(
  'booking_seats',
  {
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id),
    seatId: text('seat_id')
      .notNull()
      .references(() => seats.id),
    label: text('label').notNull(),
    section: text('section'),
    category: text('category'),
    priceAmount: integer('price_amount'),
    priceCurrency: text('price_currency'),
    cancelledAt: instant('cancelled_at'),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.seatId] }),
    uniqueIndex('booking_seats_live_seat')
      .on(t.seatId)
      .where(sql`${t.cancelledAt} is null`),
  ],
);

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

/** Where booking messages are sent (the admin API manages them). */
export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  /** Comma-separated event types. */
  events: text('events').notNull(),
  /** `whsec_…`: shown once, when the endpoint is made. */
  secret: text('secret').notNull(),
  enabled: integer('enabled').notNull().default(1),
  createdAt: instant('created_at').notNull(),
});

/**
 * The transactional outbox: one message per booking or cancellation, written in its transaction,
 * and deleted once dispatched (copied into a delivery for every endpoint that wants it). So it
 * holds only what is not dispatched yet, and a message costs one insert and one delete. A
 * `booking.confirmed` is written by the sale's own statement as a reference to its booking, whose
 * rows never change but for cancellation marks: its body is rendered when it is dispatched.
 */
export const outboxMessages = sqliteTable('outbox_messages', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  /** The message body as sent: `{ type, timestamp, data }`; null when it is rendered from `bookingId`. */
  payload: text('payload'),
  /** The booking a `booking.confirmed` reports (its body is that booking as confirmed). */
  bookingId: text('booking_id'),
  createdAt: instant('created_at').notNull(),
});

/** A message on its way to one endpoint: attempts, the answer, when to try next. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    messageId: text('message_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    /** The message, as it was recorded: its type, body, and when it was committed. */
    type: text('type').notNull(),
    payload: text('payload').notNull(),
    messageCreatedAt: instant('message_created_at').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastResponseStatus: integer('last_response_status'),
    nextAttemptAt: instant('next_attempt_at'),
    /** An instance sending it now holds it until then (longer than a send may take). */
    claimedUntil: instant('claimed_until'),
    createdAt: instant('created_at').notNull(),
    deliveredAt: instant('delivered_at'),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.endpointId] }),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
  ],
);
