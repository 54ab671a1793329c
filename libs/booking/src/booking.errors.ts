import { DomainError } from '@app/common';

export type ConflictReason = 'HELD' | 'BOOKED' | 'BLOCKED' | 'NOT_BLOCKED' | 'NOT_HELD_BY_YOU' | 'EXPIRED' | 'NOT_FOUND';

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

export class SeatNotFoundError extends DomainError {
  readonly code = 'SEAT_NOT_FOUND';

  constructor(showId: string, seatId: string) {
    super(`Show "${showId}" has no seat "${seatId}".`);
  }
}

export class WebhookNotFoundError extends DomainError {
  readonly code = 'WEBHOOK_NOT_FOUND';

  constructor(id: string) {
    super(`No webhook endpoint with id "${id}".`);
  }
}

export class DeliveryNotFoundError extends DomainError {
  readonly code = 'DELIVERY_NOT_FOUND';

  constructor(endpointId: string, messageId: string) {
    super(`Webhook endpoint "${endpointId}" has no message "${messageId}".`);
  }
}

/** Best available found no seats that satisfy the request; nothing was held. */
export class NotEnoughSeatsError extends DomainError {
  readonly code = 'NOT_ENOUGH_SEATS';

  constructor(quantity: number, together: boolean) {
    super(`Not ${quantity} free seat${quantity === 1 ? '' : 's'}${together ? ' together' : ''} of what was asked for. Nothing was held.`);
  }
}

/** The show is not on sale now (before `salesOpenAt` or from `salesCloseAt`); nothing was held. */
export class SalesClosedError extends DomainError {
  readonly code = 'SALES_CLOSED';

  constructor(showId: string) {
    super(`Show "${showId}" is not on sale right now. Nothing was held.`);
  }
}

export type LimitKind = 'perOrder' | 'perCustomer';

/** A hold would break the show's per-order or per-customer limit; nothing was held. */
export class LimitExceededError extends DomainError {
  readonly code = 'LIMIT_EXCEEDED';

  constructor(kind: LimitKind, max: number) {
    super(
      kind === 'perOrder'
        ? `At most ${max} seat${max === 1 ? '' : 's'} per hold for this show. Nothing was held.`
        : `At most ${max} seat${max === 1 ? '' : 's'} per customer for this show, held and booked together. Nothing was held.`,
    );
    this.extensions.limit = { kind, max };
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

export class BookingNotFoundError extends DomainError {
  readonly code = 'BOOKING_NOT_FOUND';

  constructor(bookingId: string) {
    super(`No booking with id "${bookingId}".`);
  }
}

/** Every seat asked for was cancelled already; nothing changed. */
export class BookingCancelledError extends DomainError {
  readonly code = 'BOOKING_CANCELLED';

  constructor(bookingId: string) {
    super(`The seats asked for in booking "${bookingId}" are already cancelled. Nothing was changed.`);
  }
}
