import { LuaScript, REDIS, redisCall } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';

const script = (name: string) => LuaScript.fromFile(new URL(`./lua/${name}.lua`, import.meta.url));
const ACQUIRE = script('acquire-seat-locks');
const DELETE = script('delete-seat-locks');
const MARK_BOOKED = script('mark-seats-booked');
const EXTEND = script('extend-seat-locks');

export type LockStatus = 'NEW' | 'MINE' | 'HELD' | 'BOOKED' | 'FREE';

export interface LockAttempt {
  /** True when every seat is now locked for this user (new locks set, own locks kept). */
  taken: boolean;
  /** Status of each requested seat, in request order. */
  statuses: LockStatus[];
}

/** Lock key of a seat; the `{showId}` hash tag keeps a show's locks on one cluster slot. */
export const lockKey = (showId: string, seatId: string) => `hold:{${showId}}:${seatId}`;

/** Parses a lock key back into its show and seat (used by the expiry listener). */
export function parseLockKey(key: string): { showId: string; seatId: string } | undefined {
  const match = /^hold:\{([^}]+)\}:(.+)$/.exec(key);
  return match ? { showId: match[1], seatId: match[2] } : undefined;
}

/**
 * Seat locks in Redis: the fast, all-or-nothing gate in front of the database. They turn away
 * losers of a contended seat cheaply; the database's conditional writes remain the guarantee.
 * Every call fails closed: if Redis cannot answer, `DependencyUnavailableError` is thrown.
 */
@Injectable()
export class SeatLocks {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async acquire(showId: string, seatIds: string[], userId: string, holdId: string, ttlMs: number): Promise<LockAttempt> {
    const keys = seatIds.map((id) => lockKey(showId, id));
    const reply = await redisCall(() => ACQUIRE.run<string>(this.redis, keys, [lockValue(holdId, userId), userId, ttlMs]));
    const [taken, statuses] = reply.split(':');
    return { taken: taken === '1', statuses: statuses.split(',') as LockStatus[] };
  }

  /** Undoes locks this hold request set, by value, leaving anyone else's alone. */
  async undo(showId: string, seatIds: string[], userId: string, holdId: string): Promise<void> {
    if (seatIds.length === 0) return;
    const keys = seatIds.map((id) => lockKey(showId, id));
    await redisCall(() => DELETE.run(this.redis, keys, ['value', lockValue(holdId, userId)]));
  }

  /** Deletes this user's hold locks on the seats (after a release). */
  async releaseOwned(showId: string, seatIds: string[], userId: string): Promise<void> {
    const keys = seatIds.map((id) => lockKey(showId, id));
    await redisCall(() => DELETE.run(this.redis, keys, ['owner', userId]));
  }

  /** Moves this user's locks on the seats to lapse `msLeft[i]` from now (after an extension). */
  async extendOwned(showId: string, seatIds: string[], userId: string, msLeft: number[]): Promise<void> {
    const keys = seatIds.map((id) => lockKey(showId, id));
    await redisCall(() => EXTEND.run(this.redis, keys, [userId, ...msLeft]));
  }

  /** Deletes the BOOKED markers of this booking's seats (after a cancellation they are for sale). */
  async releaseBooked(showId: string, seatIds: string[], bookingId: string): Promise<void> {
    const keys = seatIds.map((id) => lockKey(showId, id));
    await redisCall(() => DELETE.run(this.redis, keys, ['value', `BOOKED|${bookingId}`]));
  }

  /** Marks the seats sold until `expiresAt` (ms since the epoch: the show's keys' expiry). */
  async markBooked(showId: string, seatIds: string[], bookingId: string, expiresAt: number): Promise<void> {
    const keys = seatIds.map((id) => lockKey(showId, id));
    await redisCall(() => MARK_BOOKED.run(this.redis, keys, [bookingId, expiresAt]));
  }

  /** Deletes the keys that still carry `value` (a marker or lock the database contradicts). */
  async deleteIfValue(showId: string, seatIds: string[], value: string): Promise<number> {
    if (seatIds.length === 0) return 0;
    const keys = seatIds.map((id) => lockKey(showId, id));
    return Number(await redisCall(() => DELETE.run(this.redis, keys, ['value', value])));
  }

  /** Shortens a lock so it lapses with the database hold it mirrors. */
  async expireIn(showId: string, seatId: string, ms: number): Promise<void> {
    await redisCall(() => this.redis.pexpire(lockKey(showId, seatId), Math.max(1, ms)));
  }

  /** Which of the seats carry a BOOKED marker (a fast refusal for bookings). */
  async bookedMarkers(showId: string, seatIds: string[]): Promise<boolean[]> {
    const values = await redisCall(() => this.redis.mget(seatIds.map((id) => lockKey(showId, id))));
    return values.map((value) => value?.startsWith('BOOKED|') ?? false);
  }
}

const lockValue = (holdId: string, userId: string) => `${holdId}|${userId}`;
