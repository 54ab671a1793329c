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
  sections: { key: string; label: string }[];
  categories: { key: string; label: string; price: Price | null }[];
  seats: SeatView[];
}

/** Read side: show list and seat maps, straight from the database (a lapsed hold reads as free). */
@Injectable()
export class SeatMapService {
  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly seats: SeatRepository,
  ) {}

  async listShows(): Promise<ShowSummary[]> {
    const rows = await this.database.read((db) => this.seats.listShows(db));
    return rows.map(summary);
  }

  async showSummary(showId: string): Promise<ShowSummary> {
    const [row] = await this.database.read((db) => this.seats.listShows(db, showId));
    if (!row) throw new ShowNotFoundError(showId);
    return summary(row);
  }

  async seatMap(showId: string): Promise<SeatMap> {
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
      categories: categories.map(({ key, label, amount, currency }) => ({
        key,
        label,
        price: amount === null || currency === null ? null : { amount, currency },
      })),
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

type SummaryRow = Awaited<ReturnType<SeatRepository['listShows']>>[number];

function summary({ startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer, ...row }: SummaryRow): ShowSummary {
  return {
    ...row,
    startsAt: startsAt.toISOString(),
    salesOpenAt: salesOpenAt.toISOString(),
    salesCloseAt: salesCloseAt.toISOString(),
    limits: { perOrder, perCustomer },
  };
}
