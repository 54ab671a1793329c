import { loadConfig } from '@app/config';
import { describe, expect, it } from 'vitest';
import { startupLine } from './startup-line.js';

const PG = { DATABASE_URL: 'postgres://seats:pg-secret@db.internal:5432/seats', DATABASE_POOL_SIZE: '8' };

describe('the start-up line', () => {
  it('says dev mode when nothing is configured', () => {
    expect(startupLine(loadConfig({}))).toMatch(
      /listening on http:\/\/127\.0\.0\.1:3000: .*; dev mode \(SQLite .*, in-process mock Redis, demo shows/,
    );
  });

  it.each([
    [{ REDIS_URL: 'redis://:redis-secret@cache.internal:6380/2' }, 'Redis cache.internal:6380/2'],
    [
      { REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'seats', REDIS_PASSWORD: 'redis-secret' },
      'Redis master "seats" through Sentinel s1:26379,s2:26379',
    ],
    [{ REDIS_CLUSTER_NODES: 'r1:7000,r2:7001', REDIS_PASSWORD: 'redis-secret' }, 'Redis Cluster from r1:7000,r2:7001'],
  ])('names the database and the way to Redis, never a credential (%o)', (redis, expected) => {
    const line = startupLine(loadConfig({ ...PG, ...redis }));
    expect(line).toContain(`; PostgreSQL db.internal:5432/seats (pool 8), ${expected}`);
    expect(line).not.toMatch(/secret|seats:/);
    expect(line).not.toContain('dev mode');
  });

  it('names SQLite with a real Redis', () => {
    expect(startupLine(loadConfig({ SQLITE_PATH: '/var/lib/seats.sqlite', REDIS_URL: 'redis://127.0.0.1:6379' }))).toContain(
      '; SQLite /var/lib/seats.sqlite, Redis 127.0.0.1:6379;',
    );
  });
});
