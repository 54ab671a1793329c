import { DependencyUnavailableError } from '@app/common';
import { PostgresDatabase } from '@app/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realBackend, testDatabase } from './support/backends.js';

/**
 * Seat maps are built on connections of their own: when buyers hold every pooled connection, the
 * fans' map reads still get one, while other requests wait for the pool (and answer 503 after 2 s).
 */
describe.skipIf(!realBackend.available)('PostgreSQL connections for seat maps', () => {
  let database: PostgresDatabase;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await testDatabase();
    drop = created.drop;
    database = PostgresDatabase.connect(created.url, 1);
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('serves a map read while a transaction holds the only pooled connection', async () => {
    let started!: () => void;
    const busy = new Promise<void>((resolve) => (started = resolve));
    const buyer = database.transaction(async (tx) => {
      started();
      await tx.execute(sql`select pg_sleep(4)`);
    });
    await busy;

    const mapStarted = performance.now();
    const answer = await database.readForMaps((db) => db.execute(sql`select 42 as answer`));
    const mapMs = performance.now() - mapStarted;
    expect((answer as unknown as { rows: { answer: number }[] }).rows[0].answer).toBe(42);
    // Not after the buyer: it still holds the only pooled connection for seconds.
    expect(mapMs).toBeLessThan(2000);

    // Any other read waits for the pool, and gives up when no connection came free in time.
    await expect(database.read((db) => db.execute(sql`select 1`))).rejects.toBeInstanceOf(DependencyUnavailableError);
    await buyer;
  }, 20_000);
});
