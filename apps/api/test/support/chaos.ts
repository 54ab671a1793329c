import { HoldTimers } from '@app/booking';
import { expect } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { REDIS_SERVER } from '../../../infra-local/src/redis-topology.js';
import { realBackend } from './backends.js';
import type { Harness, Reply } from './harness.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';

/** One write the load generator sent, and what came back. */
export interface Outcome {
  path: string;
  userId: string;
  seatIds: string[];
  key: string;
  status: number;
  body: any;
  /** performance.now() when the request was sent and when its answer arrived. */
  sentAt: number;
  at: number;
}

/**
 * The chaos suites need PostgreSQL, and `redis-server` to start nodes of their own. Outside CI
 * they skip when either is missing; with CI=true they run (and fail) regardless.
 */
export const canRunChaos = realBackend.available && (process.env.CI === 'true' || spawnSync(REDIS_SERVER, ['--version']).status === 0);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes that any answer is acceptable for during an outage: success, a conflict, or 503. */
export const EXPECTED_STATUSES = new Set([200, 201, 409, 503]);

/** Sends one write with a fresh Idempotency-Key and records what came back, for `settle`. */
export async function send(api: Harness, path: string, body: { seatIds: string[]; userId: string }): Promise<Outcome> {
  const key = randomUUID();
  const sentAt = performance.now();
  const reply = await api.post(path, body, { 'idempotency-key': key });
  return { path, ...body, key, status: reply.status, body: reply.body, sentAt, at: performance.now() };
}

/**
 * Resends a write with the same Idempotency-Key until it gets a final answer: not 503, and not
 * "the first request with this key is still running".
 */
export async function settle(api: Harness, outcome: Outcome, timeoutMs = 30_000): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await api.post(outcome.path, { seatIds: outcome.seatIds, userId: outcome.userId }, { 'idempotency-key': outcome.key });
    const unsettled = reply.status === 503 || reply.body?.code === 'IDEMPOTENCY_KEY_IN_USE';
    if (!unsettled || Date.now() > deadline) return reply;
    await sleep(Number(reply.headers.get('retry-after') ?? 1) * 250);
  }
}

/**
 * Buyers that each loop: hold two random seats, then book them or release them. Runs until
 * `stop()` resolves, and records every answer.
 */
export async function runBuyers(options: {
  apis: Harness[];
  seatIds: string[];
  buyers: number;
  until: () => boolean;
  record: (outcome: Outcome) => void;
}): Promise<void> {
  const { apis, seatIds, buyers, until, record } = options;
  const sendAndRecord = async (api: Harness, path: string, userId: string, seats: string[]): Promise<Outcome> => {
    const outcome = await send(api, path, { seatIds: seats, userId });
    record(outcome);
    return outcome;
  };
  await Promise.all(
    Array.from({ length: buyers }, async (_, buyer) => {
      const api = apis[buyer % apis.length];
      const userId = `buyer-${buyer}`;
      while (!until()) {
        const seats = pick(seatIds, 2);
        const hold = await sendAndRecord(api, HOLD, userId, seats);
        if (hold.status === 503) await sleep(20);
        if (hold.status !== 201) continue;
        await sendAndRecord(api, Math.random() < 0.6 ? BOOK : '/api/seats/release-bulk', userId, seats);
      }
    }),
  );
}

function pick<T>(items: T[], count: number): T[] {
  const chosen = new Set<T>();
  while (chosen.size < count) chosen.add(items[Math.floor(Math.random() * items.length)]);
  return [...chosen];
}

export interface Ledger {
  /** bookingId → its seats still booked, from `bookings` ⟕ `booking_seats` (uncancelled lines). */
  bookings: Map<string, string[]>;
  /** Disagreements between `seats`, `bookings` and `booking_seats`; empty when all is well. */
  problems: string[];
}

/**
 * Reads one show's sales back from the database and checks they agree with each other: every
 * booking has seats, every sold seat is BOOKED by exactly the booking that lists it.
 */
export async function readLedger(api: Harness, showId: string): Promise<Ledger> {
  const { bookings: bookingsTable, bookingSeats, seats } = api.database.tables;
  const rows = await api.database.read((db) =>
    db
      .select({ bookingId: bookingsTable.id, seatId: bookingSeats.seatId })
      .from(bookingsTable)
      // Live lines only: a cancelled seat may have been sold again since.
      .leftJoin(bookingSeats, and(eq(bookingSeats.bookingId, bookingsTable.id), isNull(bookingSeats.cancelledAt)))
      .where(eq(bookingsTable.showId, showId)),
  );
  const seatRows = await api.database.read((db) =>
    db.select({ id: seats.id, status: seats.status, bookingId: seats.bookingId }).from(seats).where(eq(seats.showId, showId)),
  );
  const bookings = new Map<string, string[]>();
  const problems: string[] = [];
  const soldBy = new Map<string, string>();
  for (const { bookingId, seatId } of rows) {
    const list = bookings.get(bookingId) ?? [];
    bookings.set(bookingId, list);
    if (seatId === null) continue;
    list.push(seatId);
    soldBy.set(seatId, bookingId);
  }
  for (const [bookingId, list] of bookings) if (list.length === 0) problems.push(`booking ${bookingId} has no seats left`);
  for (const seat of seatRows) {
    const listed = soldBy.get(seat.id);
    if (seat.status === 'BOOKED' && seat.bookingId !== listed)
      problems.push(`seat ${seat.id} BOOKED by ${seat.bookingId} but listed in ${listed}`);
    if (seat.status !== 'BOOKED' && listed) problems.push(`seat ${seat.id} is ${seat.status} but listed in booking ${listed}`);
  }
  return { bookings, problems };
}

/** What 40 buyers on the given instances saw while `kill` took a Redis master down. */
export interface KillUnderLoad {
  outcomes: Outcome[];
  /** performance.now() of the kill, and when the first hold sent after it succeeded (Infinity: none). */
  killedAt: number;
  recoveredAt: number;
}

/**
 * Runs 40 buyers on `apis`, calls `kill` after 1.5 s, and keeps them going until holds have
 * worked again for two seconds (at most 45 s).
 */
export async function buyThroughKill(apis: Harness[], seatIds: string[], kill: () => Promise<void>): Promise<KillUnderLoad> {
  const run: KillUnderLoad = { outcomes: [], killedAt: Infinity, recoveredAt: Infinity };
  const deadline = performance.now() + 45_000;
  const buyers = runBuyers({
    apis,
    seatIds,
    buyers: 40,
    record: (outcome) => {
      run.outcomes.push(outcome);
      if (outcome.path === HOLD && outcome.status === 201 && outcome.sentAt > run.killedAt)
        run.recoveredAt = Math.min(run.recoveredAt, outcome.at);
    },
    until: () => performance.now() > Math.min(deadline, run.recoveredAt + 2000),
  });
  await sleep(1500);
  run.killedAt = performance.now();
  await kill();
  await buyers;
  return run;
}

/** "holds 201×… 409×… 503×…, books …": the answers by endpoint and status. */
export function tally(outcomes: Outcome[]): string {
  const count = (path: string, status: number) => outcomes.filter((o) => o.path === path && o.status === status).length;
  return (
    `${outcomes.length} writes: holds 201×${count(HOLD, 201)} 409×${count(HOLD, 409)} 503×${count(HOLD, 503)}, ` +
    `books 201×${count(BOOK, 201)} 409×${count(BOOK, 409)} 503×${count(BOOK, 503)}`
  );
}

/**
 * After an outage: bookings that got a 503 are retried with their key through `retryOn`, as a
 * client would; then every 201 is in the database with exactly its seats, nothing is there that
 * nobody was told about, and no seat is in two confirmed bookings.
 */
export async function expectSalesKept(api: Harness, retryOn: Harness, showId: string, outcomes: Outcome[]): Promise<void> {
  const bookings = outcomes.filter((o) => o.path === BOOK);
  for (const outcome of bookings.filter((o) => o.status === 503)) {
    const reply = await settle(retryOn, outcome);
    expect([201, 409]).toContain(reply.status);
    Object.assign(outcome, { status: reply.status, body: reply.body });
  }
  const confirmed = bookings.filter((o) => o.status === 201);
  const ledger = await readLedger(api, showId);
  expect(ledger.problems).toEqual([]);
  for (const booking of confirmed) expect(ledger.bookings.get(booking.body.bookingId)?.sort()).toEqual([...booking.seatIds].sort());
  expect([...ledger.bookings.keys()].sort()).toEqual(confirmed.map((o) => o.body.bookingId).sort());
  const sold = confirmed.flatMap((o) => o.seatIds);
  expect(new Set(sold).size).toBe(sold.length);
}

/**
 * After a failover: a hold taken through `api` reaches a client of `other`, and with no timers
 * anywhere and the sweeper once a minute, only a keyspace event of the new master can free it in
 * time. Returns how long after `expiresAt` the seat was freed (ms).
 */
export async function expiryByEventAfterFailover(api: Harness, other: Harness): Promise<number> {
  const { showId, seatIds } = await api.newShow(1, 4);
  const watcher = await other.seatsClient();
  await watcher.subscribe(showId);
  for (const instance of [api, other]) instance.app.get(HoldTimers).stop();
  const hold = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'after-failover' });
  expect(hold.status).toBe(201);
  await watcher.waitFor(seatIds[0], 'HELD');
  const releasedAt = await watcher.waitFor(seatIds[0], 'AVAILABLE', 30_000);
  return releasedAt - Date.parse(hold.body.expiresAt);
}
