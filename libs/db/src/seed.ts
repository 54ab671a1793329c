import { count } from 'drizzle-orm';
import type { Database } from './database.js';

export interface ShowSpec {
  id: string;
  title: string;
  venue: string;
  startsAt: Date;
  /** Row letters from `A`, each with `seatsPerRow` seats labelled `A1`, `A2`, … */
  rows: number;
  seatsPerRow: number;
}

export const DEMO_SHOWS: ShowSpec[] = [
  {
    id: 'neon-nights',
    title: 'Neon Nights: Live in Concert',
    venue: 'Harbour Arena',
    startsAt: new Date('2027-03-14T19:30:00Z'),
    rows: 10,
    seatsPerRow: 15,
  },
  {
    id: 'last-orbit',
    title: 'The Last Orbit (IMAX premiere)',
    venue: 'Grand Cinema, Screen 1',
    startsAt: new Date('2027-02-05T20:00:00Z'),
    rows: 8,
    seatsPerRow: 14,
  },
];

export const seatId = (showId: string, label: string) => `${showId}-${label}`;

/** Inserts one show and its seats. Seat ids are `<showId>-<label>`, e.g. `neon-nights-A1`. */
export async function createShow(database: Database, show: ShowSpec): Promise<void> {
  const { shows, seats } = database.tables;
  const rows = Array.from({ length: show.rows }, (_, r) => String.fromCharCode(65 + r));
  const seatRows = rows.flatMap((row) =>
    Array.from({ length: show.seatsPerRow }, (_, i) => {
      const label = `${row}${i + 1}`;
      return { id: seatId(show.id, label), showId: show.id, label, row, number: i + 1 };
    }),
  );
  await database.transaction(async (tx) => {
    await tx.insert(shows).values({ id: show.id, title: show.title, venue: show.venue, startsAt: show.startsAt });
    for (let i = 0; i < seatRows.length; i += 500) await tx.insert(seats).values(seatRows.slice(i, i + 500));
  });
}

/** Creates the demo shows if the database has no show at all. */
export async function seedDemoShows(database: Database): Promise<boolean> {
  const [{ shows }] = await database.read((db) => db.select({ shows: count() }).from(database.tables.shows));
  if (shows > 0) return false;
  for (const show of DEMO_SHOWS) await createShow(database, show);
  return true;
}
