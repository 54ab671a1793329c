import { runContention } from './contention.js';

/**
 * `npm run loadtest`: the k6 scenario (k6_load_test.js) from Node, against a running service.
 * Same variables as the k6 script: BASE_URL, SHOW_ID, SEATS (labels), VUS, DURATION, RETRY_RATE.
 * Exits 1 if a seat was sold twice, a 5xx came back or a replay differed from the original.
 */
async function main(): Promise<void> {
  const env = process.env;
  const baseUrl = (env.BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const showId = env.SHOW_ID ?? 'neon-nights';
  const seatIds = (env.SEATS ?? 'A1,A2,A3,A4,A5,A6,A7,A8,A9,A10').split(',').map((label) => `${showId}-${label.trim()}`);
  const vus = Number(env.VUS ?? 500);
  const durationMs = seconds(env.DURATION ?? '30s') * 1000;
  const result = await runContention({ baseUrl, seatIds, vus, durationMs, retryRate: Number(env.RETRY_RATE ?? 0.2) });

  console.log(`\nseat                      holds  bookings   (${vus} virtual users, ${durationMs / 1000}s)`);
  for (const [seat, { holds, bookings }] of Object.entries(result.seats)) {
    console.log(`${seat.padEnd(24)} ${String(holds).padStart(6)} ${String(bookings).padStart(9)}${bookings > 1 ? '  <-- SOLD TWICE' : ''}`);
  }
  const line = (name: string, s: typeof result.holds) =>
    `${name}: ${s.requests} requests, ${s.perSecond}/s, p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, statuses ${JSON.stringify(s.statuses)}`;
  console.log(`\n${line('holds', result.holds)}\n${line('books', result.books)}`);
  console.log(`replays: ${JSON.stringify(result.replays)}; server errors: ${result.serverErrors}`);
  const failed = result.soldTwice.length > 0 || result.serverErrors > 0 || result.replays.unfaithful > 0;
  process.exit(failed ? 1 : 0);
}

function seconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(duration.trim());
  if (!match) throw new Error(`DURATION must look like 30s, 2m or 500ms (got "${duration}")`);
  const value = Number(match[1]);
  return match[2] === 'ms' ? value / 1000 : match[2] === 'm' ? value * 60 : value;
}

main().catch((error: Error) => {
  console.error(`loadtest failed: ${error.message}`);
  process.exit(1);
});
