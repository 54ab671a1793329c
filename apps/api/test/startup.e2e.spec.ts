import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { report } from './support/report.js';
import { MAIN as main, ROOT as root, ServerProcess } from './support/server-process.js';

/** The built server as a user starts it: `node dist/apps/api/src/main.js` with only env vars. */
describe('the built server process', () => {
  beforeAll(() => {
    if (!existsSync(main)) expect(spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status).toBe(0);
  });

  it('starts in dev mode with nothing configured, says where to go, and warns about nothing', async () => {
    const started = Date.now();
    const server = await ServerProcess.start();
    try {
      const shows = (await (await fetch(`${server.baseUrl}/api/seats/shows`)).json()) as unknown[];
      expect(shows.length).toBeGreaterThanOrEqual(2);
      report(`dev mode answered after ${Date.now() - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = server.output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)); // not a terminal: JSON
      const startup = lines.find((line) => /listening on/.test(line.msg))?.msg;
      expect(startup).toContain(`${server.baseUrl}/`);
      expect(startup).toContain(`${server.baseUrl}/docs`);
      expect(startup).toMatch(/dev mode/);
      expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    } finally {
      server.stop();
    }
  });

  it('stops with one line naming PORT when the port is taken', async () => {
    const server = await ServerProcess.start();
    try {
      const result = spawnSync(process.execPath, [main], {
        cwd: root,
        env: { PATH: process.env.PATH, PORT: String(server.port), SQLITE_PATH: ':memory:' },
        encoding: 'utf8',
      });
      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^PORT ${server.port} is already in use`));
    } finally {
      server.stop();
    }
  });

  it('writes one JSON log line per request, with the request id it also puts on the problem', async () => {
    const server = await ServerProcess.start({ LOG_LEVEL: 'info' });
    try {
      const url = `${server.baseUrl}/api/seats/no-such-show`;
      const response = await fetch(url, { headers: { 'x-request-id': 'req-42', authorization: 'Bearer secret-token' } });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-request-id')).toBe('req-42');
      expect(await response.json()).toMatchObject({ status: 404, requestId: 'req-42' });
      const made = await fetch(url, { headers: { 'x-request-id': 'not an id; DROP' } });
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = server.output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)); // every line is JSON
      const logged = lines.find((line) => line.req?.id === 'req-42');
      expect(logged).toMatchObject({ level: 40, req: { method: 'GET', url: '/api/seats/no-such-show' }, res: { statusCode: 404 } });
      expect(server.output).not.toContain('secret-token');
      expect(lines.some((line) => /listening on/.test(line.msg))).toBe(true);
    } finally {
      server.stop();
    }
  });

  it('stops on invalid configuration with one line naming the variable, no stack trace', () => {
    const result = spawnSync(process.execPath, [main], {
      cwd: root,
      env: { PATH: process.env.PATH, HOLD_TTL_SECONDS: 'soon' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: HOLD_TTL_SECONDS /);
  });
});
