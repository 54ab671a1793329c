import type { SeatChange } from '@app/booking';

/** One seat's change, with the show's version at which it happened. */
export interface VersionedChange extends SeatChange {
  version: number;
}

/**
 * Payload of the socket.io `seats:changed` event: a batch of a show's changes, at most one per
 * seat (its latest). A client applies a change only to a seat it shows at an older version.
 */
export interface SeatsChangedEvent {
  showId: string;
  /** The greatest version among `changes`. */
  version: number;
  changes: VersionedChange[];
  /** ISO instant the batch was emitted (for a merged batch, its earliest part's). */
  at: string;
}

export const SEATS_NAMESPACE = '/seats';
export const SEATS_CHANGED = 'seats:changed';
/** A batch emitted by one instance, carried to the others by the socket.io adapter (server-side emit). */
export const SEATS_BATCH = 'seats:batch';
export const showRoom = (showId: string) => `show:${showId}`;

/** The changes of several batches, at most one per seat: the one with the greatest version. */
export function latestPerSeat(changes: Iterable<VersionedChange>, into = new Map<string, VersionedChange>()): Map<string, VersionedChange> {
  for (const change of changes) {
    const known = into.get(change.seatId);
    if (!known || known.version <= change.version) into.set(change.seatId, change);
  }
  return into;
}

/** A batch of changes as one event (undefined when there are none). */
export function batchOf(showId: string, changes: Map<string, VersionedChange>, at: string): SeatsChangedEvent | undefined {
  if (changes.size === 0) return undefined;
  let version = 0;
  for (const change of changes.values()) version = Math.max(version, change.version);
  return { showId, version, changes: [...changes.values()], at };
}
