import { DomainError } from '@app/common';

export class ShowExistsError extends DomainError {
  readonly code = 'SHOW_EXISTS';

  constructor(showId: string) {
    super(`A show with id "${showId}" exists already. Nothing was created.`);
  }
}

export class ShowHasBookingsError extends DomainError {
  readonly code = 'SHOW_HAS_BOOKINGS';

  constructor(showId: string, what: 'booked' | 'held') {
    super(
      `Show "${showId}" has ${what === 'booked' ? 'bookings (cancelled ones count: their history stays)' : 'seats held right now'}; it cannot be deleted.`,
    );
  }
}
