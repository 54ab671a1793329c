import { PostgresDatabase } from '@app/db';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort, waitFor } from '../../infra-local/src/redis-topology.js';
import { ADMIN_TOKEN, createDatabase, dropDatabase, log, machine, newShow, OUT_DIR, REDIS_URL } from './bench-setup.js';
import { round } from './load.js';

/**
 * Instructions per request of the write path, the service against the lean floor, counted by
 * valgrind's callgrind: CPU seconds on this shared machine moved nearly 2× between consecutive runs of
 * one build, instructions do not. Each side runs under callgrind, is warmed up, then its counters
 * are zeroed and read around a fixed number of refused holds (seats held by others) and of hold +
 * book pairs, less what the process does meanwhile when idle (its timers). Callgrind counts
 * user-space instructions of every thread (the garbage collector's included), not the kernel's
 * work inside system calls: the write path's socket writes are counted by the bench's
 * `writeSyscallsPerPair` instead.
 *
 *   npm run bench:instructions   (about eight minutes; needs valgrind)
 */

const REFUSALS = 1000;
const PAIRS = 400;
const WARM_UP = 300;
/** How long each side's background work is counted, idle. */
const IDLE_SECONDS = 20;
/** Requests in flight at once: callgrind runs a program ~50× slower, and the service's timeouts are real. */
const CONCURRENCY = 2;
/** The name valgrind and callgrind_control agree on (vgdb names its pipes after USER and HOST). */
const VGDB_ENV = { USER: 'bench', LOGNAME: 'bench', HOST: '127.0.0.1' };
const DIR = `${OUT_DIR}/callgrind`;

interface Side {
  name: 'service' | 'lean';
  /** The script and its arguments, run by valgrind's node. */
  argv: (port: number, databaseUrl: string) => string[];
  env: Record<string, string>;
}

const sides: Side[] = [
  {
    name: 'service',
    argv: () => ['dist/apps/api/src/main.js'],
    env: {
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN,
      // Long enough that the refused seats stay held for the whole count.
      HOLD_TTL_SECONDS: '600',
    },
  },
  {
    name: 'lean',
    argv: (port, databaseUrl) => [new URL('./lean-server.js', import.meta.url).pathname, String(port), databaseUrl, REDIS_URL, '600'],
    env: {},
  },
];

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const databaseName = `seat_instructions_${randomUUID().slice(0, 8)}`;
  const databaseUrl = await createDatabase(databaseName);
  const database = PostgresDatabase.connect(databaseUrl, 4);
  const results: Record<string, Awaited<ReturnType<typeof count>>> = {};
  try {
    for (const side of sides) results[side.name] = await count(side, databaseUrl, database);
  } finally {
    await database.close();
    await dropDatabase(databaseName);
  }
  const figures = {
    date: new Date().toISOString(),
    machine: machine(),
    millionInstructions: {
      perRefusal: { service: results.service.perRefusal, lean: results.lean.perRefusal },
      perPair: { service: results.service.perPair, lean: results.lean.perPair },
    },
    ratios: {
      perRefusal: round(results.service.perRefusal / results.lean.perRefusal, 2),
      perPair: round(results.service.perPair / results.lean.perPair, 2),
    },
    idleMillionsPerSecond: { service: results.service.idleMillionsPerSecond, lean: results.lean.idleMillionsPerSecond },
    answers: { service: results.service.answers, lean: results.lean.answers },
  };
  writeFileSync(`${OUT_DIR}/instructions.json`, JSON.stringify(figures, null, 2));
  console.log(JSON.stringify(figures, null, 2));
}

/** One side under callgrind: millions of instructions per refused hold and per hold + book pair. */
async function count(side: Side, databaseUrl: string, database: PostgresDatabase) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  rmSync(`${DIR}/${side.name}`, { recursive: true, force: true });
  mkdirSync(`${DIR}/${side.name}`);
  log(`instructions: starting the ${side.name} under callgrind (a minute or two)`);
  const output = openSync(`${DIR}/${side.name}/output.log`, 'w');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${DIR}/${side.name}/callgrind.out`, process.execPath, ...side.argv(port, databaseUrl)],
    {
      env: { ...process.env, ...VGDB_ENV, PORT: String(port), DATABASE_URL: databaseUrl, REDIS_URL, ...side.env },
      stdio: ['ignore', output, output],
    },
  );
  try {
    await waitFor(
      `the ${side.name} to answer under callgrind`,
      async () => {
        if (child.exitCode !== null) throw new Error(`the ${side.name} exited; see ${DIR}/${side.name}/output.log`);
        return (await fetch(`${baseUrl}/`).catch(() => undefined)) !== undefined;
      },
      300_000,
      1000,
    );
    const { seatIds } = await newShow(database, 20, 50);
    const answers: Record<string, number> = {};
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      answers[response.status] = (answers[response.status] ?? 0) + 1;
      return response.status;
    };
    let next = 10;
    const pair = async (worker: number) => {
      const body = { seatIds: [seatIds[next++]], userId: `buyer-${worker}` };
      if ((await post('/api/seats/hold-bulk', body)) === 201) await post('/api/seats/book-bulk', body);
    };
    let refusals = 0;
    const refusal = () => post('/api/seats/hold-bulk', { seatIds: [seatIds[refusals % 10]], userId: `refused-${refusals++}` });

    // Warm-up: the first ten seats held by their first requests, then every kind of request a while.
    for (let i = 0; i < WARM_UP; i++) await (i % 2 ? refusal() : pair(0));
    /** Millions of instructions while `work` runs; `seconds` of it, to take the background work off. */
    const counted = async (name: string, work: () => Promise<unknown>) => {
      callgrind(['-z', String(child.pid)]);
      const started = performance.now();
      await work();
      callgrind(['-d', name, String(child.pid)]);
      return { millions: millions(side.name), seconds: (performance.now() - started) / 1000 };
    };
    const times = (n: number, each: (worker: number) => Promise<unknown>) => async () => {
      let left = n;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, worker) => {
          while (left-- > 0) await each(worker);
        }),
      );
    };
    // Timers of its own (the sweeper, webhook delivery, live batches) run whatever the load, and
    // callgrind stretches every second 50-fold: what they cost per second, idle, is taken off.
    const idle = await counted('idle', () => new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000)));
    const idlePerSecond = idle.millions / idle.seconds;
    for (const key of Object.keys(answers)) delete answers[key];
    const net = ({ millions, seconds }: { millions: number; seconds: number }, units: number) =>
      (millions - idlePerSecond * seconds) / units;
    const perRefusal = net(
      await counted(
        'refusals',
        times(REFUSALS, () => refusal()),
      ),
      REFUSALS,
    );
    const perPair = net(
      await counted(
        'pairs',
        times(PAIRS, (worker) => pair(worker)),
      ),
      PAIRS,
    );
    return { perRefusal: round(perRefusal, 3), perPair: round(perPair, 3), idleMillionsPerSecond: round(idlePerSecond, 2), answers };
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

function callgrind(args: string[]): void {
  execFileSync('callgrind_control', args, { env: { ...process.env, ...VGDB_ENV }, stdio: 'ignore' });
}

/** The instructions (millions) of the newest dump of a side: callgrind appends `.<n>` to each dump's file. */
function millions(name: string): number {
  const dumps = readdirSync(`${DIR}/${name}`)
    .filter((file) => /^callgrind\.out\.\d+$/.test(file))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  const text = readFileSync(`${DIR}/${name}/${dumps.at(-1)}`, 'utf8');
  return Number(/^summary: (\d+)$/m.exec(text)?.[1] ?? NaN) / 1e6;
}

main().catch((error: Error) => {
  console.error(`instructions failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
