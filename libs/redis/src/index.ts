export { LuaScript } from './lua-script.js';
export { asCluster, CLUSTER_RETRY, createNodeSubscriber, createRedis, redisDbNumber, type RedisRole } from './redis.factory.js';
export { isRedisUnavailable, redisCall, withRedisBudget } from './redis-errors.js';
export { REDIS, RedisModule } from './redis.module.js';
