export { LuaScript } from './lua-script.js';
export { createRedis, redisDbNumber, type RedisRole } from './redis.factory.js';
export { isRedisUnavailable, redisCall } from './redis-errors.js';
export { REDIS, RedisModule } from './redis.module.js';
