import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../api/test/support/backends.js';
import { Harness } from '../../api/test/support/harness.js';
import { runContention } from '../src/contention.js';
import { report } from '../../api/test/support/report.js';

/**
 * A short run of the load test's scenario (k6_load_test.js) in CI: 200 virtual users on the
 * same ten seats for three seconds. Any double sale, 5xx or unfaithful replay fails it.
 */
describe.each(backends)('contention run on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('sells every seat at most once, with no 5xx, and replays faithfully', async () => {
    const { showId, seatIds } = await api.newShow(1, 10);
    const result = await runContention({ baseUrl: api.baseUrl, seatIds, vus: 200, durationMs: 3000 });
    report(
      `[${backend.name}] contention: holds ${JSON.stringify(result.holds.statuses)}, books ${JSON.stringify(result.books.statuses)}, replays ${JSON.stringify(result.replays)}`,
    );

    expect(result.holds.requests).toBeGreaterThan(100);
    expect(result.serverErrors).toBe(0);
    expect(result.soldTwice).toEqual([]);
    expect(result.replays.unfaithful).toBe(0);

    // The database agrees with the 201s the buyers received, seat for seat.
    const { bookingSeats } = api.database.tables;
    const rows = await api.database.read((db) => db.select().from(bookingSeats).where(inArray(bookingSeats.seatId, seatIds)));
    const sold = Object.fromEntries(rows.map((row) => [row.seatId, row.bookingId]));
    const answered = Object.fromEntries(
      Object.entries(result.bookings).flatMap(([bookingId, seats]) => seats.map((seat) => [seat, bookingId])),
    );
    expect(sold).toEqual(answered);
    const map = await api.get(`/api/seats/${showId}`);
    const booked = map.body.seats.filter((seat: { status: string }) => seat.status === 'BOOKED').map((seat: { id: string }) => seat.id);
    expect(booked.sort()).toEqual(Object.keys(answered).sort());
  });
});
