export { IdempotencyKeyInUseError, IdempotencyKeyReusedError, InvalidIdempotencyKeyError } from './idempotency.errors.js';
export { IdempotencyContext, Idempotent, IdempotencyInterceptor, setIdempotencyScope } from './idempotency.interceptor.js';
export { canonicalJson, MAX_KEY_LENGTH, parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';
export { IdempotencyModule } from './idempotency.module.js';
export { IdempotencyRecords } from './idempotency.records.js';
export { IdempotencyStore, IN_PROGRESS_TTL_MS } from './idempotency.store.js';
export { type IdempotencyRef, StoredResponse } from './stored-response.js';
