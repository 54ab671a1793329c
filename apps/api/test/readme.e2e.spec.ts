import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ServerProcess } from './support/server-process.js';

/** Marks a README code block whose commands this test runs, exactly as written. */
const MARKER = '<!-- run by apps/api/test/readme.e2e.spec.ts -->';

/** The marked ```bash blocks of the README, as written. */
export function markedBlocks(readme: string): string[] {
  const pattern = new RegExp(`${MARKER}\\n\`\`\`bash\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...readme.matchAll(pattern)].map(([, body]) => body);
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

  // The walkthrough tells the reader to export the token the service printed (or chose).
  const ADMIN_TOKEN = 'readme-walkthrough-admin-token-0123456789';

  beforeAll(async () => {
    server = await ServerProcess.start({ ADMIN_TOKEN });
    curlHome = mkdtempSync(join(tmpdir(), 'readme-curl-'));
    writeFileSync(join(curlHome, '.curlrc'), 'write-out = "%{stderr}HTTP %{http_code}\\n"\n');
  });
  afterAll(() => {
    server?.stop();
    if (curlHome) rmSync(curlHome, { recursive: true, force: true });
  });

  it('marks the "Try it" block and the "Running a sale", "Selling a stadium" and webhook walkthroughs', () => {
    const blocks = markedBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const endpoints = ['/api/seats/hold-bulk', '/api/seats/book-bulk', '/api/admin/shows', '/api/bookings', '/cancel'];
    for (const endpoint of [
      ...endpoints,
      '/api/seats/hold-best',
      '/api/seats/extend-bulk',
      '/block',
      '"areas"',
      '/api/admin/webhooks',
      'createHmac',
    ]) {
      expect(
        blocks.some((block) => block.includes(endpoint)),
        endpoint,
      ).toBe(true);
    }
  });

  it('runs every marked block successfully, in order, against one fresh dev-mode service', () => {
    for (const block of markedBlocks(readme)) {
      const local = block.replace(/(localhost|127\.0\.0\.1):3000/g, `127.0.0.1:${server.port}`);
      const run = spawnSync('bash', ['-e', '-c', local], {
        env: { PATH: process.env.PATH, CURL_HOME: curlHome, HOME: curlHome, ADMIN_TOKEN },
        encoding: 'utf8',
      });
      const statuses = [...run.stderr.matchAll(/^HTTP (\d{3})$/gm)].map((match) => Number(match[1]));
      const context = `${block}\n→ ${run.stdout.slice(0, 2000)}\n${run.stderr}`;
      expect(run.status, context).toBe(0);
      expect(statuses.length, context).toBe((block.match(/\bcurl\b/g) ?? []).length);
      for (const status of statuses) expect(status, context).toBeGreaterThanOrEqual(200);
      for (const status of statuses) expect(status, context).toBeLessThan(300);
      expect(run.stdout.length, context).toBeGreaterThan(0);
      // The webhook walkthrough's receiver verified the signature of the booking it received.
      if (block.includes('createHmac')) expect(run.stdout, context).toMatch(/verified booking\.confirmed msg_[0-9a-f]{32}/);
    }
  });
});
