import { randomBytes } from 'node:crypto';

/**
 * The service's configuration, read once from the environment at start.
 * Nothing else in the code base reads `process.env`.
 */
export interface AppConfig {
  port: number;
  host: string;
  /** `postgres` when DATABASE_URL is set; `sqlite` (dev mode) otherwise. */
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'sqlite'; path: string };
  redis: RedisConfig;
  holdTtlSeconds: number;
  /** The longest a seat may stay held from its first grant, extensions included (never below the TTL). */
  holdMaxSeconds: number;
  idempotencyTtlSeconds: number;
  /** How long after a show starts its Redis keys (BOOKED markers, version, change record) live, in ms. */
  redisShowGraceMs: number;
  /** How often one instance compares Redis's markers and locks with the database, in ms. */
  redisReconcileIntervalMs: number;
  seedDemo: boolean;
  /** How often each instance sweeps expired holds (the safety net behind keyspace events). */
  sweepIntervalMs: number;
  /** How long an instance gathers a show's changes before emitting them as one `seats:changed` (0: at once). */
  liveBatchMs: number;
  /** Origins allowed by CORS (REST and socket.io); empty: same origin only; `*`: any. */
  corsOrigins: string[] | '*';
  /** Express `trust proxy`: which proxies' X-Forwarded-For to believe for the client address. */
  trustProxy?: string;
  /** Writes allowed per minute per userId and per client IP, across instances; 0 turns a limit off. */
  rateLimit: { perUserPerMinute: number; perIpPerMinute: number };
  /** Minimum level of the JSON logs (pino): fatal, error, warn, info, debug, trace or silent. */
  logLevel: LogLevel;
  /** How long a stopping process (SIGTERM) lets in-flight requests finish before it exits anyway. */
  shutdownGraceMs: number;
  /**
   * Bearer token of the admin endpoints. Unset in dev mode: made up at start (and printed), so
   * a newcomer can create a show at once. Unset otherwise: the admin endpoints always answer 401.
   */
  admin?: { token: string; generated: boolean };
  /** Booking webhooks: whether URLs on private, loopback and link-local addresses are allowed; seconds before each retry. */
  webhooks: { allowPrivateUrls: boolean; retrySchedule: number[] };
  /** Bearer-token authentication of writes; off (undefined) unless a secret or a JWKS URL is set. */
  auth?: { kind: 'secret'; secret: string } | { kind: 'jwks'; url: string };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type RedisConfig =
  | { kind: 'mock' }
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; password?: string; sentinelPassword?: string }
  | {
      kind: 'cluster';
      nodes: { host: string; port: number }[];
      password?: string;
      natMap?: Record<string, { host: string; port: number }>;
    };

/** Hard limit from the public contract: at most this many seats in one hold, book or release. */
export const MAX_SEATS_PER_REQUEST = 50;

/** Hard limit from the public contract: a `userId` is 1 to this many characters. */
export const MAX_USER_ID_LENGTH = 128;

/** Thrown for a bad environment value; its message is the one line printed at start. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): AppConfig {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  const devMode = databaseUrl === undefined;
  return {
    port: integer(env, 'PORT', 3000, 1, 65535),
    host: optional(env, 'HOST') ?? '127.0.0.1',
    database: databaseUrl
      ? { kind: 'postgres', url: databaseUrl, poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000) }
      : { kind: 'sqlite', path: optional(env, 'SQLITE_PATH') ?? './data/dev.sqlite' },
    redis: redisConfig(env),
    holdTtlSeconds: integer(env, 'HOLD_TTL_SECONDS', 60, 1, 86_400),
    holdMaxSeconds: integer(env, 'HOLD_MAX_SECONDS', 900, 1, 86_400),
    idempotencyTtlSeconds: integer(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 30 * 86_400),
    redisShowGraceMs: Math.round(decimal(env, 'REDIS_SHOW_GRACE_HOURS', 24, 0, 8_760) * 3_600_000),
    redisReconcileIntervalMs: integer(env, 'REDIS_RECONCILE_INTERVAL_MS', 300_000, 500, 86_400_000),
    seedDemo: boolean(env, 'SEED_DEMO', devMode),
    sweepIntervalMs: integer(env, 'SWEEP_INTERVAL_MS', 2000, 100, 600_000),
    liveBatchMs: integer(env, 'LIVE_BATCH_MS', 100, 0, 10_000),
    corsOrigins: corsOrigins(env),
    trustProxy: optional(env, 'TRUST_PROXY'),
    rateLimit: {
      perUserPerMinute: integer(env, 'RATE_LIMIT_USER_PER_MINUTE', 0, 0, 1_000_000),
      perIpPerMinute: integer(env, 'RATE_LIMIT_IP_PER_MINUTE', 0, 0, 1_000_000),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    admin: adminConfig(env, devMode),
    webhooks: {
      allowPrivateUrls: boolean(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', devMode),
      retrySchedule: retrySchedule(env),
    },
    auth: authConfig(env),
  };
}

/** `WEBHOOK_RETRY_SCHEDULE`: seconds before each retry, comma-separated (at most 20, each 1 s to 7 days). */
function retrySchedule(env: Env): number[] {
  const raw = optional(env, 'WEBHOOK_RETRY_SCHEDULE');
  if (raw === undefined) return [5, 300, 1800, 7200, 18000, 36000, 36000];
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.length > 20 || parts.some((part) => !/^\d+$/.test(part) || Number(part) < 1 || Number(part) > 7 * 86_400)) {
    throw new ConfigError('WEBHOOK_RETRY_SCHEDULE', `must be up to 20 comma-separated seconds from 1 to 604800 (got "${raw}")`);
  }
  return parts.map(Number);
}

function adminConfig(env: Env, devMode: boolean): AppConfig['admin'] {
  const token = optional(env, 'ADMIN_TOKEN');
  if (token === undefined) return devMode ? { token: randomBytes(24).toString('base64url'), generated: true } : undefined;
  if (token.length < 32) throw new ConfigError('ADMIN_TOKEN', 'must be at least 32 characters');
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ConfigError('ADMIN_TOKEN', 'must be printable ASCII without spaces');
  return { token, generated: false };
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

function corsOrigins(env: Env): string[] | '*' {
  const value = optional(env, 'CORS_ORIGINS');
  if (value === undefined) return [];
  if (value === '*') return '*';
  const origins = value.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new ConfigError(
        'CORS_ORIGINS',
        `must be * or a comma-separated list of origins like https://tickets.example (got "${origin}")`,
      );
  }
  return origins;
}

function authConfig(env: Env): AppConfig['auth'] {
  const secret = optional(env, 'AUTH_JWT_SECRET');
  const jwksUrl = optional(env, 'AUTH_JWKS_URL');
  if (secret !== undefined && jwksUrl !== undefined) throw new ConfigError('AUTH_JWT_SECRET', 'and AUTH_JWKS_URL cannot both be set');
  if (secret !== undefined) {
    if (secret.length < 32) throw new ConfigError('AUTH_JWT_SECRET', 'must be at least 32 characters (HS256 needs a 256-bit key)');
    return { kind: 'secret', secret };
  }
  if (jwksUrl !== undefined) {
    if (!/^https?:\/\/.+/.test(jwksUrl)) throw new ConfigError('AUTH_JWKS_URL', 'must be an http(s) URL');
    return { kind: 'jwks', url: jwksUrl };
  }
  return undefined;
}

function redisConfig(env: Env): RedisConfig {
  const clusterNodes = optional(env, 'REDIS_CLUSTER_NODES');
  if (clusterNodes !== undefined) {
    // (REDIS_SENTINELS with REDIS_URL keeps its old meaning: the sentinels win.)
    for (const other of ['REDIS_URL', 'REDIS_SENTINELS']) {
      if (optional(env, other) !== undefined)
        throw new ConfigError('REDIS_CLUSTER_NODES', `cannot be combined with ${other}: choose one way to reach Redis`);
    }
    return {
      kind: 'cluster',
      nodes: hostPorts('REDIS_CLUSTER_NODES', clusterNodes),
      password: optional(env, 'REDIS_PASSWORD'),
      natMap: natMap(env),
    };
  }
  const sentinels = optional(env, 'REDIS_SENTINELS');
  if (sentinels !== undefined) {
    return {
      kind: 'sentinel',
      sentinels: hostPorts('REDIS_SENTINELS', sentinels),
      name: optional(env, 'REDIS_SENTINEL_NAME') ?? 'mymaster',
      password: optional(env, 'REDIS_PASSWORD'),
      sentinelPassword: optional(env, 'REDIS_SENTINEL_PASSWORD'),
    };
  }
  const url = optional(env, 'REDIS_URL');
  if (url === undefined) return { kind: 'mock' };
  if (!/^rediss?:\/\/.+/.test(url)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  return { kind: 'url', url };
}

/** `REDIS_CLUSTER_NAT_MAP`: JSON `{ "<announced host:port>": { "host": "…", "port": … } }` (ioredis `natMap`). */
function natMap(env: Env): Record<string, { host: string; port: number }> | undefined {
  const raw = optional(env, 'REDIS_CLUSTER_NAT_MAP');
  if (raw === undefined) return undefined;
  const problem = 'must be a JSON object like {"10.0.0.5:7000":{"host":"redis-1.example","port":7000}}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('REDIS_CLUSTER_NAT_MAP', `${problem} (it is not JSON)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('REDIS_CLUSTER_NAT_MAP', problem);
  for (const [from, to] of Object.entries(parsed)) {
    const target = to as { host?: unknown; port?: unknown };
    const valid =
      typeof target === 'object' &&
      target !== null &&
      typeof target.host === 'string' &&
      target.host !== '' &&
      Number.isInteger(target.port) &&
      (target.port as number) >= 1 &&
      (target.port as number) <= 65535;
    if (!valid) throw new ConfigError('REDIS_CLUSTER_NAT_MAP', `${problem} (entry "${from}")`);
  }
  return parsed as Record<string, { host: string; port: number }>;
}

function hostPorts(variable: string, value: string): { host: string; port: number }[] {
  return value.split(',').map((entry) => hostPort(variable, entry.trim()));
}

function hostPort(variable: string, entry: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(variable, `must be a comma-separated list of host:port (got "${entry}")`);
  }
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}
