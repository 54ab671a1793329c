import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { closedLoop, HttpClient, Recorder, round } from './load.js';

/**
 * One load process of the stadium scenario (forked by `stadium.ts`), so that what it costs is
 * counted apart from the service: `fans` keeps socket.io subscribers (raw WebSocket framing) and only
 * counts and times what arrives; `buyers` holds and books pairs of seats in a closed loop; `reads` GETs the status
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

/** Every how many fans one parses what arrives to time it; the others only count frames and bytes. */
const TIMED_EVERY = 20;

/**
 * One fan: a socket.io client spoken directly over a WebSocket (Engine.IO 4 framing), so that a
 * load process can hold 1,250 of them while spending little: `timed` fans parse every event and
 * time its changes, the others look at one byte per frame (answering pings) and count.
 */
class Fan {
  readonly socket: WebSocket;
  private ackWaiter?: (ack: any) => void;
  private subscription?: string;

  constructor(
    baseUrl: string,
    private readonly timed: boolean,
    private readonly seen: (frame: Buffer, event?: { changes: { version: number }[] }) => void,
  ) {
    this.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    this.socket.on('message', (frame: Buffer) => this.onFrame(frame));
  }

  /** Connects to the namespace and subscribes; resolves with the acknowledgement. */
  subscribe(payload: object): Promise<any> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.once('close', () => reject(new Error('closed before subscribing')));
      this.ackWaiter = resolve;
      this.subscription = `42/seats,0${JSON.stringify(['subscribe', payload])}`;
      this.socket.once('open', () => this.socket.send('40/seats,'));
    });
  }

  private onFrame(frame: Buffer): void {
    const type = frame[0];
    if (type === 0x32 /* '2' ping */) return this.socket.send('3');
    if (type !== 0x34 /* '4' message */) return;
    if (frame[1] === 0x30 /* '0' connected to the namespace: events may be sent from now on */) {
      this.socket.send(this.subscription!);
    } else if (frame[1] === 0x33 /* '3' ack */) {
      const text = frame.toString();
      this.ackWaiter?.(JSON.parse(text.slice(text.indexOf('[')))[0]);
      this.ackWaiter = undefined;
    } else if (frame[1] === 0x32 /* '2' event */) {
      if (!this.timed) return this.seen(frame);
      const text = frame.toString();
      const [, event] = JSON.parse(text.slice(text.indexOf('[')));
      this.seen(frame, event);
    }
  }

  get connected(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

async function fans(baseUrl: string, showId: string, count: number, version: number) {
  const all: Fan[] = [];
  let histogram = new ArrivalHistogram();
  let events = 0;
  let bytes = 0;
  let timedEvents = 0;
  let timedChanges = 0;
  const seen = (frame: Buffer, event?: { changes: { version: number }[] }) => {
    events++;
    bytes += frame.length;
    if (!event) return;
    const now = Date.now();
    let oldest = Infinity;
    for (const change of event.changes) oldest = Math.min(oldest, change.version);
    histogram.add(now - oldest / 1000);
    timedEvents++;
    timedChanges += event.changes.length;
  };
  let upToDate = 0;
  for (let i = 0; i < count; i += 250) {
    const batch = Array.from({ length: Math.min(250, count - i) }, (_, j) => new Fan(baseUrl, (i + j) % TIMED_EVERY === 0, seen));
    const acks = await Promise.all(batch.map((fan) => fan.subscribe({ showId, version, format: 'status' })));
    upToDate += acks.filter((ack) => ack.upToDate).length;
    all.push(...batch);
  }
  send({ ready: true, connected: all.length, upToDate });
  return {
    mark() {
      histogram = new ArrivalHistogram();
      events = bytes = timedEvents = timedChanges = 0;
    },
    report: () => ({
      events,
      bytes,
      // Changes per event as the timed fans saw them, scaled to every fan's events.
      changes: timedEvents === 0 ? 0 : Math.round((timedChanges / timedEvents) * events),
      histogram: histogram.toJSON(),
      connected: all.filter((fan) => fan.connected).length,
    }),
    stop: () => all.forEach((fan) => fan.socket.terminate()),
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
        const body = { seatIds: [seatIds[cursor++], seatIds[cursor++]], userId: `buyer-${worker}` };
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
      const headers: Record<string, string> =
        target === 'layout' ? { 'if-none-match': layoutEtag, 'accept-encoding': 'gzip' } : { 'accept-encoding': 'gzip' };
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

type Running = {
  run?: (durationMs: number, target: 'status' | 'layout') => Promise<unknown>;
  mark?: () => void;
  report?: () => unknown;
  stop: () => unknown;
};

let running: Running | undefined;
process.on('message', (command: Command) => void obey(command));

async function obey(command: Command) {
  try {
    if (command.cmd === 'start') {
      const { role, baseUrl, showId, count, version } = command;
      running =
        role === 'fans'
          ? await fans(baseUrl, showId, count, version ?? 0)
          : role === 'buyers'
            ? await buyers(baseUrl, showId, count)
            : await reads(baseUrl, showId, count);
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
}
