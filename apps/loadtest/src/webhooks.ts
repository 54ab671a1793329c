import type { PostgresDatabase } from '@app/db';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ADMIN_TOKEN, log, newShow, seconds } from './bench-setup.js';
import { closedLoop, HttpClient, percentile, Recorder, round } from './load.js';

const BUYERS = 200;

/**
 * Booking webhooks under load: a local receiver subscribed to booking.confirmed while 200 buyers
 * hold and book one seat each, in a loop; committed → received is the booking's `createdAt`
 * (database clock) to the message's arrival (same machine).
 */
export async function webhooksScenario(baseUrl: string, database: PostgresDatabase) {
  log(`9. webhooks: ${BUYERS} buyers book while a local receiver gets booking.confirmed`);
  const arrivals = new Map<string, number>();
  const delays: number[] = [];
  let repeated = 0;
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      if (arrivals.has(id)) repeated++;
      else {
        arrivals.set(id, Date.now());
        delays.push(Date.now() - Date.parse((JSON.parse(body) as { data: { createdAt: string } }).data.createdAt));
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  const created = await fetch(`${baseUrl}/api/admin/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks`, events: ['booking.confirmed'] }),
  });
  if (created.status !== 201) throw new Error(`creating the webhook answered ${created.status}: ${await created.text()}`);
  const endpoint = (await created.json()) as { id: string };

  const { seatIds } = await newShow(database, 100, 100);
  const client = new HttpClient(baseUrl, BUYERS);
  const pairs = new Recorder();
  let next = 0;
  let booked = 0;
  await closedLoop(BUYERS, seconds(20), async (worker) => {
    if (next >= seatIds.length) return false;
    const body = { seatIds: [seatIds[next++]], userId: `buyer-${worker}` };
    const started = performance.now();
    const hold = await client.post('/api/seats/hold-bulk', body, { 'Idempotency-Key': randomUUID() });
    const book = hold.status === 201 ? await client.post('/api/seats/book-bulk', body, { 'Idempotency-Key': randomUUID() }) : hold;
    if (book.status === 201) booked++;
    pairs.record(book.status, performance.now() - started);
  });
  pairs.endedAt = performance.now();
  await client.close();
  const deadline = Date.now() + 30_000;
  while (arrivals.size < booked && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  receiver.close();
  await fetch(`${baseUrl}/api/admin/webhooks/${endpoint.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const summary = pairs.summary();
  return {
    buyers: BUYERS,
    pairsPerSecond: round(booked / summary.seconds),
    booked,
    received: arrivals.size,
    repeated,
    committedToReceivedMs: { p50: round(percentile(delays, 50)), p99: round(percentile(delays, 99)), max: round(Math.max(...delays)) },
    statuses: summary.statuses,
  };
}
