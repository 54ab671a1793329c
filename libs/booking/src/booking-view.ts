import type { Price } from '@app/db';

/** One seat of a booking as stored: where it is, what it cost, whether it was cancelled. */
export interface BookingLine {
  seatId: string;
  label: string;
  section: string | null;
  category: string | null;
  priceAmount: number | null;
  priceCurrency: string | null;
  cancelled: boolean;
}

export interface BookedSeatView {
  seatId: string;
  label: string;
  section: string | null;
  category: string | null;
  price: Price | null;
}

/** A booking as every endpoint answers it (book-bulk, lookups, cancellation). */
export interface BookingView {
  bookingId: string;
  userId: string;
  showId: string;
  /** The seats still booked. */
  seatIds: string[];
  status: 'CONFIRMED' | 'CANCELLED';
  createdAt: string;
  cancelledSeatIds: string[];
  seats: BookedSeatView[];
  /** Sum of the booked seats' prices; null unless every one has a price, all in one currency. */
  total: Price | null;
}

export function bookingView(booking: { id: string; userId: string; showId: string; createdAt: Date }, lines: BookingLine[]): BookingView {
  const live = lines.filter((line) => !line.cancelled);
  const seats = live.map(({ seatId, label, section, category, priceAmount, priceCurrency }) => ({
    seatId,
    label,
    section,
    category,
    price: priceAmount === null || priceCurrency === null ? null : { amount: priceAmount, currency: priceCurrency },
  }));
  return {
    bookingId: booking.id,
    userId: booking.userId,
    showId: booking.showId,
    seatIds: live.map((line) => line.seatId),
    status: live.length > 0 ? 'CONFIRMED' : 'CANCELLED',
    createdAt: booking.createdAt.toISOString(),
    cancelledSeatIds: lines.filter((line) => line.cancelled).map((line) => line.seatId),
    seats,
    total: totalOf(seats.map((seat) => seat.price)),
  };
}

function totalOf(prices: (Price | null)[]): Price | null {
  if (prices.length === 0 || prices.some((price) => price === null)) return null;
  const currencies = new Set(prices.map((price) => price!.currency));
  if (currencies.size !== 1) return null;
  return { amount: prices.reduce((sum, price) => sum + price!.amount, 0), currency: prices[0]!.currency };
}
