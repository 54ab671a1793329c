import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';

describe(loadConfig.name, () => {
  it('defaults to dev mode: SQLite file, mock Redis, demo data, 60 s holds, a made-up admin token', () => {
    const config = loadConfig({});
    expect(config.admin).toEqual({ token: expect.stringMatching(/^[\w-]{32}$/), generated: true });
    expect(loadConfig({}).admin!.token).not.toBe(config.admin!.token);
    expect({ ...config, admin: undefined }).toEqual({
      port: 3000,
      host: '127.0.0.1',
      database: { kind: 'sqlite', path: './data/dev.sqlite' },
      redis: { kind: 'mock' },
      holdTtlSeconds: 60,
      holdMaxSeconds: 900,
      idempotencyTtlSeconds: 86_400,
      redisShowGraceMs: 86_400_000,
      redisReconcileIntervalMs: 300_000,
      seedDemo: true,
      sweepIntervalMs: 2000,
      liveBatchMs: 100,
      corsOrigins: [],
      trustProxy: undefined,
      rateLimit: { perUserPerMinute: 0, perIpPerMinute: 0 },
      logLevel: 'info',
      shutdownGraceMs: 10_000,
      admin: undefined,
      webhooks: { allowPrivateUrls: true, retrySchedule: [5, 300, 1800, 7200, 18000, 36000, 36000] },
      auth: undefined,
    });
  });

  it('takes ADMIN_TOKEN as given, and makes none up outside dev mode', () => {
    const token = 'a'.repeat(32);
    expect(loadConfig({ ADMIN_TOKEN: token }).admin).toEqual({ token, generated: false });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).admin).toBeUndefined();
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(/^ADMIN_TOKEN must be at least 32 characters$/);
    expect(() => loadConfig({ ADMIN_TOKEN: `${'a'.repeat(32)} b` })).toThrow(/^ADMIN_TOKEN must be printable ASCII/);
  });

  it('reads CORS origins, rate limits and the authentication key', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      RATE_LIMIT_USER_PER_MINUTE: '30',
      RATE_LIMIT_IP_PER_MINUTE: '600',
      AUTH_JWKS_URL: 'https://id.example/.well-known/jwks.json',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(config.rateLimit).toEqual({ perUserPerMinute: 30, perIpPerMinute: 600 });
    expect(config.auth).toEqual({ kind: 'jwks', url: 'https://id.example/.well-known/jwks.json' });
    expect(loadConfig({ CORS_ORIGINS: '*', AUTH_JWT_SECRET: 'x'.repeat(32) })).toMatchObject({
      corsOrigins: '*',
      auth: { kind: 'secret' },
    });
  });

  it('selects PostgreSQL and Redis from URLs, and stops seeding by default', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/app', REDIS_URL: 'redis://cache:6379/2' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://db/app', poolSize: 10 });
    expect(config.redis).toEqual({ kind: 'url', url: 'redis://cache:6379/2' });
    expect(config.seedDemo).toBe(false);
  });

  it('parses sentinels, preferring them over REDIS_URL', () => {
    const config = loadConfig({ REDIS_SENTINELS: 's1:26379, [::1]:26380', REDIS_URL: 'redis://x', REDIS_SENTINEL_NAME: 'seats' });
    expect(config.redis).toMatchObject({
      kind: 'sentinel',
      name: 'seats',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
    });
  });

  it('parses cluster seed nodes, a password and a NAT map', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000,[::1]:7001',
      REDIS_PASSWORD: 'secret',
      REDIS_CLUSTER_NAT_MAP: '{"10.0.0.1:7000":{"host":"redis-1.example","port":17000}}',
    });
    expect(config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      password: 'secret',
      natMap: { '10.0.0.1:7000': { host: 'redis-1.example', port: 17000 } },
    });
  });

  it.each(['REDIS_URL', 'REDIS_SENTINELS'])('refuses REDIS_CLUSTER_NODES combined with %s', (other) => {
    const env = { REDIS_CLUSTER_NODES: 'h:7000', [other]: other === 'REDIS_URL' ? 'redis://x' : 's1:26379' };
    expect(() => loadConfig(env)).toThrow(new RegExp(`^REDIS_CLUSTER_NODES cannot be combined with ${other}`));
  });

  it.each([
    ['REDIS_CLUSTER_NODES', 'h:7000,nohost'],
    ['REDIS_CLUSTER_NODES', 'h:0'],
    ['DATABASE_POOL_SIZE', '0'],
  ])('rejects %s=%s with an error naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value, DATABASE_URL: 'postgres://db/app' })).toThrow(new RegExp(`^${variable} `));
  });

  it.each(['[1]', '{"a:1":{"host":"b"}}', 'not json', '{"a:1":{"host":"b","port":70000}}'])('rejects REDIS_CLUSTER_NAT_MAP=%s', (value) => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'h:7000', REDIS_CLUSTER_NAT_MAP: value })).toThrow(
      /^REDIS_CLUSTER_NAT_MAP must be a JSON object/,
    );
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['HOLD_TTL_SECONDS', '0'],
    ['HOLD_TTL_SECONDS', '1.5'],
    ['IDEMPOTENCY_TTL_SECONDS', '-1'],
    ['SEED_DEMO', 'maybe'],
    ['DATABASE_URL', 'mysql://db'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_SENTINELS', 'host-without-port'],
    ['CORS_ORIGINS', 'tickets.example'],
    ['LOG_LEVEL', 'loud'],
    ['RATE_LIMIT_USER_PER_MINUTE', '-5'],
    ['AUTH_JWT_SECRET', 'too-short'],
    ['AUTH_JWKS_URL', 'file:///etc/keys'],
  ])('rejects %s=%s with an error naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable} `));
  });

  it("reads how long a show's Redis keys outlive its start (hours, fractions allowed) and how often they are reconciled", () => {
    const config = loadConfig({ REDIS_SHOW_GRACE_HOURS: '0.5', REDIS_RECONCILE_INTERVAL_MS: '1000' });
    expect(config.redisShowGraceMs).toBe(1_800_000);
    expect(config.redisReconcileIntervalMs).toBe(1000);
    expect(() => loadConfig({ REDIS_SHOW_GRACE_HOURS: '-1' })).toThrow(/^REDIS_SHOW_GRACE_HOURS must be a number from 0 to 8760/);
    expect(() => loadConfig({ REDIS_RECONCILE_INTERVAL_MS: '10' })).toThrow(/^REDIS_RECONCILE_INTERVAL_MS must be an integer from 500/);
  });

  it('reads the webhook settings: private URLs only in dev mode by default, and the retry schedule', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).webhooks.allowPrivateUrls).toBe(false);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }).webhooks.allowPrivateUrls).toBe(false);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '1, 10,600' }).webhooks.retrySchedule).toEqual([1, 10, 600]);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '5,soon' })).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0' })).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
  });
});
