import { HoldTimers } from '@app/booking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTopology } from '../../../infra-local/src/redis-topology.js';
import { realBackend } from '../support/backends.js';
import { canRunChaos, EXPECTED_STATUSES, type Outcome, readLedger, runBuyers, settle, sleep } from '../support/chaos.js';
import { Harness } from '../support/harness.js';
import { report } from '../support/report.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';

/**
 * The production Redis topology (master, replica, three sentinels, from docker/redis/) with two
 * API instances on it. The master is killed with SIGKILL while buyers hold and book; Sentinel
 * promotes the replica and every connection (commands, expiry listener, socket.io adapter) must
 * follow it.
 */
describe.skipIf(!canRunChaos)('Redis master killed under load (Sentinel failover)', () => {
  let topology: RedisTopology;
  let api: Harness;
  let other: Harness;

  beforeAll(async () => {
    topology = await RedisTopology.start();
    // A long sweep interval: after the failover, expiry must come from keyspace events.
    api = await Harness.start(realBackend, { REDIS_SENTINELS: topology.sentinelList, HOLD_TTL_SECONDS: '5', SWEEP_INTERVAL_MS: '60000' });
    other = await Harness.alongside(api);
  }, 90_000);

  afterAll(async () => {
    await other?.close();
    await api?.close();
    await topology?.stop();
  });

  it('sells no seat twice, loses no confirmed booking, and writes again through the new master', async () => {
    const { showId, seatIds } = await api.newShow(20, 50);
    const outcomes: Outcome[] = [];
    let killedAt = Infinity;
    let recoveredAt = Infinity;
    const record = (outcome: Outcome) => {
      outcomes.push(outcome);
      if (outcome.path === HOLD && outcome.status === 201 && outcome.sentAt > killedAt) recoveredAt = Math.min(recoveredAt, outcome.at);
    };
    const deadline = performance.now() + 45_000;
    const buyers = runBuyers({
      apis: [api, other],
      seatIds,
      buyers: 40,
      record,
      // Keep going until writes have worked through the new master for two seconds.
      until: () => performance.now() > Math.min(deadline, recoveredAt + 2000),
    });

    await sleep(1500);
    const oldMaster = topology.master.port;
    killedAt = performance.now();
    await topology.master.kill('SIGKILL');
    await buyers;

    const failoverMs = recoveredAt - killedAt;
    const count = (path: string, status: number) => outcomes.filter((o) => o.path === path && o.status === status).length;
    report(
      `[failover] first successful hold sent after the kill answered ${failoverMs.toFixed(0)} ms after kill -9 of the master; ` +
        `${outcomes.length} writes: holds 201×${count(HOLD, 201)} 409×${count(HOLD, 409)} 503×${count(HOLD, 503)}, ` +
        `books 201×${count(BOOK, 201)} 409×${count(BOOK, 409)} 503×${count(BOOK, 503)}`,
    );
    expect(Number.isFinite(failoverMs)).toBe(true);
    expect(await topology.masterPort()).toBe(topology.replica!.port);
    expect(await topology.masterPort()).not.toBe(oldMaster);
    expect(outcomes.filter((o) => !EXPECTED_STATUSES.has(o.status)).map((o) => `${o.path} ${o.status} ${o.body?.detail}`)).toEqual([]);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);

    // Buyers whose booking got a 503 retry it with the same key, as a client would.
    const bookings = outcomes.filter((o) => o.path === BOOK);
    for (const outcome of bookings.filter((o) => o.status === 503)) {
      const reply = await settle(other, outcome);
      expect([201, 409]).toContain(reply.status);
      Object.assign(outcome, { status: reply.status, body: reply.body });
    }

    const confirmed = bookings.filter((o) => o.status === 201);
    const ledger = await readLedger(api, showId);
    expect(ledger.problems).toEqual([]);
    // Every 201 is in the database with exactly its seats, and nothing is there that nobody was told about.
    for (const booking of confirmed) expect(ledger.bookings.get(booking.body.bookingId)?.sort()).toEqual([...booking.seatIds].sort());
    expect([...ledger.bookings.keys()].sort()).toEqual(confirmed.map((o) => o.body.bookingId).sort());
    // No seat in two confirmed bookings.
    const sold = confirmed.flatMap((o) => o.seatIds);
    expect(new Set(sold).size).toBe(sold.length);
  }, 120_000);

  it('pushes changes across instances and releases expiring holds through the new master', async () => {
    const { showId, seatIds } = await api.newShow(1, 4);
    const watcher = await other.seatsClient();
    await watcher.subscribe(showId);

    // Without the granting instance's timers and with the sweeper once a minute, only a keyspace
    // event can free the seat in time: proof that the listener re-subscribed on the promoted
    // replica, whose own config file enables the events.
    for (const instance of [api, other]) instance.app.get(HoldTimers).stop();
    const hold = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'after-failover' });
    expect(hold.status).toBe(201);
    await watcher.waitFor(seatIds[0]!, 'HELD');
    const releasedAt = await watcher.waitFor(seatIds[0]!, 'AVAILABLE', 30_000);
    const expiresAt = Date.parse(hold.body.expiresAt);
    // Redis finds expired keys by sampling; with the thousands of cached responses the load left
    // behind, the event can take seconds (hence the timers as the precise path).
    report(`[failover] keyspace expiry event on the new master freed the seat ${releasedAt - expiresAt} ms after expiresAt`);
    expect(releasedAt - expiresAt).toBeLessThan(30_000);
  }, 60_000);
});
