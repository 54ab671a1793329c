import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';

/** One sample's value from Prometheus text: the line of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[3] ?? '').split(/,(?=\w+=")/);
    if (wanted.every((pair) => present.includes(pair))) return Number(match[4]);
  }
  return 0;
}

describe.each(backends)('GET /metrics on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend, { HOLD_TTL_SECONDS: '1', SWEEP_INTERVAL_MS: '60000' });
  });
  afterAll(async () => api?.close());

  const scrape = async () => {
    const reply = await api.get<string>('/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    return reply.raw;
  };

  it.skipIf(!backend.available)('counts holds, refusals, bookings, replays, expiries, requests, sockets and live batches', async () => {
    const { showId, seatIds } = await api.newShow();
    const client = await api.seatsClient();
    await client.subscribe(showId);
    const before = await scrape();
    const delta = (after: string, name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);

    const key = randomUUID();
    expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key })).status).toBe(201);
    expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key })).status).toBe(201);
    expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'bob' })).status).toBe(409);
    expect((await api.post(BOOK, { seatIds: [seatIds[0]], userId: 'alice' })).status).toBe(201);
    expect((await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'carol' })).status).toBe(201);

    // Carol's hold lapses after a second: the granting instance's timer releases it (on real
    // Redis a keyspace event may get there first).
    const paths = ['timer', 'event', 'sweep'];
    const released = (text: string, name: string, labels: Record<string, string> = {}) =>
      paths.reduce((sum, path) => sum + delta(text, name, { path, ...labels }), 0);
    let after = await scrape();
    for (let i = 0; i < 60 && released(after, 'seat_expiry_releases_total') < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await scrape();
    }

    expect(delta(after, 'seat_writes_total', { kind: 'hold', outcome: 'granted' })).toBe(2);
    expect(delta(after, 'seat_writes_total', { kind: 'hold', outcome: 'refused', reason: 'HELD' })).toBe(1);
    expect(delta(after, 'seat_writes_total', { kind: 'booking', outcome: 'granted' })).toBe(1);
    expect(delta(after, 'idempotency_requests_total', { outcome: 'replayed' })).toBe(1);
    expect(delta(after, 'idempotency_requests_total', { outcome: 'executed' })).toBe(4);
    expect(released(after, 'seat_expiry_releases_total')).toBe(1);
    expect(released(after, 'seat_expiry_delay_seconds_count')).toBe(1);
    expect(released(after, 'seat_expiry_delay_seconds_bucket', { le: '1' })).toBe(1);
    if (backend.name === 'dev') expect(delta(after, 'seat_expiry_releases_total', { path: 'timer' })).toBe(1);
    expect(delta(after, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/seats/hold-bulk', status: '201' })).toBe(3);
    expect(delta(after, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/seats/hold-bulk', status: '409' })).toBe(1);
    expect(sample(after, 'socketio_connected_clients')).toBeGreaterThanOrEqual(1);
    // Every change reached the subscriber in a batch, and each batch written to it was timed.
    const received = client.events.length;
    after = await scrape();
    expect(received).toBeGreaterThanOrEqual(1);
    expect(delta(after, 'live_deliveries_total')).toBeGreaterThanOrEqual(received);
    expect(delta(after, 'live_batches_total')).toBeGreaterThanOrEqual(1);
    expect(delta(after, 'live_batch_written_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    client.socket.close();
  });

  it.skipIf(!backend.available)('counts an in-flight duplicate and a reused key', async () => {
    const { seatIds } = await api.newShow();
    const before = await scrape();
    const key = randomUUID();
    const [first, second] = await Promise.all([
      api.post(HOLD, { seatIds: [seatIds[0]], userId: 'dora' }, { 'idempotency-key': key }),
      api.post(HOLD, { seatIds: [seatIds[0]], userId: 'dora' }, { 'idempotency-key': key }),
    ]);
    expect([first.status, second.status].sort()).toEqual(
      second.body?.code === 'IDEMPOTENCY_KEY_IN_USE' || first.body?.code === 'IDEMPOTENCY_KEY_IN_USE' ? [201, 409] : [201, 201],
    );
    expect((await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'dora' }, { 'idempotency-key': key })).status).toBe(422);
    const after = await scrape();
    const inFlight =
      sample(after, 'idempotency_requests_total', { outcome: 'in_flight' }) -
      sample(before, 'idempotency_requests_total', { outcome: 'in_flight' });
    const replayed =
      sample(after, 'idempotency_requests_total', { outcome: 'replayed' }) -
      sample(before, 'idempotency_requests_total', { outcome: 'replayed' });
    expect(inFlight + replayed).toBe(1);
    expect(
      sample(after, 'idempotency_requests_total', { outcome: 'key_reused' }) -
        sample(before, 'idempotency_requests_total', { outcome: 'key_reused' }),
    ).toBe(1);
  });
});
