import { CLUSTER_RETRY } from '@app/redis';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * No Docker engine runs here, so the deployment files are checked statically: the compose file
 * parses and wires what the README promises, every file it mounts exists, and the Dockerfile
 * follows the rules we hold it to. The Redis configuration files themselves are exercised for
 * real by the failover and restart tests, which start redis-server from them.
 */
const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface Service {
  image?: string;
  profiles?: string[];
  restart?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const names = Object.keys(services);
const apis = names.filter((name) => /^api-\d+$/.test(name));
const sentinels = names.filter((name) => /^sentinel-\d+$/.test(name));
const inProfile = (name: string, profile: string) => services[name].profiles?.includes(profile) ?? false;
const clusterNodes = names.filter((name) => /^redis-node-\d+$/.test(name));
const clusterApis = names.filter((name) => /^api-cluster-\d+$/.test(name));
/** One-shot services (they run to completion; others wait for them to have succeeded). */
const oneShots = names.filter((name) => services[name].restart === 'no');

describe('docker-compose.yml', () => {
  it('has PostgreSQL, a Redis master and replica, three sentinels, two or more APIs and a load balancer', () => {
    expect(names).toEqual(expect.arrayContaining(['postgres', 'redis-master', 'redis-replica', 'lb']));
    expect(sentinels).toHaveLength(3);
    expect(apis.length).toBeGreaterThanOrEqual(2);
  });

  it('gives every long-running service a health check, and starts each only after what it depends on is healthy (or done)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!oneShots.includes(name)) expect(service.healthcheck?.test, name).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(names, `${name} depends on ${dependency}`).toContain(dependency);
        expect(condition).toBe(oneShots.includes(dependency) ? 'service_completed_successfully' : 'service_healthy');
        // A service outside a profile never waits for one that only starts with it.
        if (!service.profiles) expect(services[dependency].profiles, `${name} depends on ${dependency}`).toBeUndefined();
      }
    }
  });

  it('publishes only the load balancers, and routes each to its API instances', () => {
    const published = names.filter((name) => services[name].ports?.length);
    expect(published).toEqual(['lb', 'lb-cluster']);
    const server = read('docker/seat-booking-server.conf');
    expect(server).toMatch(/proxy_set_header Upgrade \$http_upgrade/); // socket.io WebSockets
    for (const [lb, conf, instances] of [
      ['lb', 'docker/nginx.conf', apis],
      ['lb-cluster', 'docker/nginx-cluster.conf', clusterApis],
    ] as const) {
      const nginx = read(conf);
      const upstream = [...nginx.matchAll(/^\s*server (api-[a-z-]*\d+):3000\b/gm)].map((match) => match[1]);
      expect(upstream.sort(), conf).toEqual([...instances].sort());
      expect(nginx).toMatch(/^\s*include \/etc\/nginx\/seat-booking-server\.conf;$/m);
      expect(services[lb].volumes).toEqual(
        expect.arrayContaining([
          `./${conf}:/etc/nginx/nginx.conf:ro`,
          './docker/seat-booking-server.conf:/etc/nginx/seat-booking-server.conf:ro',
        ]),
      );
    }
  });

  it('has a cluster profile with six cluster nodes, a one-shot that forms the cluster, two APIs on it and their own database', () => {
    expect(clusterNodes).toHaveLength(6);
    expect(clusterApis.length).toBeGreaterThanOrEqual(2);
    for (const name of [...clusterNodes, ...clusterApis, 'redis-cluster-create', 'lb-cluster'])
      expect(inProfile(name, 'cluster'), name).toBe(true);
    const clusterPort = Number(/^port (\d+)$/m.exec(read('docker/redis/redis-cluster.conf'))![1]);
    const create = services['redis-cluster-create'].command!.join(' ');
    expect(create).toMatch(/--cluster create .*--cluster-replicas 1/);
    expect(create).toContain(`redis-node-$$i | cut -d' ' -f1):${clusterPort}`);
    for (const name of clusterApis) {
      const env = services[name].environment!;
      expect(env.REDIS_CLUSTER_NODES.split(',').sort()).toEqual(clusterNodes.map((node) => `${node}:${clusterPort}`).sort());
      expect(env.REDIS_SENTINELS).toBeUndefined();
      expect(env.REDIS_URL).toBeUndefined();
      expect(new URL(env.DATABASE_URL).pathname).toBe('/seats_cluster');
    }
    expect(read('docker/postgres/create-cluster-database.sql')).toMatch(/^CREATE DATABASE seats_cluster OWNER seats;$/m);
  });

  it('mounts only files that exist, and keeps data in named volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source.startsWith('./')) expect(existsSync(new URL(source, root)), `${name} mounts ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name} uses volume ${source}`).toContain(source);
      }
    }
    for (const name of ['postgres', 'redis-master', 'redis-replica', ...sentinels, ...clusterNodes]) {
      expect(
        services[name].volumes?.some((volume) => !volume.startsWith('./')),
        `${name} keeps its data`,
      ).toBe(true);
    }
  });

  it('points the APIs at the database and the sentinels that exist', () => {
    const sentinelPort = Number(/^port (\d+)$/m.exec(read('docker/redis/sentinel.conf'))![1]);
    for (const name of apis) {
      const env = services[name].environment!;
      expect(existsSync(new URL(services[name].build!.dockerfile, root))).toBe(true);
      expect(new URL(env.DATABASE_URL).hostname).toBe('postgres');
      expect(env.REDIS_SENTINELS.split(',').sort()).toEqual(sentinels.map((sentinel) => `${sentinel}:${sentinelPort}`).sort());
      expect(env.HOST).toBe('0.0.0.0');
    }
  });
});

describe('docker/redis configuration', () => {
  const master = read('docker/redis/redis-master.conf');
  const replica = read('docker/redis/redis-replica.conf');
  const sentinel = read('docker/redis/sentinel.conf');

  it('persists with AOF fsynced every second and emits expiry events on every data node', () => {
    for (const conf of [master, replica]) {
      expect(conf).toMatch(/^appendonly yes$/m);
      expect(conf).toMatch(/^appendfsync everysec$/m);
      expect(conf).toMatch(/^notify-keyspace-events Ex$/m);
      expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    }
  });

  it('runs the cluster nodes as a cluster with a short node timeout, and with the same persistence and events', () => {
    const cluster = read('docker/redis/redis-cluster.conf');
    expect(cluster).toMatch(/^cluster-enabled yes$/m);
    const nodeTimeout = Number(/^cluster-node-timeout (\d+)$/m.exec(cluster)![1]);
    // A command retries redirections for at most maxRedirections × the delay (CLUSTER_RETRY), then the
    // write answers 503: the node timeout is longer, so a failover is seen as 503s, then success.
    expect(nodeTimeout).toBeGreaterThan(CLUSTER_RETRY.maxRedirections * CLUSTER_RETRY.retryDelayOnFailover);
    expect(nodeTimeout).toBeLessThanOrEqual(5000);
    expect(cluster).toMatch(/^appendonly yes$/m);
    expect(cluster).toMatch(/^appendfsync everysec$/m);
    expect(cluster).toMatch(/^notify-keyspace-events Ex$/m);
    expect(cluster).toMatch(/^maxmemory-policy noeviction$/m);
  });

  it('has the replica follow the master, and the sentinels agree on it with a majority quorum', () => {
    expect(replica).toMatch(/^replicaof redis-master 6379$/m);
    const [, name, host, port, quorum] = /^sentinel monitor (\S+) (\S+) (\d+) (\d+)$/m.exec(sentinel)!;
    expect([name, host, port]).toEqual([services['api-1'].environment!.REDIS_SENTINEL_NAME, 'redis-master', '6379']);
    expect(Number(quorum)).toBe(Math.floor(sentinels.length / 2) + 1);
    const downAfter = Number(/^sentinel down-after-milliseconds \S+ (\d+)$/m.exec(sentinel)![1]);
    expect(downAfter).toBeGreaterThanOrEqual(1000);
    expect(downAfter).toBeLessThanOrEqual(5000);
  });
});

describe('docker/api.Dockerfile', () => {
  const dockerfile = read('docker/api.Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it('builds in one stage and runs from another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm ci/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
  });

  it('runs as an unprivileged user, with only production files, a health check and exec-form CMD', () => {
    expect(runtime).toMatch(/^USER (?!root\b)\S+$/m);
    expect(runtime).not.toMatch(/^COPY (?!--from)/m); // nothing from the build context directly
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/health\/ready/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/apps\/api\/src\/main\.js"\]$/m);
    expect(runtime).toMatch(/NODE_ENV=production/);
  });

  it('leaves local build output and dependencies out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });
});
