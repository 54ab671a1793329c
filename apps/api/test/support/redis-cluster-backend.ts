import { type AppConfig, loadConfig } from '@app/config';
import { execFileSync } from 'node:child_process';
import { asCluster } from '@app/redis';
import { Cluster, type Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisCluster } from '../../../infra-local/src/redis-cluster.js';
import { type Backend, TEST_ADMIN_TOKEN, testDatabase } from './backends.js';

const inCi = process.env.CI === 'true';

function hasRedisTools(): boolean {
  try {
    execFileSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version']);
    execFileSync(process.env.REDIS_CLI_BIN ?? 'redis-cli', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * One local cluster per test file (each file runs in a process of its own), started on first use
 * and stopped after the file's last test. (An exit hook is not enough: vitest ends its worker
 * processes with a signal, and the nodes would outlive them.)
 */
let started: Promise<RedisCluster> | undefined;
export function localCluster(): Promise<RedisCluster> {
  started ??= RedisCluster.start();
  return started;
}
afterAll(async () => {
  await (await started?.catch(() => undefined))?.stop();
  started = undefined;
});

/** Empties every master of the cluster the client is connected to (a plain Redis: its db). */
export async function flushAll(redis: Redis): Promise<void> {
  const cluster = asCluster(redis);
  if (!cluster) {
    await redis.flushdb();
    return;
  }
  await Promise.all(cluster.nodes('master').map((node) => node.flushdb()));
}

/**
 * PostgreSQL and a local 6-node Redis Cluster (3 masters, 3 replicas) of the test file's own:
 * the same end-to-end suites, with every Redis role on the cluster.
 */
export const clusterBackend: Backend & { cluster(): Promise<RedisCluster> } = {
  name: 'postgres+redis-cluster',
  available: inCi || hasRedisTools(),
  cluster: localCluster,
  async provision(env = {}) {
    const cluster = await localCluster();
    const seeds = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
    await flushAll(seeds as unknown as Redis).finally(() => seeds.disconnect());
    const database = await testDatabase();
    const config: AppConfig = loadConfig({
      DATABASE_URL: database.url,
      REDIS_CLUSTER_NODES: cluster.seeds,
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...env,
    });
    return { config, cleanup: database.drop };
  },
};
