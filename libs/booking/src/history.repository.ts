import { type Db, and, asc, eq } from '@app/db';
import { Injectable } from '@nestjs/common';
import { Statements } from './statements.js';

/** Reads of the seats' history (written by the changes themselves, see `Statements.recordHistory`). */
@Injectable()
export class HistoryRepository extends Statements {
  /** Every entry of the seat, oldest first; undefined when the show has no such seat. */
  async ofSeat(db: Db, showId: string, seatId: string) {
    const { seats, seatHistory: history } = this.t;
    const [seat] = await db
      .select({ id: seats.id })
      .from(seats)
      .where(and(eq(seats.id, seatId), eq(seats.showId, showId)));
    if (!seat) return undefined;
    return db
      .select({
        at: history.at,
        status: history.status,
        cause: history.cause,
        userId: history.userId,
        holdId: history.holdId,
        bookingId: history.bookingId,
      })
      .from(history)
      .where(eq(history.seatId, seatId))
      .orderBy(asc(history.id));
  }
}
