export { AdminGuard, WriteAuthGuard } from './auth.js';
export { type Caller, Callers, ForbiddenError, UnauthenticatedError } from './callers.js';
export { RateLimitedError, RedisThrottlerStorage, writeThrottlers, WriteThrottlerGuard } from './rate-limit.js';
export { SecurityModule } from './security.module.js';
