import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ServerProcess } from './support/server-process.js';

/** Marks a README code block whose commands this test runs, exactly as written. */
const MARKER = '<!-- run by apps/api/test/readme.e2e.spec.ts -->';

/** The marked ```bash blocks of the README, each as a list of commands (continuation lines joined). */
export function markedBlocks(readme: string): string[][] {
  const blocks: string[][] = [];
  const pattern = new RegExp(`${MARKER}\\n\`\`\`bash\\n([\\s\\S]*?)\`\`\``, 'g');
  for (const [, body] of readme.matchAll(pattern)) {
    const commands = body
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    blocks.push(commands);
  }
  return blocks;
}

/**
 * The README's example commands against a freshly started dev-mode service, so the docs cannot
 * drift from the API. Commands run as written; only the port is the test's own. A curl config
 * makes every answer's status visible, and each must be a success.
 */
describe("the README's example commands", () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  let server: ServerProcess;
  let curlHome: string;

  beforeAll(async () => {
    server = await ServerProcess.start();
    curlHome = mkdtempSync(join(tmpdir(), 'readme-curl-'));
    writeFileSync(join(curlHome, '.curlrc'), 'write-out = "%{stderr}HTTP %{http_code}\\n"\n');
  });
  afterAll(() => {
    server?.stop();
    if (curlHome) rmSync(curlHome, { recursive: true, force: true });
  });

  it('marks at least the "Try it" block', () => {
    const blocks = markedBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    expect(blocks.flat().filter((command) => command.includes('/api/seats/hold-bulk'))).not.toHaveLength(0);
  });

  it('runs every marked command successfully against a fresh dev-mode service', () => {
    for (const command of markedBlocks(readme).flat()) {
      const local = command.replace(/(localhost|127\.0\.0\.1):3000/g, `127.0.0.1:${server.port}`);
      const run = spawnSync('bash', ['-c', local], { env: { PATH: process.env.PATH, CURL_HOME: curlHome, HOME: curlHome }, encoding: 'utf8' });
      const statuses = [...run.stderr.matchAll(/^HTTP (\d{3})$/gm)].map((match) => Number(match[1]));
      const context = `${command}\n→ ${run.stdout.slice(0, 500)}\n${run.stderr}`;
      expect(statuses.length, context).toBeGreaterThan(0);
      for (const status of statuses) expect(status, context).toBeGreaterThanOrEqual(200);
      for (const status of statuses) expect(status, context).toBeLessThan(300);
      expect(run.stdout.length, context).toBeGreaterThan(0);
    }
  });
});
