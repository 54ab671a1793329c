import type { SeatChange } from '@app/booking';

/** Payload of the socket.io `seats:changed` event. */
export interface SeatsChangedEvent {
  showId: string;
  /** The show's version at which these changes happened; apply a change only to seats shown at an older one. */
  version: number;
  changes: SeatChange[];
  /** ISO instant the change was published. */
  at: string;
}

export const SEATS_NAMESPACE = '/seats';
export const SEATS_CHANGED = 'seats:changed';
export const showRoom = (showId: string) => `show:${showId}`;
