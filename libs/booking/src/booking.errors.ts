import { DomainError } from '@app/common';

export type ConflictReason = 'HELD' | 'BOOKED' | 'NOT_HELD_BY_YOU' | 'EXPIRED' | 'NOT_FOUND';

export interface SeatConflict {
  seatId: string;
  reason: ConflictReason;
}

/** Some requested seats cannot be held, booked or released; nothing was changed. */
export class SeatConflictError extends DomainError {
  readonly code = 'SEAT_CONFLICT';

  constructor(readonly conflicts: SeatConflict[]) {
    super(describe(conflicts));
    this.extensions.conflicts = conflicts;
  }
}

export class ShowNotFoundError extends DomainError {
  readonly code = 'SHOW_NOT_FOUND';

  constructor(readonly showId: string) {
    super(`No show with id "${showId}".`);
  }
}

function describe(conflicts: SeatConflict[]): string {
  const n = conflicts.length;
  const seats = conflicts
    .slice(0, 5)
    .map((c) => `${c.seatId} (${c.reason})`)
    .join(', ');
  return `${n} seat${n === 1 ? '' : 's'} unavailable: ${seats}${n > 5 ? ', …' : ''}. Nothing was changed.`;
}
