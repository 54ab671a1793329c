import { describeError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { createRedis, REDIS, redisDbNumber } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HoldExpiry } from './hold-expiry.service.js';
import { HoldSweeper } from './hold.sweeper.js';
import { parseLockKey } from './seat-locks.js';

/**
 * The fast expiry path: Redis announces every expired key on `__keyevent@<db>__:expired`
 * (https://redis.io/docs/latest/develop/use/keyspace-notifications/); a seat lock that expires
 * names its seat, which is released at once. Needs `notify-keyspace-events` to contain `E` and
 * `x`: set at start where `CONFIG SET` is allowed, otherwise configure the server. Events sent
 * while this connection is down are lost, so every (re)connect also triggers a sweep.
 * ioredis-mock sends no keyspace events: in dev mode the sweeper alone releases holds.
 */
@Injectable()
export class HoldExpiryListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HoldExpiryListener.name);
  private subscriber?: Redis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly expiry: HoldExpiry,
    private readonly sweeper: HoldSweeper,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.redis.kind === 'mock') return;
    await this.enableExpiredEvents();
    // A restarted or newly promoted server may lack the setting (it is not replicated).
    this.redis.on('ready', () => void this.enableExpiredEvents());
    const channel = `__keyevent@${redisDbNumber(this.redis)}__:expired`;
    const subscriber = createRedis(this.config.redis, 'subscriber', 'seat-booking-expiry');
    subscriber.on('error', () => undefined);
    subscriber.on('ready', () => void this.sweeper.run());
    subscriber.on('message', (_channel: string, key: string) => {
      const lock = parseLockKey(key);
      if (!lock) return;
      this.expiry.releaseSeats([lock.seatId], 'event').catch((error: Error) => {
        this.logger.warn(`Expiry event for ${lock.seatId} not applied (the sweeper will): ${describeError(error)}`);
      });
    });
    this.subscriber = subscriber;
    // Not awaited: with Redis down the service still starts; ioredis subscribes once connected
    // and re-subscribes after every reconnect.
    subscriber.subscribe(channel).catch((error: Error) => this.logger.warn(`Subscribe to ${channel} failed: ${describeError(error)}`));
  }

  /** Stops listening (used at shutdown, and by tests that simulate a lost listener). */
  stop(): void {
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  private async enableExpiredEvents(): Promise<void> {
    try {
      const [, current = ''] = (await this.redis.config('GET', 'notify-keyspace-events')) as string[];
      const hasExpired = current.includes('E') && (current.includes('x') || current.includes('A'));
      if (!hasExpired) await this.redis.config('SET', 'notify-keyspace-events', `${current}Ex`);
    } catch (error) {
      this.logger.warn(
        `Could not enable keyspace events (${(error as Error).message}); set "notify-keyspace-events Ex" in the Redis configuration. Until then the sweeper releases expired holds.`,
      );
    }
  }
}
