import { count } from './drizzle.js';
import type { Database } from './database.js';

export interface Price {
  /** Minor units (cents). */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
}

export interface LayoutRow {
  label: string;
  /** A count (seat labels `1`…`n`) or the seat labels in order. */
  seats: number | string[];
  category?: string | null;
}

export interface LayoutSection {
  key: string;
  label: string;
  rows: LayoutRow[];
}

/** A general-admission area: a standing floor of `capacity` places, sold by quantity. */
export interface LayoutArea {
  key: string;
  label: string;
  category: string | null;
  capacity: number;
}

/** A show as it is stored: already validated (see `@app/catalogue` for the rules). */
export interface ShowLayout {
  id: string;
  title: string;
  venue: string;
  startsAt: Date;
  salesOpenAt: Date;
  salesCloseAt: Date;
  perOrder: number;
  perCustomer: number | null;
  categories: { key: string; label: string; price: Price | null }[];
  sections: LayoutSection[];
  /** General-admission areas; their places follow the seats in layout order. */
  areas?: LayoutArea[];
}

/** How a seat's id is made from its place in the layout. */
export type SeatIdScheme = (showId: string, section: string, row: string, seat: string) => string;

/**
 * Seat ids of created shows: `<show>_<section>_<row>_<seat>`, e.g. `neon-nights-2027_floor_AA_2A`.
 * No part may contain `_` (show ids and section keys are `[a-z0-9-]`, labels letters, digits, `-`
 * and `.`), so an id names exactly one seat of one show, across all shows, and stays readable.
 */
export const seatIdOf: SeatIdScheme = (showId, section, row, seat) => `${showId}_${section}_${row}_${seat}`;

/** The demo shows' ids, as they have always been: `<show>-<row><seat>` (`neon-nights-A1`). */
export const legacySeatId: SeatIdScheme = (showId, _section, row, seat) => `${showId}-${row}${seat}`;

export interface SeatRow {
  id: string;
  showId: string;
  label: string;
  row: string;
  number: number;
  section: string;
  category: string | null;
  position: number;
}

/**
 * A place of a general-admission area: `<show>_<area>_<n>`. Seat ids have one part more, and area
 * keys are unique across sections and areas, so a place id never names a seat.
 */
export const placeIdOf = (showId: string, area: string, n: number): string => `${showId}_${area}_${n}`;

/**
 * Every seat of the layout, in layout order: sections as given, rows as given, seats by number;
 * then the places of each area (row `""`, label and number `1`…`capacity`).
 */
export function expandSeats(layout: ShowLayout, idOf: SeatIdScheme = seatIdOf): SeatRow[] {
  const seats: SeatRow[] = [];
  for (const section of layout.sections) {
    for (const row of section.rows) {
      const labels = typeof row.seats === 'number' ? Array.from({ length: row.seats }, (_, i) => String(i + 1)) : row.seats;
      labels.forEach((seat, i) =>
        seats.push({
          id: idOf(layout.id, section.key, row.label, seat),
          showId: layout.id,
          label: `${row.label}${seat}`,
          row: row.label,
          number: i + 1,
          section: section.key,
          category: row.category ?? null,
          position: seats.length + 1,
        }),
      );
    }
  }
  for (const area of layout.areas ?? []) {
    for (let n = 1; n <= area.capacity; n++) {
      seats.push({
        id: placeIdOf(layout.id, area.key, n),
        showId: layout.id,
        label: String(n),
        row: '',
        number: n,
        section: area.key,
        category: area.category,
        position: seats.length + 1,
      });
    }
  }
  return seats;
}

/** Rows per INSERT: 8 columns × 3,000 stays under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const BATCH = 3000;

/** Writes a show, its sections, categories and seats in one transaction, with batched inserts. */
export async function writeShow(database: Database, layout: ShowLayout, idOf: SeatIdScheme = seatIdOf): Promise<SeatRow[]> {
  const { shows, sections, categories, seats } = database.tables;
  const seatRows = expandSeats(layout, idOf);
  await database.transaction(async (tx) => {
    const { id, title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer } = layout;
    await tx.insert(shows).values({ id, title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer });
    const parts = [
      ...layout.sections.map((section) => ({ key: section.key, label: section.label, capacity: null, category: null })),
      ...(layout.areas ?? []).map(({ key, label, capacity, category }) => ({ key, label, capacity, category })),
    ];
    if (parts.length > 0) await tx.insert(sections).values(parts.map((part, i) => ({ showId: id, ...part, position: i + 1 })));
    if (layout.categories.length > 0) {
      await tx.insert(categories).values(
        layout.categories.map((category, i) => ({
          showId: id,
          key: category.key,
          label: category.label,
          priceAmount: category.price?.amount ?? null,
          priceCurrency: category.price?.currency ?? null,
          position: i + 1,
        })),
      );
    }
    for (let i = 0; i < seatRows.length; i += BATCH) await tx.insert(seats).values(seatRows.slice(i, i + BATCH));
  });
  return seatRows;
}

/** A plain show for tests and benchmarks: rows `A`, `B`, … of `seatsPerRow` seats, ids like `<show>-A1`. */
export interface SimpleShow {
  id: string;
  title: string;
  venue: string;
  startsAt: Date;
  rows: number;
  seatsPerRow: number;
}

/** Row labels `A`…`Z`, then `AA`, `AB`, … */
export function rowLabel(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : rowLabel(Math.floor(index / 26) - 1) + String.fromCharCode(65 + (index % 26));
}

export async function createShow(database: Database, show: SimpleShow): Promise<void> {
  await writeShow(
    database,
    {
      ...show,
      salesOpenAt: new Date(0),
      salesCloseAt: new Date('9999-01-01T00:00:00Z'),
      perOrder: 50,
      perCustomer: null,
      categories: [],
      sections: [
        {
          key: 'main',
          label: 'Main',
          rows: Array.from({ length: show.rows }, (_, r) => ({ label: rowLabel(r), seats: show.seatsPerRow })),
        },
      ],
    },
    legacySeatId,
  );
}

const rows = (from: string, to: string, seats: number, category: string): LayoutRow[] =>
  Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, i) => ({
    label: String.fromCharCode(from.charCodeAt(0) + i),
    seats,
    category,
  }));

/** Always on sale in dev mode: the window runs from the epoch to the show. */
export const DEMO_SHOWS: ShowLayout[] = [
  {
    id: 'neon-nights',
    title: 'Neon Nights: Live in Concert',
    venue: 'Harbour Arena',
    startsAt: new Date('2027-03-14T19:30:00Z'),
    salesOpenAt: new Date(0),
    salesCloseAt: new Date('2027-03-14T19:30:00Z'),
    perOrder: 8,
    perCustomer: null,
    categories: [
      { key: 'premium', label: 'Premium', price: { amount: 8900, currency: 'EUR' } },
      { key: 'standard', label: 'Standard', price: { amount: 5900, currency: 'EUR' } },
      { key: 'balcony', label: 'Balcony', price: { amount: 3900, currency: 'EUR' } },
    ],
    sections: [
      { key: 'floor', label: 'Floor', rows: [...rows('A', 'C', 15, 'premium'), ...rows('D', 'F', 15, 'standard')] },
      { key: 'balcony', label: 'Balcony', rows: rows('G', 'J', 15, 'balcony') },
    ],
  },
  {
    id: 'last-orbit',
    title: 'The Last Orbit (IMAX premiere)',
    venue: 'Grand Cinema, Screen 1',
    startsAt: new Date('2027-02-05T20:00:00Z'),
    salesOpenAt: new Date(0),
    salesCloseAt: new Date('2027-02-05T20:00:00Z'),
    perOrder: 10,
    perCustomer: null,
    categories: [
      { key: 'standard', label: 'Standard', price: { amount: 1450, currency: 'EUR' } },
      { key: 'recliner', label: 'Recliner', price: { amount: 2200, currency: 'EUR' } },
    ],
    sections: [{ key: 'screen-1', label: 'Screen 1', rows: [...rows('A', 'F', 14, 'standard'), ...rows('G', 'H', 14, 'recliner')] }],
  },
];

/** Creates the demo shows if the database has no show at all. Their seat ids are the legacy ones. */
export async function seedDemoShows(database: Database): Promise<boolean> {
  const [{ shows }] = await database.read((db) => db.select({ shows: count() }).from(database.tables.shows));
  if (shows > 0) return false;
  for (const show of DEMO_SHOWS) await writeShow(database, show, legacySeatId);
  return true;
}
