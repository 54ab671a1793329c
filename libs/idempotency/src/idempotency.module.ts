import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyRecords } from './idempotency.records.js';
import { IdempotencyStore } from './idempotency.store.js';

@Module({
  providers: [IdempotencyStore, IdempotencyRecords, IdempotencyInterceptor],
  exports: [IdempotencyStore, IdempotencyRecords, IdempotencyInterceptor],
})
export class IdempotencyModule {}
