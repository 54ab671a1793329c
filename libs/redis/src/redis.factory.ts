import type { RedisConfig } from '@app/config';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import RedisMock from 'ioredis-mock';

/**
 * Each role gets its own connection: commands must fail fast (a write answers 503 instead of
 * waiting), while the subscriber should queue its SUBSCRIBE until it is connected.
 */
export type RedisRole = 'commands' | 'subscriber' | 'pubsub';

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  // Auto-pipelining: commands issued in the same tick (by concurrent requests) share one write.
  commands: { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000, enableAutoPipelining: true },
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
      return new RedisMock(options);
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
    case 'cluster':
      return createCluster(config, role, options) as unknown as Redis;
  }
}

/**
 * Redirections (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, a closed node connection) are retried by
 * ioredis up to `maxRedirections` times, at most `retryDelayOnFailover` apart: with 5 × 100 ms a
 * command to a slot whose master is gone gives up within 0.1–0.4 s (measured; some retries are
 * immediate). A write makes up to four Redis calls in a row, so it answers 503 well within the
 * contract's 2 s instead of waiting out the cluster's node timeout; the client retries with its
 * Idempotency-Key. A normal MOVED or ASK takes one redirection.
 */
export const CLUSTER_RETRY = {
  retryDelayOnFailover: 100,
  retryDelayOnClusterDown: 100,
  retryDelayOnTryAgain: 100,
  maxRedirections: 5,
} as const;

function createCluster(config: Extract<RedisConfig, { kind: 'cluster' }>, role: RedisRole, options: RedisOptions): Cluster {
  const { enableOfflineQueue, enableAutoPipelining: _, retryStrategy: __, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = {
    ...CLUSTER_RETRY,
    enableOfflineQueue,
    // Off in cluster mode: auto-pipelined writes were seen lost after a slot moved (ioredis issue).
    enableAutoPipelining: false,
    // Follow failovers and resharding even when no command hits a MOVED (an idle subscriber).
    slotsRefreshInterval: 2000,
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    natMap: config.natMap,
    redisOptions: { ...redisOptions, password: config.password },
    // The socket.io adapter's pub/sub uses SPUBLISH/SSUBSCRIBE on the node owning each channel.
    shardedSubscribers: role !== 'commands',
  };
  return new Cluster(config.nodes, clusterOptions);
}

/**
 * A subscriber connection to one node of the cluster (keyspace events are delivered only by the
 * node that holds the key, and a cluster client's own node connections must not be put in
 * subscriber mode).
 */
export function createNodeSubscriber(
  config: Extract<RedisConfig, { kind: 'cluster' }>,
  node: { host: string; port: number },
  connectionName: string,
): Redis {
  return new Redis({
    ...COMMON,
    ...ROLE_OPTIONS.subscriber,
    host: node.host,
    port: node.port,
    password: config.password,
    connectionName: `${connectionName}:subscriber`,
  });
}

/** The client as a cluster, when it is one. */
export function asCluster(client: Redis): Cluster | undefined {
  return (client as unknown as { isCluster?: boolean }).isCluster ? (client as unknown as Cluster) : undefined;
}

/** The logical database number whose keyspace events concern us (`/N` in the URL). */
export function redisDbNumber(client: Redis): number {
  return Number(client.options.db ?? 0);
}
