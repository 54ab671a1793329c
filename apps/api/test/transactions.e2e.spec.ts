import { PostgresDatabase } from '@app/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realBackend, testDatabase } from './support/backends.js';

/** What the first statement of a transaction sees of it: its isolation level and transaction id. */
const WHERE_AM_I = {
  name: 'test_where_am_i',
  text: "select current_setting('transaction_isolation') as isolation, txid_current()::text as txid, $1::int as echo",
};
/** Fails when run (not when parsed) for a zero. */
const DIVIDE = { name: 'test_divide', text: 'select 10 / $1::int as quotient' };
const INSERT = { name: 'test_insert', text: 'insert into transaction_probe (n) values ($1) returning n' };

/**
 * A transaction's BEGIN goes with its first statement (one write; for a named statement one round
 * trip): what runs must still be exactly the transaction asked for, on every path.
 */
describe.skipIf(!realBackend.available)('PostgreSQL transactions, BEGIN sent with the first statement', () => {
  let database: PostgresDatabase;
  let drop: () => Promise<void>;
  let url: string;

  beforeAll(async () => {
    const created = await testDatabase();
    ({ url, drop } = created);
    // One pooled connection: every transaction below runs on the same one, after the others.
    database = PostgresDatabase.connect(url, 1);
    await database.read((db) => db.execute(sql`create table transaction_probe (n int primary key)`));
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const probeRows = async () =>
    (
      (await database.read((db) => db.execute(sql`select n from transaction_probe order by n`))) as unknown as { rows: { n: number }[] }
    ).rows.map((row) => row.n);

  /** Connections left inside a transaction (none should be, whatever failed). */
  const openTransactions = async () =>
    (
      (await database.read((db) =>
        db.execute(sql`select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%'`),
      )) as unknown as { rows: { n: number }[] }
    ).rows[0].n;

  it('runs a named first statement inside the transaction, at its isolation level, and answers its own rows', async () => {
    for (const serializable of [true, false]) {
      const [row] = await database.transaction(
        (tx) => database.executeNamed<{ isolation: string; txid: string; echo: number }>(tx, WHERE_AM_I, [7]),
        {
          serializable,
        },
      );
      expect(row).toMatchObject({ isolation: serializable ? 'serializable' : 'read committed', echo: 7 });
      // The same transaction id for a second statement: both ran in one transaction.
      const [first, second] = await database.transaction(async (tx) => [
        (await database.executeNamed<{ txid: string }>(tx, WHERE_AM_I, [1]))[0].txid,
        ((await tx.execute(sql`select txid_current()::text as txid`)) as unknown as { rows: { txid: string }[] }).rows[0].txid,
      ]);
      expect(second).toBe(first);
    }
  });

  it('sends BEGIN before a first statement rendered by drizzle', async () => {
    const isolation = await database.transaction(
      async (tx) =>
        ((await tx.execute(sql`select current_setting('transaction_isolation') as i`)) as unknown as { rows: { i: string }[] }).rows[0].i,
      { serializable: true },
    );
    expect(isolation).toBe('serializable');
  });

  it('rolls back everything when a later statement fails, and keeps the connection usable', async () => {
    await expect(
      database.transaction(async (tx) => {
        await database.executeNamed(tx, INSERT, [1]);
        await database.executeNamed(tx, DIVIDE, [0]);
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect(await probeRows()).toEqual([]);
    // The same named statements, on the same (only) connection, work again.
    await database.transaction(async (tx) => {
      await database.executeNamed(tx, INSERT, [2]);
      expect(await database.executeNamed(tx, DIVIDE, [5])).toEqual([{ quotient: 2 }]);
    });
    expect(await probeRows()).toEqual([2]);
  });

  it('reports a failing first statement, rolls it back, and prepares it again afterwards', async () => {
    // The statement's first use on this connection fails when run: its Parse was sent with BEGIN.
    const FIRST_USE = { name: 'test_first_use', text: 'select 10 / $1::int as quotient' };
    await expect(database.transaction((tx) => database.executeNamed(tx, FIRST_USE, [0]))).rejects.toMatchObject({ code: '22012' });
    expect(await database.transaction((tx) => database.executeNamed(tx, FIRST_USE, [2]))).toEqual([{ quotient: 5 }]);
    // A statement that cannot even be parsed: an error, and the next transaction is unaffected.
    const BROKEN = { name: 'test_broken', text: 'select from where' };
    await expect(database.transaction((tx) => database.executeNamed(tx, BROKEN, []))).rejects.toMatchObject({ code: '42601' });
    await expect(database.transaction((tx) => database.executeNamed(tx, BROKEN, []))).rejects.toMatchObject({ code: '42601' });
    expect(await database.transaction((tx) => database.executeNamed(tx, DIVIDE, [10]))).toEqual([{ quotient: 1 }]);
  });

  it('rolls back when the work throws after its first statement, and commits nothing when it sent none', async () => {
    await expect(
      database.transaction(async (tx) => {
        await database.executeNamed(tx, INSERT, [3]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await database.transaction(() => Promise.resolve('nothing sent'))).toBe('nothing sent');
    await expect(database.transaction(() => Promise.reject(new Error('before any statement')))).rejects.toThrow('before any statement');
    expect(await probeRows()).toEqual([2]);
    // No transaction was left open on the connection by any of them.
    expect(await openTransactions()).toBe(0);
  });

  it('sends BEGIN and a named first statement in one write: a transaction of one statement is two writes', async () => {
    // The pool's only connection, its socket's flushes counted (corked messages leave in one).
    const client = await database.pool.connect();
    const socket = (client as unknown as { connection: { stream: Record<'_write' | '_writev', (...args: unknown[]) => void> } }).connection
      .stream;
    let flushes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method].bind(socket);
      socket[method] = (...args: unknown[]) => {
        flushes++;
        original(...args);
      };
    }
    client.release();
    await database.transaction((tx) => database.executeNamed(tx, WHERE_AM_I, [1]), { serializable: true });
    expect(flushes).toBe(2); // BEGIN with the statement, then COMMIT
    flushes = 0;
    await database.transaction(async (tx) => {
      await database.executeNamed(tx, INSERT, [4]);
      await database.executeNamed(tx, DIVIDE, [2]);
    });
    expect(flushes).toBe(3);
    expect(await probeRows()).toEqual([2, 4]);

    // A statement left for the COMMIT travels with it: BEGIN and the first statement, then it and COMMIT.
    flushes = 0;
    await database.transaction(async (tx) => {
      await database.executeNamed(tx, INSERT, [5]);
      await database.executeNamedAtCommit(tx, INSERT, [6]);
    });
    expect(flushes).toBe(2);
    expect(await probeRows()).toEqual([2, 4, 5, 6]);

    // BEGIN goes with a first statement rendered by drizzle too (an unnamed one).
    flushes = 0;
    const [row] = await database.transaction(
      async (tx) =>
        (
          (await tx.execute(sql`select current_setting('transaction_isolation') as i, ${3}::int as n`)) as unknown as {
            rows: { i: string; n: number }[];
          }
        ).rows,
      { serializable: true },
    );
    expect(row).toEqual({ i: 'serializable', n: 3 });
    expect(flushes).toBe(2);
  });

  it('commits a statement left for the COMMIT only with the transaction, and a failing one fails it', async () => {
    await database.read((db) => db.execute(sql`delete from transaction_probe`));
    // Its failure (a duplicate key) fails the commit: nothing of the transaction stays.
    await expect(
      database.transaction(async (tx) => {
        await database.executeNamed(tx, INSERT, [10]);
        await database.executeNamedAtCommit(tx, INSERT, [10]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await probeRows()).toEqual([]);
    // Work that fails after leaving it: neither is committed.
    await expect(
      database.transaction(async (tx) => {
        await database.executeNamed(tx, INSERT, [11]);
        await database.executeNamedAtCommit(tx, INSERT, [12]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await probeRows()).toEqual([]);
    // Left by a transaction that sent nothing else, or two of them: each runs, all in the transaction.
    await database.transaction((tx) => database.executeNamedAtCommit(tx, INSERT, [13]));
    await database.transaction(async (tx) => {
      await database.executeNamedAtCommit(tx, INSERT, [14]);
      await database.executeNamedAtCommit(tx, INSERT, [15]);
    });
    await expect(
      database.transaction(async (tx) => {
        await database.executeNamedAtCommit(tx, INSERT, [16]);
        await database.executeNamedAtCommit(tx, INSERT, [13]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // Outside a transaction it runs at once.
    await database.read((db) => database.executeNamedAtCommit(db, INSERT, [17]));
    expect(await probeRows()).toEqual([13, 14, 15, 17]);
    expect(await openTransactions()).toBe(0);
  });
});
