import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, realBackend } from '../support/backends.js';
import { type Outcome, readLedger, send, settle, sleep } from '../support/chaos.js';
import { Harness } from '../support/harness.js';
import { report } from '../support/report.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';

/**
 * The service's PostgreSQL connections are terminated over and over (`pg_terminate_backend`, as
 * a database restart or failover would) while buyers confirm their bookings.
 */
describe.skipIf(!realBackend.available)('PostgreSQL connections lost in the middle of bookings', () => {
  let api: Harness;
  let admin: pg.Client;

  beforeAll(async () => {
    api = await Harness.start(realBackend);
    admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await api?.close();
  });

  it('answers 503 rather than half-writing, and retries with the same key settle on one booking each', async () => {
    const { showId, seatIds } = await api.newShow(4, 10);
    const buyers = seatIds.map((seatId, i) => ({ seatIds: [seatId], userId: `buyer-${i}` }));
    const holds = await Promise.all(buyers.map((buyer) => api.post(HOLD, buyer)));
    expect(holds.map((hold) => hold.status)).toEqual(buyers.map(() => 201));

    const database = new URL((api.config.database as { url: string }).url).pathname.slice(1);
    let terminated = 0;
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        const { rows } = await admin.query(
          'select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        );
        terminated += rows[0].n;
        await sleep(40);
      }
    })();

    // Three waves, so some requests meet a pool that is being refilled.
    const outcomes: Outcome[] = [];
    for (let wave = 0; wave < 3; wave++) {
      const batch = buyers.filter((_, i) => i % 3 === wave);
      outcomes.push(...(await Promise.all(batch.map((buyer) => send(api, BOOK, buyer)))));
      await sleep(20);
    }
    stop = true;
    await killer;

    const unavailable = outcomes.filter((o) => o.status === 503).length;
    report(
      `[postgres loss] ${terminated} connections terminated; first attempts: ${outcomes.length - unavailable}×201, ${unavailable}×503`,
    );
    expect(terminated).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 503).map((o) => `${o.status} ${o.body?.detail}`)).toEqual([]);

    // Every buyer retries with the same key until the answer is final.
    const finals = await Promise.all(outcomes.map((outcome) => settle(api, outcome)));
    expect(finals.map((reply) => reply.status)).toEqual(outcomes.map(() => 201));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 201) expect(finals[i].body.bookingId).toBe(outcome.body.bookingId);
    }

    const ledger = await readLedger(api, showId);
    expect(ledger.problems).toEqual([]);
    expect([...ledger.bookings.keys()].sort()).toEqual(finals.map((reply) => reply.body.bookingId).sort());
    for (const [i, reply] of finals.entries()) expect(ledger.bookings.get(reply.body.bookingId)).toEqual(outcomes[i].seatIds);
  });
});
