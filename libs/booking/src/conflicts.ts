import { type SeatConflict, SeatConflictError } from './booking.errors.js';
import type { SeatState } from './hold.repository.js';

/** Why a seat could not be held by `userId`, judged from its database state. */
export function holdConflict(state: SeatState | undefined, seatId: string): SeatConflict {
  if (!state) return { seatId, reason: 'NOT_FOUND' };
  return { seatId, reason: state.status === 'BOOKED' || state.status === 'BLOCKED' ? state.status : 'HELD' };
}

/** Why a seat could not be unblocked: it is not blocked (or not there). */
export function unblockConflict(state: SeatState | undefined, seatId: string): SeatConflict {
  return { seatId, reason: state ? 'NOT_BLOCKED' : 'NOT_FOUND' };
}

/** Why a seat could not be booked or released by `userId`, judged from its database state. */
export function ownershipConflict(state: SeatState | undefined, seatId: string, userId: string): SeatConflict {
  if (!state) return { seatId, reason: 'NOT_FOUND' };
  if (state.status === 'BOOKED' || state.status === 'BLOCKED') return { seatId, reason: state.status };
  // An expiry release keeps the last owner, so a buyer who came back too late hears "expired".
  const lapsed = state.msLeft !== null && state.msLeft <= 0;
  if (state.holdOwner === userId && lapsed) return { seatId, reason: 'EXPIRED' };
  return { seatId, reason: 'NOT_HELD_BY_YOU' };
}

/**
 * The all-or-nothing rule after a conditional write: if it changed fewer seats than requested,
 * throw (rolling the transaction back) with each refused seat and the reason `judge` reads from
 * its current state.
 */
export async function requireEverySeat(
  requested: string[],
  changed: { id: string }[],
  readStates: (seatIds: string[]) => Promise<SeatState[]>,
  judge: (state: SeatState | undefined, seatId: string) => SeatConflict,
): Promise<void> {
  if (changed.length >= requested.length) return;
  const changedIds = new Set(changed.map((row) => row.id));
  const refused = requested.filter((id) => !changedIds.has(id));
  const states = new Map((await readStates(refused)).map((state) => [state.id, state]));
  throw new SeatConflictError(refused.map((id) => judge(states.get(id), id)));
}
