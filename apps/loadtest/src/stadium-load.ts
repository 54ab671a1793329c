import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { closedLoop, HttpClient, Recorder, round } from './load.js';

/**
 * One load process of the stadium scenario (forked by `stadium.ts`), so that what it costs is
 * counted apart from the service: `fans` keeps socket.io subscribers and only counts and times
 * what arrives; `buyers` holds and books pairs of seats in a closed loop; `reads` GETs the status
 * part, or the layout with a current If-None-Match. Commands and results go over the IPC channel.
 */
export type LoadRole = 'fans' | 'buyers' | 'reads';

export type Command =
  | { cmd: 'start'; role: LoadRole; baseUrl: string; showId: string; count: number; version?: number }
  | { cmd: 'run'; durationMs: number; target?: 'status' | 'layout' }
  | { cmd: 'mark' }
  | { cmd: 'report' }
  | { cmd: 'stop' };

/** Milliseconds from a change (its version is the moment it was taken, in µs) to its arrival, in 1 ms buckets. */
export class ArrivalHistogram {
  counts = new Map<number, number>();
  total = 0;

  add(ms: number): void {
    const bucket = Math.max(0, Math.round(ms));
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
  }

  merge(other: { counts: [number, number][] }): void {
    for (const [bucket, n] of other.counts) {
      this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + n);
      this.total += n;
    }
  }

  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket)!;
      if (seen >= rank) return bucket;
    }
    return NaN;
  }

  toJSON() {
    return { counts: [...this.counts] };
  }
}

const send = (message: unknown) => process.send!(message);

function connect(baseUrl: string): Promise<Socket> {
  const socket = io(`${baseUrl}/seats`, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function fans(baseUrl: string, showId: string, count: number, version: number) {
  const sockets: Socket[] = [];
  let histogram = new ArrivalHistogram();
  let events = 0;
  let changes = 0;
  let upToDate = 0;
  for (let i = 0; i < count; i += 250) {
    const batch = await Promise.all(Array.from({ length: Math.min(250, count - i) }, () => connect(baseUrl)));
    await Promise.all(
      batch.map(async (socket) => {
        socket.on('seats:changed', (event: { changes: { version: number }[] }) => {
          const now = Date.now();
          let oldest = Infinity;
          for (const change of event.changes) oldest = Math.min(oldest, change.version);
          histogram.add(now - oldest / 1000);
          events++;
          changes += event.changes.length;
        });
        const ack = await socket.timeout(60_000).emitWithAck('subscribe', { showId, version, format: 'status' });
        if (ack.upToDate) upToDate++;
      }),
    );
    sockets.push(...batch);
  }
  send({ ready: true, connected: sockets.length, upToDate });
  return {
    mark() {
      histogram = new ArrivalHistogram();
      events = changes = 0;
    },
    report: () => ({ events, changes, histogram: histogram.toJSON(), connected: sockets.filter((socket) => socket.connected).length }),
    stop: () => sockets.forEach((socket) => socket.close()),
  };
}

async function buyers(baseUrl: string, showId: string, count: number) {
  const layout = (await (await fetch(`${baseUrl}/api/seats/${showId}/layout`)).json()) as { seats: { id: string }[] };
  const seatIds = layout.seats.map((seat) => seat.id);
  const client = new HttpClient(baseUrl, count);
  let cursor = 0;
  send({ ready: true, seats: seatIds.length });
  return {
    async run(durationMs: number) {
      const holds = new Recorder();
      const books = new Recorder();
      let pairs = 0;
      await closedLoop(count, durationMs, async (worker) => {
        if (cursor + 2 > seatIds.length) return false;
        const body = { seatIds: [seatIds[cursor++]!, seatIds[cursor++]!], userId: `buyer-${worker}` };
        const hold = await client.post('/api/seats/hold-bulk', body, { 'Idempotency-Key': randomUUID() }, holds);
        if (hold.status !== 201) return;
        const book = await client.post('/api/seats/book-bulk', body, { 'Idempotency-Key': randomUUID() }, books);
        if (book.status === 201) pairs++;
      });
      holds.endedAt = books.endedAt = performance.now();
      const answers: Record<string, number> = {};
      for (const recorder of [holds, books]) for (const [status, n] of recorder.statuses) answers[status] = (answers[status] ?? 0) + n;
      const seconds = (holds.endedAt - holds.startedAt) / 1000;
      return { answers, pairs, pairsPerSecond: round(pairs / seconds), holds: holds.summary(), books: books.summary() };
    },
    stop: () => client.close(),
  };
}

async function reads(baseUrl: string, showId: string, count: number) {
  const client = new HttpClient(baseUrl, count);
  const layoutEtag = (await fetch(`${baseUrl}/api/seats/${showId}/layout`)).headers.get('etag')!;
  send({ ready: true });
  return {
    async run(durationMs: number, target: 'status' | 'layout') {
      const recorder = new Recorder();
      let bytes = 0;
      const path = `/api/seats/${showId}/${target}`;
      const headers: Record<string, string> = target === 'layout' ? { 'if-none-match': layoutEtag, 'accept-encoding': 'gzip' } : { 'accept-encoding': 'gzip' };
      await closedLoop(count, durationMs, async () => {
        const started = performance.now();
        const response = await client.raw(path, headers);
        bytes += response.bytes;
        recorder.record(response.status, performance.now() - started);
      });
      recorder.endedAt = performance.now();
      const summary = recorder.summary();
      return { ...summary, bytesPerRead: round(bytes / Math.max(1, summary.requests)) };
    },
    stop: () => client.close(),
  };
}

type Running = { run?: (durationMs: number, target: 'status' | 'layout') => Promise<unknown>; mark?: () => void; report?: () => unknown; stop: () => unknown };

let running: Running | undefined;
process.on('message', async (command: Command) => {
  try {
    if (command.cmd === 'start') {
      const { role, baseUrl, showId, count, version } = command;
      running = role === 'fans' ? await fans(baseUrl, showId, count, version ?? 0) : role === 'buyers' ? await buyers(baseUrl, showId, count) : await reads(baseUrl, showId, count);
    } else if (command.cmd === 'run') send({ result: await running!.run!(command.durationMs, command.target ?? 'status') });
    else if (command.cmd === 'mark') {
      running?.mark?.();
      send({ marked: true });
    } else if (command.cmd === 'report') send({ result: running?.report?.() });
    else if (command.cmd === 'stop') {
      await running?.stop();
      process.exit(0);
    }
  } catch (error) {
    send({ error: (error as Error).stack ?? String(error) });
  }
});
