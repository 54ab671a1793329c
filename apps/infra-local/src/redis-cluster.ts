import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CONFIG_DIR, freePort, RedisNode, retryOnPortClash, waitFor } from './redis-topology.js';

const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';

export interface ClusterOptions {
  /** Masters (at least 3, as Redis Cluster needs for a majority); each gets `replicas` replicas. */
  masters?: number;
  replicas?: number;
}

/**
 * A Redis Cluster on loopback ports (3 masters and 3 replicas by default), every node running
 * `docker/redis/redis-cluster.conf` from a directory of its own under one temporary folder. Used by
 * `npm run infra:local -- --cluster` and the cluster tests.
 */
export class RedisCluster {
  private constructor(
    readonly root: string,
    readonly nodes: RedisNode[],
  ) {}

  static start(options: ClusterOptions = {}): Promise<RedisCluster> {
    return retryOnPortClash(() => RedisCluster.startOnce(options));
  }

  private static async startOnce(options: ClusterOptions): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicas ?? 1;
    const root = mkdtempSync(join(tmpdir(), 'seat-redis-cluster-'));
    const nodes: RedisNode[] = [];
    try {
      for (let i = 1; i <= masters * (1 + replicas); i++) nodes.push(clusterNode(root, `node-${i}`, await freePort(), await freePort()));
      await Promise.all(nodes.map((node) => node.start()));
      const addresses = nodes.map((node) => node.address);
      await promisify(execFile)(REDIS_CLI, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes']);
      const cluster = new RedisCluster(root, nodes);
      await cluster.settle();
      return cluster;
    } catch (error) {
      await Promise.all(nodes.map((node) => node.kill()));
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** `REDIS_CLUSTER_NODES` for the API. */
  get seeds(): string {
    return this.nodes.map((node) => node.address).join(',');
  }

  /** Waits until every running node says `cluster_state:ok` (every slot has a reachable master). */
  async settle(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      'every node to report cluster_state:ok',
      async () => {
        for (const node of this.nodes.filter((n) => n.running)) {
          const info = await node.command((redis) => redis.cluster('INFO'));
          if (!info?.includes('cluster_state:ok')) return false;
        }
        return true;
      },
      timeoutMs,
    );
  }

  /** The running node that serves `key`'s slot as master, as the running nodes see it. */
  async masterOf(key: string): Promise<RedisNode> {
    const slot = await this.nodes.find((node) => node.running)!.command((redis) => redis.cluster('KEYSLOT', key));
    for (const node of this.nodes.filter((n) => n.running)) {
      const slots = (await node.command((redis) => redis.cluster('SLOTS'))) ?? [];
      const range = slots.find(([from, to]) => slot !== undefined && from <= slot && slot <= to);
      const owner = range && this.nodes.find((n) => n.port === range[2]?.[1]);
      if (owner?.running) return owner;
    }
    throw new Error(`No running master serves the slot of ${key}`);
  }

  /** The running masters (by their own `ROLE`). */
  async masters(): Promise<RedisNode[]> {
    const roles = await Promise.all(
      this.nodes.map(async (node) => (node.running ? await node.command((redis) => redis.role() as Promise<[string]>) : undefined)),
    );
    return this.nodes.filter((_, i) => roles[i]?.[0] === 'master');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill('SIGKILL')));
    rmSync(this.root, { recursive: true, force: true });
  }
}

function clusterNode(root: string, name: string, port: number, busPort: number): RedisNode {
  const dir = join(root, name);
  mkdirSync(dir);
  // The node rewrites nodes.conf, not this file; a copy keeps every node's directory self-contained.
  const conf = join(dir, 'redis.conf');
  copyFileSync(new URL('redis-cluster.conf', CONFIG_DIR), conf);
  const args = [conf, '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', dir];
  return new RedisNode(name, 'master', port, dir, args);
}
