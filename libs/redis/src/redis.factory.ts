import type { RedisConfig } from '@app/config';
import { Redis, type RedisOptions } from 'ioredis';
import RedisMock from 'ioredis-mock';

/**
 * Each role gets its own connection: commands must fail fast (a write answers 503 instead of
 * waiting), while the subscriber should queue its SUBSCRIBE until it is connected.
 */
export type RedisRole = 'commands' | 'subscriber' | 'pubsub';

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  commands: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000 },
  subscriber: { enableOfflineQueue: true, maxRetriesPerRequest: null },
  pubsub: { enableOfflineQueue: true, maxRetriesPerRequest: null },
};

const COMMON: RedisOptions = {
  connectTimeout: 2000,
  // Reconnect forever, quickly at first: the service must recover by itself.
  retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  lazyConnect: false,
};

export function createRedis(config: RedisConfig, role: RedisRole, connectionName = 'seat-booking'): Redis {
  const options: RedisOptions = { ...COMMON, ...ROLE_OPTIONS[role], connectionName: `${connectionName}:${role}` };
  switch (config.kind) {
    case 'mock':
      // All mock instances in a process share one keyspace, like clients of one server.
      return new RedisMock(options) as unknown as Redis;
    case 'url':
      return new Redis(config.url, options);
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: config.sentinels,
        name: config.name,
        password: config.password,
        sentinelPassword: config.sentinelPassword,
        sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
        // A demoted master answers READONLY; reconnect so ioredis asks the sentinels again.
        reconnectOnError: (error) => (/READONLY/.test(error.message) ? 2 : false),
      });
  }
}

/** The logical database number whose keyspace events concern us (`/N` in the URL). */
export function redisDbNumber(client: Redis): number {
  return Number(client.options.db ?? 0);
}
