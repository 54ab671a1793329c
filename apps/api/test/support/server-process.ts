import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '../../../infra-local/src/redis-topology.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const MAIN = `${ROOT}dist/apps/api/src/main.js`;

/** The built server as a user starts it (`node dist/apps/api/src/main.js` with only env vars). */
export class ServerProcess {
  output = '';

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.on('data', (chunk) => (this.output += chunk));
    child.stderr!.on('data', (chunk) => (this.output += chunk));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server on a free port (dev mode unless `env` says otherwise) and waits until it answers. */
  static async start(env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ServerProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: String(port), SQLITE_PATH: ':memory:', ...env },
    });
    const server = new ServerProcess(child, port);
    await waitFor(
      'the server to answer',
      async () => (await fetch(`${server.baseUrl}/health/live`).catch(() => undefined))?.ok === true,
      timeoutMs,
      100,
    );
    return server;
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
