import 'reflect-metadata';
import { BookingRepository, HoldRepository, newMessageId, SeatLocks, ShowKeys, ShowRepository, ShowVersions } from '@app/booking';
import type { AppConfig } from '@app/config';
import { PostgresDatabase } from '@app/db';
import { IdempotencyRecords, IdempotencyStore, parseIdempotencyKey, requestFingerprint, StoredResponse } from '@app/idempotency';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * The lean floor of the write path: a bare `node:http` server that does, per hold and per book,
 * exactly the service's Redis commands and PostgreSQL statements (the project's own lock and
 * version scripts, its one-statement hold and sale, its idempotency claim, stored answer and
 * durable record, SERIALIZABLE retried on 40001), built from the same classes, and nothing else:
 * no framework, validation, guards, rate limits, logging, metrics, expiry timers or live events.
 * What the service costs beyond it is what its pipeline costs.
 *
 *   node lean-server.js <port> <database-url> <redis-url> <hold-ttl-seconds>
 */
async function main(): Promise<void> {
  const [port, databaseUrl, redisUrl, ttlSeconds] = process.argv.slice(2);
  const database = PostgresDatabase.connect(databaseUrl, 10);
  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  const config = { idempotencyTtlSeconds: 86_400, redisShowGraceMs: 86_400_000 } as AppConfig;
  const locks = new SeatLocks(redis);
  const showKeys = new ShowKeys(config, database, redis, new ShowRepository(database));
  const versions = new ShowVersions(redis, database, showKeys);
  const holds = new HoldRepository(database);
  const bookings = new BookingRepository(database);
  const store = new IdempotencyStore(redis, config);
  const records = new IdempotencyRecords(database);
  const ttlMs = Number(ttlSeconds) * 1000;
  const showOf = new Map<string, string>();

  /** The seats' show, mapped once per show as the service's directory does. */
  async function show(seatIds: string[]): Promise<string | undefined> {
    const known = showOf.get(seatIds[0]);
    if (known) return known;
    const [found] = await database.read((db) => holds.locate(db, seatIds.slice(0, 1)));
    if (!found) return undefined;
    for (const id of await database.read((db) => holds.seatIdsOf(db, found.showId))) showOf.set(id, found.showId);
    return found.showId;
  }

  async function hold(body: { seatIds: string[]; userId: string }): Promise<[number, unknown]> {
    const showId = await show(body.seatIds);
    if (!showId) return [409, { code: 'SEAT_CONFLICT' }];
    const holdId = randomUUID();
    const attempt = await locks.acquire(showId, body.seatIds, body.userId, holdId, ttlMs);
    if (!attempt.taken) return [409, { code: 'SEAT_CONFLICT' }];
    const { result } = await versions.transaction(async (tx) => {
      const atOnce = await holds.holdAtOnce(tx, { showId, seatIds: body.seatIds, userId: body.userId, holdId, ttlMs });
      return { result: atOnce!, changed: [{ showId, seatIds: atOnce!.claimed.map((seat) => seat.id) }] };
    });
    if (result.claimed.length + result.kept.length < body.seatIds.length) {
      await locks.undo(showId, body.seatIds, body.userId, holdId);
      return [409, { code: 'SEAT_CONFLICT' }];
    }
    const expiresAt = Math.min(...[...result.claimed, ...result.kept].map((seat) => seat.holdExpiresAt.getTime()));
    return [201, { holdId, userId: body.userId, showId, seatIds: body.seatIds, expiresAt: new Date(expiresAt).toISOString() }];
  }

  async function book(body: { seatIds: string[]; userId: string }, key: string, fingerprint: string): Promise<[number, unknown]> {
    const showId = await show(body.seatIds);
    if (!showId) return [409, { code: 'SEAT_CONFLICT' }];
    if ((await locks.bookedMarkers(showId, body.seatIds)).some(Boolean)) return [409, { code: 'SEAT_CONFLICT' }];
    const bookingId = randomUUID();
    const { result } = await versions.transaction(
      async (tx) => {
        const sold = await bookings.sell(tx, { seatIds: body.seatIds, userId: body.userId, bookingId, showId, messageId: newMessageId() });
        if (sold.seats.length < body.seatIds.length) throw new Error('not held');
        const view = { id: bookingId, userId: body.userId, showId, seats: sold.seats, createdAt: sold.createdAt.toISOString() };
        await records.insert(tx, { userId: body.userId, key, fingerprint }, StoredResponse.json(201, view));
        return { result: view, changed: [{ showId, seatIds: body.seatIds }] };
      },
      { serializable: true },
    );
    await locks.markBooked(showId, body.seatIds, bookingId, await showKeys.expiresAt(showId));
    return [201, result];
  }

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seatIds: string[]; userId: string };
      const key = parseIdempotencyKey(request.headers['idempotency-key']);
      const path = request.url ?? '';
      const ref = { userId: body.userId, key, fingerprint: requestFingerprint('POST', path, body) };
      const claim = await store.claim(ref);
      if (claim.kind !== 'claimed') {
        const replay = claim.kind === 'replay' ? claim.response : new StoredResponse(409, '{}');
        response.writeHead(replay.status, { 'content-type': 'application/json' }).end(replay.body);
        return;
      }
      const [status, result] = path.endsWith('/book-bulk') ? await book(body, key, ref.fingerprint) : await hold(body);
      const stored = StoredResponse.json(status, result);
      await store.complete(ref, stored);
      response.writeHead(status, { 'content-type': 'application/json' }).end(stored.body);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: (error as Error).message }));
    }
  }

  const server = createServer((request, response) => void answer(request, response));
  server.keepAliveTimeout = 30_000;
  server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
