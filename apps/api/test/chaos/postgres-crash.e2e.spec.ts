import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realBackend } from '../support/backends.js';
import { type Outcome, readLedger, send, settle, sleep } from '../support/chaos.js';
import { Harness } from '../support/harness.js';
import { canRunOwnPostgres, PostgresServer } from '../support/postgres-server.js';
import { report } from '../support/report.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';

/**
 * PostgreSQL itself killed (kill -9 of the postmaster, on a server of the test's own) in the
 * middle of bookings, then started again: it recovers from its WAL. Bookings answered 201 must be
 * there, none half-written, and every buyer's retry with the same key settles on one booking.
 */
describe.skipIf(!(realBackend.available && (canRunOwnPostgres || process.env.CI === 'true')))(
  'PostgreSQL killed with kill -9 and restarted',
  () => {
    let server: PostgresServer;
    let api: Harness;

    beforeAll(async () => {
      server = await PostgresServer.start();
      api = await Harness.start(realBackend, { DATABASE_URL: server.url });
    }, 60_000);
    afterAll(async () => {
      await api?.close();
      await server?.stop();
    });

    it('loses no confirmed booking, half-writes nothing, and settles every retry on one booking', async () => {
      const { showId, seatIds } = await api.newShow(4, 10);
      const buyers = seatIds.map((seatId, i) => ({ seatIds: [seatId], userId: `buyer-${i}` }));
      expect((await Promise.all(buyers.map((buyer) => api.post(HOLD, buyer)))).map((hold) => hold.status)).toEqual(buyers.map(() => 201));

      let confirmed = 0;
      const book = async (buyer: (typeof buyers)[number]): Promise<Outcome> => {
        const outcome = await send(api, BOOK, buyer);
        if (outcome.status === 201) confirmed++;
        return outcome;
      };
      // Bookings in flight when the server dies, and more while it is down.
      // Killed once a few have been confirmed: the rest are cut off mid-transaction or queued.
      const first = Promise.all(buyers.slice(0, 20).map(book));
      for (let i = 0; i < 400 && confirmed < 3; i++) await sleep(2);
      const killedAt = performance.now();
      server.kill();
      const during = await Promise.all(buyers.slice(20).map(book));
      const outcomes = [...(await first), ...during];
      const unavailable = outcomes.filter((o) => o.status === 503).length;
      expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503).map((o) => `${o.status} ${o.body?.detail}`)).toEqual([]);
      expect(unavailable).toBeGreaterThan(0);

      const answeredAt = performance.now();
      await server.run();
      const restartedAt = performance.now();
      const finals = await Promise.all(outcomes.map((outcome) => settle(api, outcome)));
      const settledAt = performance.now();
      report(
        `[postgres crash] first attempts ${outcomes.length - unavailable}×201, ${unavailable}×503, all answered within ${Math.round(answeredAt - killedAt)} ms of kill -9; ` +
          `the server recovered and started in ${Math.round(restartedAt - answeredAt)} ms; every retry settled ${Math.round(settledAt - restartedAt)} ms later`,
      );
      expect(finals.map((reply) => reply.status)).toEqual(outcomes.map(() => 201));
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 201) expect(finals[i].body.bookingId).toBe(outcome.body.bookingId);
      }
      const ledger = await readLedger(api, showId);
      expect(ledger.problems).toEqual([]);
      expect([...ledger.bookings.keys()].sort()).toEqual(finals.map((reply) => reply.body.bookingId).sort());
    }, 90_000);
  },
);
