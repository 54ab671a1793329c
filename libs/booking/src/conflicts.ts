import type { SeatConflict } from './booking.errors.js';
import type { SeatState } from './seat.repository.js';

/** Why a seat could not be held by `userId`, judged from its database state. */
export function holdConflict(state: SeatState | undefined, seatId: string): SeatConflict {
  if (!state) return { seatId, reason: 'NOT_FOUND' };
  return { seatId, reason: state.status === 'BOOKED' ? 'BOOKED' : 'HELD' };
}

/** Why a seat could not be booked or released by `userId`, judged from its database state. */
export function ownershipConflict(state: SeatState | undefined, seatId: string, userId: string): SeatConflict {
  if (!state) return { seatId, reason: 'NOT_FOUND' };
  if (state.status === 'BOOKED') return { seatId, reason: 'BOOKED' };
  // An expiry release keeps the last owner, so a buyer who came back too late hears "expired".
  const lapsed = state.msLeft !== null && state.msLeft <= 0;
  if (state.holdOwner === userId && lapsed) return { seatId, reason: 'EXPIRED' };
  return { seatId, reason: 'NOT_HELD_BY_YOU' };
}

export function byId<T extends { id: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.id, row]));
}
