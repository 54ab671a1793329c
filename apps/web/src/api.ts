/** The public REST API, as the page uses it. */

/**
 * A random (v4) UUID. `crypto.randomUUID` exists only in secure contexts (https, localhost), and
 * the page must also work over plain HTTP under a server name or LAN address.
 */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface ShowSummary {
  id: string;
  title: string;
  venue?: string;
  startsAt: string;
  limits?: { perOrder: number; perCustomer: number | null };
  totalSeats: number;
  availableSeats: number;
}

export interface Price {
  /** Minor units (cents). */
  amount: number;
  currency: string;
}

/** "€45.00": minor units shown with the currency's own number of decimals. */
export function formatPrice(price: Price | null): string {
  if (!price) return 'no charge';
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: price.currency });
  return format.format(price.amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

export interface Booking {
  bookingId: string;
  showId: string;
  seatIds: string[];
  status: 'CONFIRMED' | 'CANCELLED';
  createdAt: string;
  cancelledSeatIds: string[];
  seats: { seatId: string; label: string; section: string | null; category: string | null; price: Price | null }[];
  total: Price | null;
}

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'BOOKED' | 'BLOCKED';

export interface Seat {
  id: string;
  label: string;
  row: string;
  number: number;
  section: string | null;
  category: string | null;
  status: SeatStatus;
  holdExpiresAt: string | null;
}

export interface SeatMap {
  showId: string;
  version: number;
  sections: { key: string; label: string }[];
  categories: { key: string; label: string; price: Price | null }[];
  seats: Seat[];
}

/** What never changes while a show exists (`GET /api/seats/{showId}/layout`, cached by the browser). */
export interface ShowLayout {
  showId: string;
  layoutVersion: string;
  sections: SeatMap['sections'];
  categories: SeatMap['categories'];
  seats: Omit<Seat, 'status' | 'holdExpiresAt'>[];
  /** General-admission areas: standing floors sold by quantity (their places are not in `seats`). */
  areas?: Area[];
}

export interface Area {
  key: string;
  label: string;
  category: string | null;
  capacity: number;
}

export interface AreaCounts {
  capacity: number;
  available: number;
  held: number;
  booked: number;
}

/** Every seat's status as one character, in layout order (`GET /api/seats/{showId}/status`). */
export interface SeatStatuses {
  showId: string;
  version: number;
  layoutVersion: string;
  statuses: string;
  areas?: Record<string, AreaCounts>;
}

/** The answer of hold-bulk and hold-best (which adds `together`). */
export interface Hold {
  seatIds: string[];
  expiresAt: string;
  together?: boolean;
}

export const STATUS_OF_CODE: Record<string, SeatStatus> = { A: 'AVAILABLE', H: 'HELD', B: 'BOOKED', X: 'BLOCKED' };

export interface Conflict {
  seatId: string;
  reason: 'HELD' | 'BOOKED' | 'BLOCKED' | 'NOT_HELD_BY_YOU' | 'EXPIRED' | 'NOT_FOUND';
}

/** A final answer of the service, or `unavailable` when it could not be reached or answered 5xx. */
export type Outcome<T> =
  | { kind: 'ok'; body: T }
  | { kind: 'conflict'; conflicts: Conflict[]; detail: string }
  | { kind: 'rejected'; status: number; detail: string }
  | { kind: 'unavailable' };

export async function getJson<T>(path: string, started?: Promise<Response> | null): Promise<T> {
  // Revalidate with the cached copy's ETag: an unchanged seat map costs a 304, not the map again.
  const response = await (started ?? fetch(path, { headers: { accept: 'application/json' }, cache: 'no-cache' }));
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** The requests the page's head (index.html) started before this code arrived. */
export interface Prefetched {
  shows: Promise<Response>;
  show: string | null;
  layout: Promise<Response> | null;
  status: Promise<Response> | null;
}

/**
 * A write with an Idempotency-Key. The key belongs to one intent (one click on "Hold" for these
 * seats): if that intent has to be sent again because the service was unreachable, the same key
 * goes with it, so the service never acts twice.
 */
export class IdempotentWriter {
  private pending?: { signature: string; key: string };

  async post<T>(path: string, body: { userId: string; [member: string]: unknown }): Promise<Outcome<T>> {
    const signature = `${path} ${JSON.stringify(body)}`;
    if (this.pending?.signature !== signature) this.pending = { signature, key: randomId() };
    let response: Response;
    try {
      response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': this.pending.key },
        body: JSON.stringify(body),
      });
    } catch {
      return { kind: 'unavailable' }; // keep the key: a retry of this intent reuses it
    }
    if (response.status >= 500) return { kind: 'unavailable' };
    this.pending = undefined;
    const payload = (await response.json().catch(() => ({}))) as { conflicts?: unknown; detail?: string; title?: string };
    if (response.ok) return { kind: 'ok', body: payload as T };
    if (response.status === 409 && Array.isArray(payload.conflicts)) {
      return { kind: 'conflict', conflicts: payload.conflicts as Conflict[], detail: payload.detail ?? '' };
    }
    return { kind: 'rejected', status: response.status, detail: payload.detail ?? payload.title ?? `HTTP ${response.status}` };
  }
}
