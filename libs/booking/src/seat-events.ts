import type { SeatStatus } from './statements.js';

export interface SeatChange {
  seatId: string;
  status: SeatStatus;
  /** ISO instant for a HELD seat, else null. */
  holdExpiresAt: string | null;
}

/** The same change for every seat: to AVAILABLE (freed), BOOKED (sold) or BLOCKED (not for sale), with no hold expiry. */
export function changesTo(seatIds: string[], status: Exclude<SeatStatus, 'HELD'>): SeatChange[] {
  return seatIds.map((seatId) => ({ seatId, status, holdExpiresAt: null }));
}

/**
 * Where services announce seat changes, after the database committed them. Services depend on
 * this seam only; `@app/realtime` implements it with socket.io (and its Redis adapter, so every
 * instance's subscribers hear it).
 */
export abstract class SeatEvents {
  /** `version`: the show's version at which these changes happened (see `ShowVersions`). */
  abstract publish(showId: string, changes: SeatChange[], version: number): void;
}
