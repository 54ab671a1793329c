import BetterSqlite3 from 'better-sqlite3';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, realBackend } from './support/backends.js';
import { Harness } from './support/harness.js';
import { loadConfig } from '@app/config';

const DRIZZLE = fileURLToPath(new URL('../../../libs/db/drizzle/', import.meta.url));

/** A copy of a dialect's migrations holding only the first (the schema of the first release). */
function firstMigrationOnly(dialect: 'pg' | 'sqlite', dir: string): string {
  const folder = join(dir, dialect);
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(DRIZZLE, dialect, 'meta/_journal.json'), 'utf8'));
  const first = journal.entries[0];
  cpSync(join(DRIZZLE, dialect, `${first.tag}.sql`), join(folder, `${first.tag}.sql`));
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: [first] }));
  return folder;
}

/**
 * What the first release wrote: its two demo shows (seat ids `<show>-<label>`), a hold, and a
 * booking, in that release's schema, with that release's SQL.
 */
const OLD_DATA = (instant: (iso: string) => string) => [
  `insert into shows (id, title, venue, starts_at) values ('neon-nights', 'Neon Nights: Live in Concert', 'Harbour Arena', ${instant('2027-03-14T19:30:00Z')})`,
  `insert into shows (id, title, venue, starts_at) values ('last-orbit', 'The Last Orbit (IMAX premiere)', 'Grand Cinema, Screen 1', ${instant('2027-02-05T20:00:00Z')})`,
  ...['neon-nights', 'last-orbit'].flatMap((show) =>
    ['A', 'B'].flatMap((row) =>
      [1, 2, 3].map(
        (n) => `insert into seats (id, show_id, label, row, number) values ('${show}-${row}${n}', '${show}', '${row}${n}', '${row}', ${n})`,
      ),
    ),
  ),
  `insert into bookings (id, user_id, show_id, created_at) values ('old-booking', 'alice', 'neon-nights', ${instant('2026-11-01T10:00:00Z')})`,
  `update seats set status = 'BOOKED', hold_owner = 'alice', booking_id = 'old-booking', hold_version = 1 where id in ('neon-nights-A1', 'neon-nights-A2')`,
  `insert into booking_seats (seat_id, booking_id) values ('neon-nights-A1', 'old-booking'), ('neon-nights-A2', 'old-booking')`,
  `insert into idempotency_records (user_id, key, fingerprint, status_code, body, created_at) values ('alice', 'k1', 'f', 201, '{}', ${instant('2026-11-01T10:00:00Z')})`,
  // A hold that lapsed while the old release was stopped, and one that lasts: the sweeper of the
  // new release (which finds lapsed holds through hold_expiries) must release the first only.
  `update seats set status = 'HELD', hold_owner = 'carol', hold_id = 'old-hold', hold_expires_at = ${instant('2026-11-01T10:00:00Z')}, hold_version = 1 where id = 'last-orbit-B1'`,
  `update seats set status = 'HELD', hold_owner = 'carol', hold_id = 'old-hold', hold_expires_at = ${instant('2099-01-01T00:00:00Z')}, hold_version = 1 where id = 'last-orbit-B2'`,
];

/** Against the service started on the migrated database: every old fact is still there and works. */
async function expectOldDataServed(api: Harness): Promise<void> {
  const shows = (await api.get('/api/seats/shows')).body;
  expect(shows.map((show: { id: string }) => show.id).sort()).toEqual(['last-orbit', 'neon-nights']);
  const neon = shows.find((show: { id: string }) => show.id === 'neon-nights');
  expect(neon).toMatchObject({
    title: 'Neon Nights: Live in Concert',
    startsAt: '2027-03-14T19:30:00.000Z',
    salesCloseAt: '2027-03-14T19:30:00.000Z',
    limits: { perOrder: 50, perCustomer: null },
    totalSeats: 6,
    availableSeats: 4,
  });
  const map = (await api.get('/api/seats/neon-nights')).body;
  expect(map.seats.map((seat: { id: string }) => seat.id)).toEqual(
    ['A1', 'A2', 'A3', 'B1', 'B2', 'B3'].map((label) => `neon-nights-${label}`),
  );
  expect(map.seats[0]).toMatchObject({ label: 'A1', section: null, category: null, status: 'BOOKED' });
  expect(map.sections).toEqual([]);

  const booking = await api.get('/api/bookings/old-booking');
  expect(booking.status).toBe(200);
  expect(booking.body).toMatchObject({
    bookingId: 'old-booking',
    userId: 'alice',
    status: 'CONFIRMED',
    createdAt: '2026-11-01T10:00:00.000Z',
    seatIds: ['neon-nights-A1', 'neon-nights-A2'],
    seats: [
      { seatId: 'neon-nights-A1', label: 'A1', price: null },
      { seatId: 'neon-nights-A2', label: 'A2', price: null },
    ],
    total: null,
  });
  // Still on sale, still sold once only.
  expect((await api.post('/api/seats/hold-bulk', { seatIds: ['neon-nights-A1'], userId: 'bob' })).status).toBe(409);
  expect((await api.post('/api/seats/hold-bulk', { seatIds: ['neon-nights-A3'], userId: 'bob' })).status).toBe(201);
  expect((await api.post(`/api/bookings/old-booking/cancel`, { userId: 'alice', seatIds: ['neon-nights-A2'] })).status).toBe(200);
  expect((await api.post('/api/seats/hold-bulk', { seatIds: ['neon-nights-A2'], userId: 'bob' })).status).toBe(201);

  const { seats } = api.database.tables;
  const statusOf = async (id: string) =>
    (await api.database.read((db) => db.select({ status: seats.status }).from(seats).where(eq(seats.id, id))))[0]?.status;
  const deadline = Date.now() + 10_000;
  while ((await statusOf('last-orbit-B1')) !== 'AVAILABLE' && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await statusOf('last-orbit-B1')).toBe('AVAILABLE');
  expect(await statusOf('last-orbit-B2')).toBe('HELD');
}

describe('upgrading a database created by the first release', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seat-migration-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the demo shows, seats and bookings of a SQLite file', async () => {
    const path = join(dir, 'old.sqlite');
    const connection = new BetterSqlite3(path);
    migrateSqlite(drizzleSqlite(connection), { migrationsFolder: firstMigrationOnly('sqlite', dir) });
    for (const statement of OLD_DATA((iso) => String(Date.parse(iso)))) connection.exec(statement);
    connection.close();

    const api = await Harness.start({
      name: 'dev',
      available: true,
      provision: async () => ({ config: loadConfig({ SQLITE_PATH: path, LOG_LEVEL: 'warn' }), cleanup: async () => undefined }),
    });
    try {
      await expectOldDataServed(api);
    } finally {
      await api.close();
    }
  });

  it.skipIf(!realBackend.available)('keeps the demo shows, seats and bookings of a PostgreSQL database', async () => {
    const name = `seat_migration_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    try {
      const pool = new pg.Pool({ connectionString: url.toString() });
      await migratePg(drizzlePg(pool), { migrationsFolder: firstMigrationOnly('pg', dir) });
      for (const statement of OLD_DATA((iso) => `timestamptz '${iso}'`)) await pool.query(statement);
      await pool.end();

      const api = await Harness.start(realBackend, { DATABASE_URL: url.toString(), SEED_DEMO: 'true' });
      try {
        await expectOldDataServed(api);
      } finally {
        await api.close();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
