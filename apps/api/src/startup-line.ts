import type { AppConfig } from '@app/config';

/** Everything a newcomer needs to start using the service, in one line. */
export function startupLine(config: AppConfig): string {
  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  const parts = [`Seat booking listening on ${base}: seat map at ${base}/, API docs at ${base}/docs`];
  if (config.database.kind === 'sqlite' && config.redis.kind === 'mock') {
    parts.push(
      `dev mode (SQLite ${config.database.path}, in-process mock Redis${config.seedDemo ? ', demo shows neon-nights and last-orbit' : ''})`,
    );
  } else {
    parts.push(`${databaseOf(config.database)}, ${redisOf(config.redis)}`);
  }
  if (config.admin?.generated) parts.push(`admin token for this run (set ADMIN_TOKEN to choose one): ${config.admin.token}`);
  return parts.join('; ');
}

/** Where the data lives, without credentials. */
function databaseOf(database: AppConfig['database']): string {
  if (database.kind === 'sqlite') return `SQLite ${database.path}`;
  return `PostgreSQL ${withoutCredentials(database.url)} (pool ${database.poolSize})`;
}

/** Which way Redis is reached, without credentials. */
function redisOf(redis: AppConfig['redis']): string {
  const addresses = (nodes: { host: string; port: number }[]) => nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  switch (redis.kind) {
    case 'mock':
      return 'in-process mock Redis';
    case 'url':
      return `Redis ${withoutCredentials(redis.url)}`;
    case 'sentinel':
      return `Redis master "${redis.name}" through Sentinel ${addresses(redis.sentinels)}`;
    case 'cluster':
      return `Redis Cluster from ${addresses(redis.nodes)}`;
  }
}

/** host:port/path of a URL: user names and passwords stay out of logs. */
function withoutCredentials(url: string): string {
  try {
    const { host, pathname } = new URL(url);
    return `${host}${pathname === '/' ? '' : pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
