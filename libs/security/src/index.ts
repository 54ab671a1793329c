export { ForbiddenError, UnauthenticatedError, WriteAuthGuard } from './auth.js';
export { RateLimitedError, RedisThrottlerStorage, writeThrottlers, WriteThrottlerGuard } from './rate-limit.js';
export { SecurityModule } from './security.module.js';
