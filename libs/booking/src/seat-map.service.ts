import { Database, type Price } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { ShowNotFoundError } from './booking.errors.js';
import { type SeatStatus, SeatRepository } from './seat.repository.js';

export interface ShowSummary {
  id: string;
  title: string;
  venue: string;
  startsAt: string;
  salesOpenAt: string;
  salesCloseAt: string;
  limits: { perOrder: number; perCustomer: number | null };
  totalSeats: number;
  availableSeats: number;
}

export interface SeatView {
  id: string;
  label: string;
  row: string;
  number: number;
  section: string | null;
  category: string | null;
  status: SeatStatus;
  holdExpiresAt: string | null;
}

export interface SeatMap {
  showId: string;
  /** Grows with every change of the show's seats (see `ShowVersions`). */
  version: number;
  sections: { key: string; label: string }[];
  categories: { key: string; label: string; price: Price | null }[];
  seats: SeatView[];
}

/**
 * Show summaries and seat maps as the database has them now (a lapsed hold reads as free). The
 * API serves seat maps through `SeatMapSnapshots` and the list through `ShowListService`, which
 * call this only when what they cached is out of date.
 */
@Injectable()
export class SeatMapService {
  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly seats: SeatRepository,
  ) {}

  /** Every show with its seat counts, by one aggregate over all seats (the fallback without Redis). */
  async summariesFromDatabase(): Promise<ShowSummary[]> {
    const rows = await this.database.read((db) => this.seats.listShows(db));
    return rows.map(summary);
  }

  /** The shows, without counts: O(shows). */
  async showRows(showId?: string) {
    return this.database.read((db) => this.seats.showRows(db, showId));
  }

  async countsOf(showId: string): Promise<{ totalSeats: number; availableSeats: number }> {
    return this.database.read((db) => this.seats.seatCounts(db, showId));
  }

  /**
   * The whole seat map as pieces ready to join: the layout part of the head, every seat's JSON in
   * layout order, and status codes (A free, H held, B sold). Serialised by PostgreSQL, or here in
   * dev mode.
   */
  async serialized(showId: string): Promise<SerializedMap> {
    if (this.database.kind !== 'postgres') {
      const map = await this.readFromDatabase(showId);
      return {
        layout: layoutHead(map.sections, map.categories),
        ids: map.seats.map((seat) => seat.id),
        seats: map.seats.map((seat) => JSON.stringify(seat)),
        codes: map.seats.map((seat) => CODES[seat.status]).join(''),
      };
    }
    const found = await this.database.readForMaps(async (db) => {
      const seats = await this.seats.seatMapJson(db, showId);
      if (seats.ids === '' && !(await this.seats.showExists(db, showId))) return undefined;
      return { seats, sections: await this.seats.sectionsOf(db, showId), categories: await this.seats.categoriesOf(db, showId) };
    });
    if (!found) throw new ShowNotFoundError(showId);
    const { seats, sections, categories } = found;
    const split = (list: string) => (list === '' ? [] : list.split('\n'));
    return {
      layout: layoutHead(sections, categories.map(categoryView)),
      ids: split(seats.ids),
      seats: split(seats.seats),
      codes: seats.codes,
    };
  }

  /** Some seats of the show as seat-map JSON with their status codes (to bring a snapshot up to date). */
  async serializedSeats(showId: string, seatIds: string[]): Promise<{ id: string; json: string; code: string }[]> {
    if (this.database.kind === 'postgres') return this.database.readForMaps((db) => this.seats.seatJsonOf(db, showId, seatIds));
    const wanted = new Set(seatIds);
    const map = await this.readFromDatabase(showId);
    return map.seats
      .filter((seat) => wanted.has(seat.id))
      .map((seat) => ({ id: seat.id, json: JSON.stringify(seat), code: CODES[seat.status] }));
  }

  async readFromDatabase(showId: string): Promise<Omit<SeatMap, 'version'>> {
    const found = await this.database.read(async (db) => {
      const seats = await this.seats.seatMap(db, showId);
      if (seats.length === 0 && !(await this.seats.showExists(db, showId))) return undefined;
      return { seats, sections: await this.seats.sectionsOf(db, showId), categories: await this.seats.categoriesOf(db, showId) };
    });
    if (!found) throw new ShowNotFoundError(showId);
    const { seats: rows, sections, categories } = found;
    return {
      showId,
      sections,
      categories: categories.map(categoryView),
      seats: rows.map(({ msLeft, holdExpiresAt, status, ...seat }) => {
        const lapsed = status === 'HELD' && (msLeft === null || msLeft <= 0);
        return {
          ...seat,
          status: lapsed ? 'AVAILABLE' : status,
          holdExpiresAt: status === 'HELD' && !lapsed ? holdExpiresAt!.toISOString() : null,
        };
      }),
    };
  }
}

type ShowRow = Awaited<ReturnType<SeatRepository['showRows']>>[number];

export function summary({
  startsAt,
  salesOpenAt,
  salesCloseAt,
  perOrder,
  perCustomer,
  ...row
}: ShowRow & { totalSeats: number; availableSeats: number }): ShowSummary {
  return {
    ...row,
    startsAt: startsAt.toISOString(),
    salesOpenAt: salesOpenAt.toISOString(),
    salesCloseAt: salesCloseAt.toISOString(),
    limits: { perOrder, perCustomer },
  };
}

/** What `serialized` returns: join as `{"showId":…,"version":…,` + layout + seats.join(',') + `]}`. */
export interface SerializedMap {
  /** `"sections":[…],"categories":[…],"seats":[` */
  layout: string;
  ids: string[];
  seats: string[];
  /** One character per seat: A free, H held, B sold. */
  codes: string;
}

const CODES: Record<SeatStatus, string> = { AVAILABLE: 'A', HELD: 'H', BOOKED: 'B' };

function layoutHead(sections: SeatMap['sections'], categories: SeatMap['categories']): string {
  return `"sections":${JSON.stringify(sections)},"categories":${JSON.stringify(categories)},"seats":[`;
}

function categoryView({ key, label, amount, currency }: { key: string; label: string; amount: number | null; currency: string | null }) {
  return { key, label, price: amount === null || currency === null ? null : { amount, currency } };
}
