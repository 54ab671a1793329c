import { APP_CONFIG, type AppConfig } from '@app/config';
import { LuaScript, REDIS, redisCall } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { type IdempotencyRef, type StoredContentType, StoredResponse } from './stored-response.js';

const script = (name: string) => LuaScript.fromFile(new URL(`./lua/${name}.lua`, import.meta.url));
const CLAIM = script('claim-idempotency-key');
const ABANDON = script('abandon-idempotency-key');

/** How long an in-progress marker outlives a crashed process (the contract allows 15 s). */
export const IN_PROGRESS_TTL_MS = 10_000;

type Record =
  | { state: 'running'; fingerprint: string; token: string }
  | { state: 'done'; fingerprint: string; status: number; contentType: StoredContentType; body: string };

export type Claim =
  { kind: 'claimed'; marker: string } | { kind: 'replay'; response: StoredResponse } | { kind: 'in-progress' } | { kind: 'mismatch' };

/** Redis key of a record: hashed, so any user id and key characters are safe, scoped per user. */
const recordKey = ({ userId, key }: Pick<IdempotencyRef, 'userId' | 'key'>) =>
  `idem:${createHash('sha256')
    .update(JSON.stringify([userId, key]))
    .digest('base64url')}`;

/**
 * Idempotency records in Redis: an in-progress marker taken atomically, then the final response
 * kept for `IDEMPOTENCY_TTL_SECONDS`. Fails closed: if Redis cannot answer, nothing executes.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async claim(ref: IdempotencyRef): Promise<Claim> {
    const marker = JSON.stringify({ state: 'running', fingerprint: ref.fingerprint, token: randomUUID() } satisfies Record);
    const existing = await redisCall(() => CLAIM.run<string>(this.redis, [recordKey(ref)], [marker, IN_PROGRESS_TTL_MS]));
    if (existing === '') return { kind: 'claimed', marker };
    const record = JSON.parse(existing) as Record;
    if (record.fingerprint !== ref.fingerprint) return { kind: 'mismatch' };
    if (record.state === 'running') return { kind: 'in-progress' };
    return { kind: 'replay', response: new StoredResponse(record.status, record.body, record.contentType) };
  }

  async complete(ref: IdempotencyRef, response: StoredResponse): Promise<void> {
    const record: Record = { state: 'done', fingerprint: ref.fingerprint, ...response };
    await redisCall(() => this.redis.set(recordKey(ref), JSON.stringify(record), 'EX', this.config.idempotencyTtlSeconds));
  }

  async abandon(ref: IdempotencyRef, marker: string): Promise<void> {
    await redisCall(() => ABANDON.run(this.redis, [recordKey(ref)], [marker]));
  }

  /** Forgets a key's cached record (tests use this to simulate a Redis that lost its data). */
  async forget(ref: Pick<IdempotencyRef, 'userId' | 'key'>): Promise<void> {
    await redisCall(() => this.redis.del(recordKey(ref)));
  }
}
