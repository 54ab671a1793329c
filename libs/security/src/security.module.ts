import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/redis';
import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { AdminGuard, WriteAuthGuard } from './auth.js';
import { Callers } from './callers.js';
import { RedisThrottlerStorage, writeThrottlers, WriteThrottlerGuard } from './rate-limit.js';

/** Who may write, and how often: the guards of the write endpoints. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({ throttlers: writeThrottlers(config), storage: new RedisThrottlerStorage(redis) }),
    }),
  ],
  providers: [Callers, WriteAuthGuard, AdminGuard, WriteThrottlerGuard],
  exports: [Callers, WriteAuthGuard, AdminGuard, WriteThrottlerGuard, ThrottlerModule],
})
export class SecurityModule {}
