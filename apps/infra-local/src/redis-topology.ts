import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findUp } from '@app/common';
import { Redis } from 'ioredis';

/**
 * The production Redis topology (master, replica, three sentinels) started natively on loopback
 * ports from the very configuration files in `docker/redis/`, each node in its own directory under
 * one temporary folder. Used by `npm run infra:local` and the failover / restart tests.
 */

/** `docker/redis/` of this checkout, found from here whether running from source or from dist/. */
export const CONFIG_DIR = configDir();

function configDir(): URL {
  const dir = findUp(new URL('.', import.meta.url), 'docker/redis/');
  if (!dir) throw new Error('docker/redis/ not found above this checkout');
  return dir;
}
export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const MASTER_NAME = 'mymaster';

// Never leave redis-server processes behind, even if the owner crashes or forgets to stop.
const live = new Set<RedisNode>();
process.once('exit', () => {
  for (const node of live) {
    if (node.pid) {
      try {
        process.kill(node.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

export type NodeRole = 'master' | 'replica' | 'sentinel';

/** One redis-server process; it can be killed and started again on the same port and data. */
export class RedisNode {
  private child?: ChildProcess;

  constructor(
    readonly name: string,
    readonly role: NodeRole,
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const log = openSync(join(this.dir, 'redis.log'), 'a');
    this.child = spawn(REDIS_SERVER, this.args, { cwd: this.dir, stdio: ['ignore', log, log] });
    live.add(this);
    try {
      await waitFor(`${this.name} to answer PING`, async () => (await this.command((redis) => redis.ping())) === 'PONG');
    } catch (error) {
      const log = readFileSync(join(this.dir, 'redis.log'), 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(`${(error as Error).message} (port ${this.port}); its log ends:\n${log}`, { cause: error });
    }
  }

  /** Stops the process with `signal` (SIGKILL: a crash, no final fsync) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    live.delete(this);
  }

  /** Runs one command on a short-lived connection, or returns undefined if the node is unreachable. */
  async command<T>(work: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    const redis = new Redis({
      port: this.port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 500,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await work(redis);
    } catch {
      return undefined;
    } finally {
      redis.disconnect();
    }
  }

  /** This node's view of replication (`INFO replication` as key → value). */
  async replication(): Promise<Record<string, string>> {
    const text = (await this.command((redis) => redis.info('replication'))) ?? '';
    return Object.fromEntries(
      text
        .split(/\r?\n/)
        .filter((line) => line.includes(':'))
        .map((line) => line.split(':', 2) as [string, string]),
    );
  }
}

export interface TopologyOptions {
  /** Number of sentinels (default 3, quorum 2). */
  sentinels?: number;
  /** Without a replica and sentinels: one master, e.g. for AOF restart tests. */
  standalone?: boolean;
}

export class RedisTopology {
  private constructor(
    readonly root: string,
    readonly master: RedisNode,
    readonly replica: RedisNode | undefined,
    readonly sentinels: RedisNode[],
  ) {}

  static start(options: TopologyOptions = {}): Promise<RedisTopology> {
    return retryOnPortClash(() => RedisTopology.startOnce(options));
  }

  private static async startOnce(options: TopologyOptions): Promise<RedisTopology> {
    const root = mkdtempSync(join(tmpdir(), 'seat-redis-'));
    const started: RedisNode[] = [];
    const start = async (node: RedisNode) => {
      started.push(node);
      await node.start();
      return node;
    };
    try {
      const master = await start(dataNode(root, 'master', await freePort()));
      if (options.standalone) return new RedisTopology(root, master, undefined, []);

      const replica = await start(dataNode(root, 'replica', await freePort(), master.port));
      const sentinels: RedisNode[] = [];
      for (let i = 1; i <= (options.sentinels ?? 3); i++)
        sentinels.push(sentinelNode(root, `sentinel-${i}`, await freePort(), master.port));
      await Promise.all(sentinels.map(start));
      const topology = new RedisTopology(root, master, replica, sentinels);
      await topology.settle();
      return topology;
    } catch (error) {
      await Promise.all(started.map((node) => node.kill()));
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** `REDIS_SENTINELS` for the API. */
  get sentinelList(): string {
    return this.sentinels.map((node) => node.address).join(',');
  }

  /** `REDIS_URL` for the API when standalone. */
  get url(): string {
    return `redis://${this.master.address}`;
  }

  /** The master's port as the sentinels currently see it. */
  async masterPort(): Promise<number | undefined> {
    for (const sentinel of this.sentinels) {
      const address = await sentinel.command(
        (redis) => redis.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME) as Promise<[string, string] | null>,
      );
      if (address) return Number(address[1]);
    }
    return undefined;
  }

  /**
   * Waits until the replica is in sync and every sentinel knows the replica and the other
   * sentinels: only then can a failover be agreed on.
   */
  async settle(timeoutMs = 30_000): Promise<void> {
    const others = this.sentinels.length - 1;
    await waitFor(
      'the replica to sync and the sentinels to find each other',
      async () => {
        const link = (await this.replica?.replication())?.master_link_status;
        if (this.replica && link !== 'up') return false;
        for (const sentinel of this.sentinels) {
          const [master] = ((await sentinel.command((redis) => redis.call('SENTINEL', 'masters'))) ?? []) as string[][];
          const fields = Object.fromEntries(pairs(master ?? []));
          if (Number(fields['num-slaves']) < 1 || Number(fields['num-other-sentinels']) < others) return false;
        }
        return true;
      },
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    const nodes = [...this.sentinels, this.replica, this.master].filter((node) => node !== undefined);
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    rmSync(this.root, { recursive: true, force: true });
  }
}

function dataNode(root: string, name: 'master' | 'replica', port: number, masterPort?: number): RedisNode {
  const dir = join(root, name);
  mkdirSync(dir);
  // Sentinel rewrites a node's file when it reconfigures it (CONFIG REWRITE), so each node runs on a copy.
  const conf = join(dir, 'redis.conf');
  copyFileSync(new URL(`redis-${name}.conf`, CONFIG_DIR), conf);
  const args = [conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
  if (masterPort !== undefined) args.push('--replicaof', '127.0.0.1', String(masterPort));
  return new RedisNode(name, name, port, dir, args);
}

/** Sentinel rewrites its own file too; its copy's monitor line names the loopback master. */
function sentinelNode(root: string, name: string, port: number, masterPort: number): RedisNode {
  const dir = join(root, name);
  mkdirSync(dir);
  const template = readFileSync(new URL('sentinel.conf', CONFIG_DIR), 'utf8');
  const monitor = /^sentinel monitor (\S+) \S+ \d+ (\d+)$/m;
  if (!monitor.test(template)) throw new Error('docker/redis/sentinel.conf has no "sentinel monitor" line');
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(conf, template.replace(monitor, `sentinel monitor $1 127.0.0.1 ${masterPort} $2`));
  return new RedisNode(name, 'sentinel', port, dir, [conf, '--sentinel', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir]);
}

function pairs(flat: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i], flat[i + 1]]);
  return result;
}

/** The first port of the OS's ephemeral range (Linux), or undefined where it cannot be read. */
export const EPHEMERAL_LOW = ephemeralRangeStart();

function ephemeralRangeStart(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 2048 ? low : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A port free right now on loopback, for a server started a moment later. It is drawn from below
 * the OS's ephemeral range: a port from that range (what `listen(0)` gives) can be taken by any
 * outgoing connection in the gap between this check and the server's bind, and a test run opens
 * thousands of them.
 */
export async function freePort(): Promise<number> {
  if (EPHEMERAL_LOW === undefined) return listenOn(0);
  const low = Math.max(1024, EPHEMERAL_LOW - 20_000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (EPHEMERAL_LOW - low));
    try {
      return await listenOn(port);
    } catch {
      // taken: draw another
    }
  }
  return listenOn(0);
}

/** Binds `port` (0: the OS picks) on loopback, closes it again and returns it. */
function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `start` again (up to three times in all) when a server it started could not bind its port:
 * another process may have drawn the same free port in the moment before the bind.
 */
export async function retryOnPortClash<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test((error as Error).message)) throw error;
    }
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
