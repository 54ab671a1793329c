import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from '../../../infra-local/src/redis-topology.js';

/** The machine's PostgreSQL binaries (Debian keeps them per major version). */
function binaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  return version ? join(root, version, 'bin') : undefined;
}

const BIN = binaries();
/** initdb refuses to run as root: as root, the server runs as the `postgres` user. */
const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];

export const canRunOwnPostgres =
  BIN !== undefined && existsSync(join(BIN, 'initdb')) && (asPostgres.length === 0 || spawnSync('id', ['postgres']).status === 0);

/**
 * A PostgreSQL server of the test's own, in a temporary directory on a free port, so a test can
 * kill it (`kill -9` of the postmaster) and start it again on the same data (crash recovery),
 * without touching the machine's server.
 */
export class PostgresServer {
  private child?: ChildProcess;
  private stopping = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'seat-pg-'));
    chmodSync(dir, 0o777);
    if (asPostgres.length > 0) {
      const { uid, gid } = postgresIds();
      chownSync(dir, uid, gid);
    }
    const [command, ...args] = [...asPostgres, join(BIN!, 'initdb'), '-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync'];
    const init = spawnSync(command, args, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const server = new PostgresServer(dir, await freePort());
    await server.run();
    return server;
  }

  /**
   * Starts the server on its data directory (after a crash it recovers from the WAL first). Just
   * after a kill, the old backends may still hold its shared memory for a moment: the server then
   * exits at once, and is started again.
   */
  async run(): Promise<void> {
    const [command, ...args] = [
      ...asPostgres,
      join(BIN!, 'postgres'),
      '-D',
      join(this.dir, 'data'),
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
    ];
    const spawnServer = () => {
      const child = spawn(command, args, { stdio: 'ignore' });
      child.once('exit', () => {
        if (this.child === child && !this.stopping) setTimeout(() => this.child === child && (this.child = spawnServer()), 100);
      });
      return child;
    };
    this.stopping = false;
    this.child = spawnServer();
    await waitFor(
      'PostgreSQL to accept connections',
      async () => {
        const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 500 });
        try {
          await client.connect();
          await client.query('select 1');
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      30_000,
      100,
    );
  }

  /** kill -9 of the postmaster: nothing is flushed, no client is told; its backends exit on their own. */
  kill(): void {
    this.stopping = true;
    const pid = Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    try {
      this.kill();
    } catch {
      // not running
    }
    this.child?.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}
