import { APP_CONFIG, type AppConfig } from '@app/config';
import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedis } from './redis.factory.js';

/** The command connection (locks, idempotency records). Other roles open their own. */
export const REDIS = Symbol('REDIS');

async function connectCommands(config: AppConfig): Promise<Redis> {
  const redis = createRedis(config.redis, 'commands');
  const logger = new Logger('Redis');
  // Log an outage once, not every reconnect attempt.
  let healthy = true;
  redis.on('error', (error) => {
    if (healthy) logger.warn(`Redis unreachable, writes answer 503 until it is back: ${error.message}`);
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) logger.log('Redis is back');
    healthy = true;
  });
  // Wait briefly for the first connection; if Redis is down the service still starts, serves
  // reads from the database and answers writes with 503 until Redis is back.
  await new Promise<void>((resolve) => {
    if (redis.status === 'ready') return resolve();
    const timer = setTimeout(resolve, 3000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (config.redis.kind === 'mock') logger.log('Dev mode: in-process mock Redis');
  return redis;
}

@Global()
@Module({
  providers: [{ provide: REDIS, inject: [APP_CONFIG], useFactory: connectCommands }],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
