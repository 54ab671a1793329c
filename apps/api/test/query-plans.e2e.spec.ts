import { BookingRepository, HoldRepository } from '@app/booking';
import { createShow, type Db, openDatabase, type PostgresDatabase } from '@app/db';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { realBackend } from './support/backends.js';

/**
 * The hot statements of a hold, a booking, a release, an expiry and a cancellation reach seats by
 * primary key, so their cost does not grow with the number of seats held elsewhere. EXPLAIN (no
 * execution) of each, with statistics gathered on a full table with 20,000 live holds; on a freshly
 * analysed empty table the planner rightly prefers a sequential scan of its one page, but never
 * another index. The hold and the booking run as named prepared statements, which PostgreSQL may run
 * with a generic plan (one for any parameters): their generic plans are checked too.
 */
describe.skipIf(!realBackend.available)('query plans of the write path', () => {
  let database: PostgresDatabase;
  let holds: HoldRepository;
  let bookings: BookingRepository;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const provisioned = await realBackend.provision({ SEED_DEMO: 'false' });
    cleanup = provisioned.cleanup;
    database = (await openDatabase(provisioned.config, new Logger('test'))) as PostgresDatabase;
    holds = new HoldRepository(database);
    bookings = new BookingRepository(database);
  });
  afterAll(async () => {
    await database?.close();
    await cleanup?.();
  });

  const ids = ['plan-A1', 'plan-A2'];
  type Query = { sql: string; params: unknown[]; generic?: boolean };
  /** Every scan of `seats` in the plan, with the index it uses (undefined: none). */
  async function seatScans(statement: { toSQL(): Query } | Query): Promise<{ node: string; index?: string }[]> {
    const { sql, params, generic } = 'toSQL' in statement ? statement.toSQL() : statement;
    const plan = generic
      ? await genericPlan(sql, params)
      : (await database.pool.query(`explain (format json) ${sql}`, params)).rows[0]['QUERY PLAN'][0].Plan;
    const scans: { node: string; index?: string }[] = [];
    const walk = (plan: any) => {
      if (plan['Relation Name'] === 'seats' && /Scan/.test(plan['Node Type']))
        scans.push({ node: plan['Node Type'], index: plan['Index Name'] });
      for (const child of plan.Plans ?? []) walk(child);
    };
    walk(plan);
    return scans;
  }

  /** The plan of `sql` prepared and forced generic, as a named statement may run after a few calls. */
  async function genericPlan(sql: string, params: unknown[]): Promise<any> {
    const client = await database.pool.connect();
    try {
      await client.query('set plan_cache_mode = force_generic_plan');
      await client.query(`prepare probe as ${sql}`);
      // EXECUTE takes its arguments as literals (a utility statement has no parameters).
      const literal = (value: unknown) =>
        client.escapeLiteral(Array.isArray(value) ? `{${value.map((item) => JSON.stringify(item)).join(',')}}` : String(value));
      const { rows } = await client.query(`explain (format json) execute probe(${params.map(literal).join(', ')})`);
      return rows[0]['QUERY PLAN'][0].Plan;
    } finally {
      await client.query('deallocate all; reset plan_cache_mode');
      client.release();
    }
  }

  /**
   * The named statement a repository method sends (it is not run; its answer is empty), once as
   * planned for its parameters and once generic.
   */
  async function sent(run: (db: Db) => Promise<unknown>): Promise<Query[]> {
    let query: Query | undefined;
    const spy = vi.spyOn(database, 'executeNamed').mockImplementationOnce(async (_db, statement, values) => {
      query = { sql: statement.text, params: values };
      return [{ rules: null, kept: [], claimed: [] }] as never[];
    });
    try {
      await run(database.db);
    } finally {
      spy.mockRestore();
    }
    return [query!, { ...query!, generic: true }];
  }

  // Query builders (with toSQL) and the named statements sent by `executeNamed`.
  const statements = async (): Promise<Record<string, any>> => {
    const [hold, holdGeneric] = await sent((db) =>
      holds.holdAtOnce(db, { showId: 'plan', seatIds: ids, userId: 'u', holdId: 'h', ttlMs: 60_000 }),
    );
    const [sell, sellGeneric] = await sent((db) =>
      bookings.sell(db, { seatIds: ids, userId: 'u', bookingId: 'b', showId: 'plan', messageId: 'm' }),
    );
    return {
      'hold: in one statement (rules, own holds, claim)': hold,
      'hold: in one statement, generic plan': holdGeneric,
      'hold: the seats this user holds': holds.liveHoldsOf(database.db, ids, 'u'),
      'hold: claim free or lapsed seats': holds.claimStatement(database.db, { seatIds: ids, userId: 'u', holdId: 'h', ttlMs: 60_000 }),
      'book: sell held seats, with booking and lines, in one statement': sell,
      'book: in one statement, generic plan': sellGeneric,
      'hold/book/release: why refused': holds.states(database.db, ids),
      'release: give back held seats': holds.releaseStatement(database.db, ids, 'u'),
      'expiry: release these lapsed seats': holds.releaseLapsedStatement(database.db, ids),
      'cancellation: free the seats of the booking': bookings.freeStatement(database.db, 'b', ids),
    };
  };

  /** Every statement scans `seats`, and only through `allowed` (a sequential scan when `seqScan`). */
  async function expectScans(allowed: { seqScan: boolean }): Promise<void> {
    for (const [what, statement] of Object.entries(await statements())) {
      const scans = await seatScans(statement);
      expect(scans.length, what).toBeGreaterThan(0);
      for (const scan of scans) {
        if (allowed.seqScan && scan.node === 'Seq Scan') continue;
        expect(scan, what).toMatchObject({ index: 'seats_pkey' });
      }
    }
  }

  it('never uses another index than the primary key on a freshly analysed empty table', async () => {
    await database.pool.query('analyze seats');
    await expectScans({ seqScan: true });
  });

  it('uses the primary key with 100,000 seats of which 20,000 are held', async () => {
    await createShow(database, { id: 'plan', title: 'Plans', venue: 'Hall', startsAt: new Date(), rows: 250, seatsPerRow: 400 });
    await database.pool.query(
      `update seats set status = 'HELD', hold_owner = 'someone', hold_expires_at = now() + interval '10 minutes'
        where id in (select id from seats order by random() limit 20000)`,
    );
    await database.pool.query('analyze seats');
    await expectScans({ seqScan: false });
  }, 60_000);
});
