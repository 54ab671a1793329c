import { Database, type Price } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { ShowNotFoundError } from './booking.errors.js';
import { SeatMapRepository, type SeatView } from './seat-map.repository.js';
import { ShowRepository } from './show.repository.js';

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
    private readonly shows: ShowRepository,
    private readonly seatMaps: SeatMapRepository,
  ) {}

  /** Every show with its seat counts, by one aggregate over all seats (the fallback without Redis). */
  async summariesFromDatabase(): Promise<ShowSummary[]> {
    const rows = await this.database.read((db) => this.shows.listShows(db));
    return rows.map(summary);
  }

  /** The shows, without counts: O(shows). */
  async showRows(showId?: string) {
    return this.database.read((db) => this.shows.showRows(db, showId));
  }

  async countsOf(showId: string): Promise<{ totalSeats: number; availableSeats: number }> {
    return this.database.read((db) => this.shows.seatCounts(db, showId));
  }

  /**
   * The whole seat map as pieces ready to join: the layout part of the head, every seat's JSON in
   * layout order, and status codes (A free, H held, B sold).
   */
  async serialized(showId: string): Promise<SerializedMap> {
    const found = await this.database.readForMaps(async (db) => {
      const seats = await this.seatMaps.seatMapJson(db, showId);
      if (seats.ids.length === 0 && !(await this.shows.showExists(db, showId))) return undefined;
      return { seats, sections: await this.shows.sectionsOf(db, showId), categories: await this.shows.categoriesOf(db, showId) };
    });
    if (!found) throw new ShowNotFoundError(showId);
    const { seats, sections, categories } = found;
    const areas = sections.flatMap(({ key, label, capacity, category }) => (capacity === null ? [] : [{ key, label, category, capacity }]));
    const seated = sections.filter((section) => section.capacity === null).map(({ key, label }) => ({ key, label }));
    const places = areas.reduce((sum, area) => sum + area.capacity, 0);
    return { layout: layoutHead(seated, categories.map(categoryView)), areas, seatCount: seats.ids.length - places, ...seats };
  }

  /** Some seats of the show as seat-map JSON with their status codes (to bring a snapshot up to date). */
  async serializedSeats(showId: string, seatIds: string[]): Promise<{ id: string; json: string; code: string }[]> {
    return this.database.readForMaps((db) => this.seatMaps.seatJsonOf(db, showId, seatIds));
  }
}

type ShowRow = Awaited<ReturnType<ShowRepository['showRows']>>[number];

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

/** A general-admission area as the layout lists it. */
export interface AreaView {
  key: string;
  label: string;
  category: string | null;
  capacity: number;
}

/**
 * What `serialized` returns: join as `{"showId":…,"version":…,` + layout + the first `seatCount`
 * seats joined by `,` + `]}`. The places of the areas follow the seats in `ids`, `seats` and
 * `codes`, area by area, in the order of `areas`.
 */
export interface SerializedMap {
  /** `"sections":[…],"categories":[…],"seats":[` */
  layout: string;
  areas: AreaView[];
  /** How many of the entries are seats; the rest are places. */
  seatCount: number;
  ids: string[];
  seats: string[];
  /** One character per seat or place: A free, H held, B sold, X blocked. */
  codes: string;
}

function layoutHead(sections: SeatMap['sections'], categories: SeatMap['categories']): string {
  return `"sections":${JSON.stringify(sections)},"categories":${JSON.stringify(categories)},"seats":[`;
}

function categoryView({ key, label, amount, currency }: { key: string; label: string; amount: number | null; currency: string | null }) {
  return { key, label, price: amount === null || currency === null ? null : { amount, currency } };
}
