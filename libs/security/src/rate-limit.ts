import { type AppConfig } from '@app/config';
import { userIdIn } from '@app/common';
import { RateLimitedError } from './security.errors.js';
import { LuaScript, redisCall } from '@app/redis';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

const THROTTLE = LuaScript.fromFile(new URL('./lua/throttle.lua', import.meta.url));
const MINUTE_MS = 60_000;

/** @nestjs/throttler's counters in Redis, so a limit holds across every instance. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: Redis) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<Omit<ThrottlerLimitDetail, 'ttl' | 'limit' | 'key' | 'tracker'>> {
    const reply = await redisCall(() =>
      THROTTLE.run<string>(this.redis, [`throttle:{${key}}`, `throttle:{${key}}:blocked`], [ttl, limit, blockDuration || ttl]),
    );
    const [hits, windowLeft, blockLeft] = reply.split(':').map(Number) as [number, number, number];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(Math.max(windowLeft, 0) / 1000),
      isBlocked: blockLeft > 0,
      timeToBlockExpire: Math.ceil(Math.max(blockLeft, 0) / 1000),
    };
  }
}

/** The limits from configuration: per `userId` of the body, and per client address. */
export function writeThrottlers(config: AppConfig): ThrottlerOptions[] {
  const { perUserPerMinute, perIpPerMinute } = config.rateLimit;
  const throttlers: ThrottlerOptions[] = [];
  if (perUserPerMinute > 0) {
    throttlers.push({
      name: 'user',
      ttl: MINUTE_MS,
      limit: perUserPerMinute,
      getTracker: (request) => {
        const userId = userIdIn(request.body);
        return typeof userId === 'string' ? `user:${userId}` : `ip:${request.ip}`;
      },
    });
  }
  if (perIpPerMinute > 0)
    throttlers.push({ name: 'ip', ttl: MINUTE_MS, limit: perIpPerMinute, getTracker: (request) => `ip:${request.ip}` });
  return throttlers;
}

/** Applied to write endpoints only; a refusal is a 429 problem with `Retry-After`. */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  /** With no limit configured (the default) there is nothing to set up, and nothing to warn about. */
  override async onModuleInit(): Promise<void> {
    const configured = Array.isArray(this.options) ? this.options : this.options.throttlers;
    if (configured.length > 0) await super.onModuleInit();
    else this.throttlers = [];
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    return this.throttlers.length === 0 || super.canActivate(context);
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire);
    throw new RateLimitedError(detail.tracker.startsWith('user:') ? 'user' : 'address', retryAfter);
  }
}
