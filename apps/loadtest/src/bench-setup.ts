import { createShow, type PostgresDatabase } from '@app/db';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../../infra-local/src/redis-topology.js';
import { type LoadSummary, round } from './load.js';

// The bench's settings and plumbing: its databases, the service's process, shows, log lines.

export const quick = process.argv.includes('--quick');
export const seconds = (full: number) => (quick ? Math.max(2, full / 5) : full) * 1000;
export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = `${process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'}/14`;
export const HOLD_TTL_SECONDS = 3;
export const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;
/** Fans of the stadium scenario: socket.io clients in 4 load processes of their own. */
export const FANS = Number(process.env.BENCH_FANS ?? (quick ? 1000 : 5000));
export const CONNECTIONS = 64;
export const OUT_DIR = '.bench';
/** The processes whose CPU the scenarios count: the service, and Redis (set once both run). */
export const pids = { service: 0, redis: 0 };
/** BENCH_ONLY=<scenario> runs one throughput scenario; BENCH_NODE_OPTIONS (e.g. --prof) go to the service's node. */
export const only = process.env.BENCH_ONLY;
export const serviceNodeOptions = (process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);

export async function startApi(
  port: number,
  databaseUrl: string,
  children: ChildProcess[],
  env: Record<string, string> = {},
  logName = 'api.log',
): Promise<ChildProcess> {
  const logFile = openSync(`${OUT_DIR}/${logName}`, 'w');
  const child = spawn(process.execPath, [...serviceNodeOptions, 'dist/apps/api/src/main.js'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      SEED_DEMO: 'false',
      HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS),
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN,
      // The webhooks scenario's receiver listens on this machine.
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      ...env,
    },
    stdio: ['ignore', logFile, logFile],
  });
  children.push(child);
  await waitFor(
    'the service to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}); see ${OUT_DIR}/${logName}`);
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      return response?.status === 200;
    },
    60_000,
    200,
  );
  return child;
}

export async function newShow(database: PostgresDatabase, rows: number, seatsPerRow: number) {
  const showId = `bench-${randomUUID().slice(0, 8)}`;
  await createShow(database, { id: showId, title: showId, venue: 'Benchmark hall', startsAt: new Date(), rows, seatsPerRow });
  const { rows: seats } = await database.pool.query('select id from seats where show_id = $1 order by row, number', [showId]);
  return { showId, seatIds: seats.map((seat: { id: string }) => seat.id) };
}

export function connect(baseUrl: string): Promise<Socket> {
  const socket = io(`${baseUrl}/seats`, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

export async function flushRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
}

export const machine = () => ({
  cpus: cpus().length,
  model: cpus()[0]?.model,
  memoryGb: round(totalmem() / 2 ** 30),
  node: process.version,
});
export const hasServerErrors = (summary: LoadSummary) => Object.keys(summary.statuses).some((status) => Number(status) >= 500);
export const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
