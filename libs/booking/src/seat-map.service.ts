import { Database } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { ShowNotFoundError } from './booking.errors.js';
import { type SeatStatus, SeatRepository } from './seat.repository.js';

export interface ShowSummary {
  id: string;
  title: string;
  venue: string;
  startsAt: string;
  totalSeats: number;
  availableSeats: number;
}

export interface SeatView {
  id: string;
  label: string;
  row: string;
  number: number;
  status: SeatStatus;
  holdExpiresAt: string | null;
}

export interface SeatMap {
  showId: string;
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
    return rows.map((row) => ({ ...row, startsAt: row.startsAt.toISOString() }));
  }

  async seatMap(showId: string): Promise<SeatMap> {
    const rows = await this.database.read(async (db) => {
      const seats = await this.seats.seatMap(db, showId);
      return seats.length > 0 || (await this.seats.showExists(db, showId)) ? seats : undefined;
    });
    if (!rows) throw new ShowNotFoundError(showId);
    return {
      showId,
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
