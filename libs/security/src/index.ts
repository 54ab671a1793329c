export { AdminGuard, WriteAuthGuard } from './auth.js';
export { type Caller, Callers } from './callers.js';
export { RedisThrottlerStorage, writeThrottlers, WriteThrottlerGuard } from './rate-limit.js';
export { ForbiddenError, RateLimitedError, UnauthenticatedError } from './security.errors.js';
export { SecurityModule } from './security.module.js';
