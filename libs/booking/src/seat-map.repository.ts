import { type Db, asc, eq, sql } from '@app/db';
import { Injectable } from '@nestjs/common';
import { nullableNumber, type SeatStatus, Statements } from './statements.js';

/** Statements that read a show's seats as a seat map: as rows, or as the seat map's JSON. */
@Injectable()
export class SeatMapRepository extends Statements {
  seatMap(db: Db, showId: string) {
    const { seats } = this.t;
    return (
      db
        .select({
          id: seats.id,
          label: seats.label,
          row: seats.row,
          number: seats.number,
          section: seats.section,
          category: seats.category,
          status: seats.status,
          holdExpiresAt: seats.holdExpiresAt,
          msLeft: this.clock.msUntil(seats.holdExpiresAt).mapWith(nullableNumber),
        })
        .from(seats)
        .where(eq(seats.showId, showId))
        // Layout order; shows from before layouts (position 0) by row and number.
        .orderBy(asc(seats.position), sql`length(${seats.row})`, asc(seats.row), asc(seats.number))
    );
  }

  /**
   * Every seat of the show as its seat-map JSON (layout order; a lapsed hold reads as free), with
   * ids and status codes (A free, H held, B sold, X blocked). PostgreSQL builds the JSON itself: three
   * newline-separated lists in one row, so the server serialises on its own core and the service
   * receives three strings instead of parsing 50,000 rows. SQLite (dev mode) reads the rows and
   * serialises them here; both give the same bytes (tested).
   */
  async seatMapJson(db: Db, showId: string): Promise<{ ids: string[]; seats: string[]; codes: string }> {
    if (this.database.kind !== 'postgres') {
      const seats = (await this.seatMap(db, showId)).map(seatView);
      return {
        ids: seats.map((seat) => seat.id),
        seats: seats.map((seat) => JSON.stringify(seat)),
        codes: seats.map((seat) => CODES[seat.status]).join(''),
      };
    }
    const result = await db.execute(sql`
      select coalesce(string_agg(s.id, E'\n' order by s.position, length(s.row), s.row, s.number), '') as ids,
             coalesce(string_agg(${SEAT_JSON}, E'\n' order by s.position, length(s.row), s.row, s.number), '') as seats,
             coalesce(string_agg(${SEAT_CODE}, '' order by s.position, length(s.row), s.row, s.number), '') as codes
        from (select *, status = 'HELD' and hold_expires_at > now() as live from seats where show_id = ${showId}) s`);
    const [row] = (result as unknown as { rows: { ids: string; seats: string; codes: string }[] }).rows;
    const split = (list: string) => (list === '' ? [] : list.split('\n'));
    return { ids: split(row.ids), seats: split(row.seats), codes: row.codes };
  }

  /** The same JSON and status code for some seats of the show. */
  async seatJsonOf(db: Db, showId: string, seatIds: string[]): Promise<{ id: string; json: string; code: string }[]> {
    if (this.database.kind !== 'postgres') {
      const wanted = new Set(seatIds);
      const seats = (await this.seatMap(db, showId)).filter((row) => wanted.has(row.id)).map(seatView);
      return seats.map((seat) => ({ id: seat.id, json: JSON.stringify(seat), code: CODES[seat.status] }));
    }
    const result = await db.execute(sql`
      select s.id, ${SEAT_JSON} as json, ${SEAT_CODE} as code
        from (select *, status = 'HELD' and hold_expires_at > now() as live from seats
               where id in ${
                 seatIds.length > 0
                   ? sql`(${sql.join(
                       seatIds.map((id) => sql`${id}`),
                       sql`, `,
                     )})`
                   : sql`(null)`
               } and show_id = ${showId}) s`);
    return (result as unknown as { rows: { id: string; json: string; code: string }[] }).rows;
  }
}

/** One seat of `s` (with `s.live`: a hold that has not lapsed) as seat-map JSON, in PostgreSQL. */
const SEAT_JSON = sql.raw(`'{"id":' || to_json(s.id)::text || ',"label":' || to_json(s.label)::text || ',"row":' || to_json(s.row)::text ||
  ',"number":' || s.number || ',"section":' || coalesce(to_json(s.section)::text, 'null') ||
  ',"category":' || coalesce(to_json(s.category)::text, 'null') ||
  ',"status":' || case when s.live then '"HELD"' when s.status in ('BOOKED', 'BLOCKED') then '"' || s.status || '"' else '"AVAILABLE"' end ||
  ',"holdExpiresAt":' || case when s.live then '"' || to_char(s.hold_expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"' else 'null' end || '}'`);
const SEAT_CODE = sql.raw(`case when s.live then 'H' when s.status = 'BOOKED' then 'B' when s.status = 'BLOCKED' then 'X' else 'A' end`);

/** A seat of the seat map as its JSON has it. */
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

const CODES: Record<SeatStatus, string> = { AVAILABLE: 'A', HELD: 'H', BOOKED: 'B', BLOCKED: 'X' };

/** A row of `seatMap` as the seat map shows it: a lapsed hold is free. Member order is the JSON's. */
function seatView({ msLeft, holdExpiresAt, status, ...seat }: Awaited<ReturnType<SeatMapRepository['seatMap']>>[number]): SeatView {
  const lapsed = status === 'HELD' && (msLeft === null || msLeft <= 0);
  return {
    ...seat,
    status: lapsed ? 'AVAILABLE' : status,
    holdExpiresAt: status === 'HELD' && !lapsed ? holdExpiresAt!.toISOString() : null,
  };
}
