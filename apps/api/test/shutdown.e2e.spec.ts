import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../infra-local/src/redis-topology.js';
import { realBackend } from './support/backends.js';
import { report } from './support/report.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const BUYERS = 40;

/**
 * The built server, stopped with SIGTERM in the middle of a burst of bookings: requests in flight
 * finish and are answered, nothing is cut off, every confirmed booking is in the database, and the
 * process exits cleanly within its grace period.
 */
describe.skipIf(!realBackend.available)('SIGTERM during a burst of bookings', () => {
  let child: ChildProcess;
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  let baseUrl: string;
  let output = '';

  beforeAll(async () => {
    const provisioned = await realBackend.provision();
    cleanup = provisioned.cleanup;
    const { config } = provisioned;
    databaseUrl = (config.database as { url: string }).url;
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        REDIS_URL: (config.redis as { url: string }).url,
        SHUTDOWN_GRACE_MS: '10000',
        SEED_DEMO: 'true',
      },
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(
      'the server to be ready',
      async () => (await fetch(`${baseUrl}/health/ready`).catch(() => undefined))?.status === 200,
      30_000,
      100,
    );
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await cleanup?.();
  });

  it('answers every request in flight, loses no booking, and exits 0', async () => {
    const agent = new Agent({ connections: BUYERS });
    const post = async (path: string, body: unknown) => {
      const response = await request(`${baseUrl}${path}`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(body),
      });
      return { status: response.statusCode, body: (await response.body.json()) as any };
    };
    const buyers = Array.from({ length: BUYERS }, (_, i) => ({
      seatIds: [`neon-nights-${String.fromCharCode(65 + Math.floor(i / 15))}${(i % 15) + 1}`],
      userId: `buyer-${i}`,
    }));
    const holds = await Promise.all(buyers.map((buyer) => post('/api/seats/hold-bulk', buyer)));
    expect(holds.map((hold) => hold.status)).toEqual(buyers.map(() => 201));

    let signalled = false;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const outcomes = await Promise.all(
      buyers.map(async (buyer) => {
        try {
          const reply = await post('/api/seats/book-bulk', buyer);
          if (!signalled) {
            signalled = true;
            child.kill('SIGTERM'); // the first answer is back, the others are in flight
          }
          return reply;
        } catch (error) {
          return { status: 0, body: { error: String((error as Error & { code?: string }).code ?? error) } };
        }
      }),
    );
    const signalledAt = Date.now();
    const code = await exited;
    const exitMs = Date.now() - signalledAt;
    await agent.close();

    const statuses = outcomes.map((outcome) => outcome.status);
    report(
      `[shutdown] answers during SIGTERM: ${JSON.stringify(countBy(statuses))}; process exited ${code} within ${exitMs} ms of the last answer`,
    );
    expect(outcomes.filter((outcome) => outcome.status === 0).map((outcome) => outcome.body.error)).toEqual([]); // nothing reset
    expect(statuses.every((status) => status === 201 || status === 503)).toBe(true);
    expect(code).toBe(0);
    expect(output).toMatch(/SIGTERM: finishing requests in flight/);
    report(`[shutdown] ${/"msg":"(Closed in \d+ ms)"/.exec(output)?.[1]}`);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query('select id from bookings');
    await client.end();
    const stored = new Set(rows.map((row: { id: string }) => row.id));
    const confirmed = outcomes.filter((outcome) => outcome.status === 201).map((outcome) => outcome.body.bookingId);
    expect(confirmed.length).toBeGreaterThan(0);
    for (const bookingId of confirmed) expect(stored.has(bookingId)).toBe(true);

    await expect(fetch(`${baseUrl}/health/live`)).rejects.toThrow(); // no longer listening
  }, 60_000);
});

function countBy(values: number[]): Record<number, number> {
  return values.reduce<Record<number, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});
}
