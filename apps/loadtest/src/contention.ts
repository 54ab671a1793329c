import { randomUUID } from 'node:crypto';
import { closedLoop, HttpClient, Recorder } from './load.js';

/**
 * The scenario of `k6_load_test.js`, in Node: virtual users each loop holding two of a few
 * contested seats and booking them if the hold was granted; every request has its own
 * Idempotency-Key and a share is sent twice with the same key, where the second answer must be
 * the first replayed. The request shapes below are the k6 script's; a test keeps them in step.
 */
export const HOLD_PATH = '/api/seats/hold-bulk';
export const BOOK_PATH = '/api/seats/book-bulk';
export const REQUEST_HEADERS = ['Content-Type', 'Idempotency-Key'] as const;
export const SEATS_PER_HOLD = 2;

export interface ContentionOptions {
  baseUrl: string;
  /** Full seat ids of the contested seats. */
  seatIds: string[];
  vus: number;
  durationMs: number;
  /** Share of requests sent a second time with the same key. */
  retryRate?: number;
  /** Think time between iterations, up to this many ms (k6: `sleep(Math.random() * 0.1)`). */
  maxThinkMs?: number;
}

export interface ContentionResult {
  vus: number;
  holds: ReturnType<Recorder['summary']>;
  books: ReturnType<Recorder['summary']>;
  /** Per seat: holds granted and bookings confirmed (201s received). */
  seats: Record<string, { holds: number; bookings: number }>;
  /** Seats for which more than one booking got a 201: must be empty. */
  soldTwice: string[];
  /** bookingId → seats, from every 201 booking answer. */
  bookings: Record<string, string[]>;
  serverErrors: number;
  replays: { faithful: number; unfaithful: number; inFlight: number };
}

export async function runContention(options: ContentionOptions): Promise<ContentionResult> {
  const { baseUrl, seatIds, vus, durationMs, retryRate = 0.2, maxThinkMs = 100 } = options;
  const client = new HttpClient(baseUrl, vus);
  const holds = new Recorder();
  const books = new Recorder();
  const seats = Object.fromEntries(seatIds.map((id) => [id, { holds: 0, bookings: 0 }]));
  const bookings: Record<string, string[]> = {};
  const replays = { faithful: 0, unfaithful: 0, inFlight: 0 };

  const sendMaybeTwice = async (path: string, body: { seatIds: string[]; userId: string }, recorder: Recorder) => {
    const headers = { 'Idempotency-Key': randomUUID() };
    const first = await client.post(path, body, headers, recorder);
    if (first.status < 500 && Math.random() < retryRate) {
      const again = await client.post(path, body, headers);
      if (again.status === 409 && again.headers['retry-after'] !== undefined) replays.inFlight++;
      else if (again.status === first.status && again.body === first.body) replays.faithful++;
      else replays.unfaithful++;
    }
    return first;
  };

  holds.startedAt = books.startedAt = performance.now();
  await closedLoop(vus, durationMs, async (vu) => {
    const request = { seatIds: pick(seatIds, SEATS_PER_HOLD), userId: `vu-${vu + 1}` };
    const hold = await sendMaybeTwice(HOLD_PATH, request, holds);
    if (hold.status === 201) {
      for (const id of request.seatIds) seats[id].holds++;
      const book = await sendMaybeTwice(BOOK_PATH, request, books);
      if (book.status === 201) {
        for (const id of request.seatIds) seats[id].bookings++;
        bookings[JSON.parse(book.body).bookingId] = request.seatIds;
      }
    }
    if (maxThinkMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * maxThinkMs));
  });
  holds.endedAt = books.endedAt = performance.now();
  await client.close();

  return {
    vus,
    holds: holds.summary(),
    books: books.summary(),
    seats,
    soldTwice: Object.entries(seats)
      .filter(([, counts]) => counts.bookings > 1)
      .map(([id]) => id),
    bookings,
    serverErrors: holds.serverErrors + books.serverErrors,
    replays,
  };
}

function pick<T>(items: T[], count: number): T[] {
  const chosen = new Set<T>();
  while (chosen.size < Math.min(count, items.length)) chosen.add(items[Math.floor(Math.random() * items.length)]);
  return [...chosen];
}
