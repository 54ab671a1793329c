import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
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

/** Every how many fans one inflates and parses what arrives to time it; the others only count frames. */
const TIMED_EVERY = 20;

/** What the fans' process needs of a fan, timed or counting. */
interface Fan {
  subscribe(payload: object): Promise<any>;
  readonly connected: boolean;
  /** Bytes read from the connection so far (frames, headers and all, as they crossed the network). */
  readonly bytesRead: number;
  close(): void;
}

/**
 * A fan that times what arrives: a socket.io client spoken over `ws` (Engine.IO 4 framing),
 * negotiating permessage-deflate as browsers do, inflating and parsing every event and timing
 * its changes from the moment each change's version was taken.
 */
class TimedFan implements Fan {
  private readonly socket: WebSocket;
  private ackWaiter?: (ack: any) => void;
  private subscription?: string;

  constructor(
    baseUrl: string,
    private readonly seen: (event?: { changes: { version: number }[] }) => void,
  ) {
    this.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: true,
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
      const text = frame.toString();
      const [, event] = JSON.parse(text.slice(text.indexOf('[')));
      this.seen(event);
    }
  }

  get connected(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get bytesRead(): number {
    return (this.socket as unknown as { _socket?: Socket })._socket?.bytesRead ?? 0;
  }

  close(): void {
    this.socket.terminate();
  }
}

/**
 * A fan that only counts, at the cost of reading its socket: WebSocket (RFC 6455) spoken over a
 * bare TCP connection, offering permessage-deflate as browsers do, and counting each deflated
 * message (only events are deflated) from its frame header, its payload skipped, never inflated
 * or parsed: that is a phone's work, not the service's. Engine.IO pings are answered, and the
 * namespace and subscribe handshake is read from plain frames.
 */
class CountingFan implements Fan {
  private readonly socket: Socket;
  private upgraded = false;
  /** Bytes of an unfinished frame (or of the upgrade answer) waiting for the rest. */
  private pending?: Buffer;
  /** Payload bytes of a counted event still to arrive (and be skipped). */
  private skip = 0;
  private ackWaiter?: { resolve: (ack: any) => void; reject: (error: Error) => void };
  private subscription?: string;

  constructor(
    baseUrl: string,
    private readonly seen: () => void,
  ) {
    const url = new URL(baseUrl);
    this.socket = connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.socket.write(
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n`,
    );
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.ackWaiter?.reject(error));
    this.socket.on('close', () => this.ackWaiter?.reject(new Error('closed before subscribing')));
  }

  subscribe(payload: object): Promise<any> {
    this.subscription = `42/seats,0${JSON.stringify(['subscribe', payload])}`;
    return new Promise((resolve, reject) => (this.ackWaiter = { resolve, reject }));
  }

  private onData(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = Math.min(this.skip, data.length);
    this.skip -= at;
    if (!this.upgraded) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        this.pending = data;
        return;
      }
      const head = data.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) return this.ackWaiter?.reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      this.upgraded = true;
      at = end + 4;
    }
    while (data.length - at >= 2) {
      const first = data[at];
      let length = data[at + 1] & 0x7f;
      let payloadAt = at + 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        payloadAt = at + 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        payloadAt = at + 10;
      }
      if (first & 0x40 /* RSV1: a deflated message */) {
        this.seen();
        const here = Math.min(length, data.length - payloadAt);
        this.skip = length - here;
        at = payloadAt + here;
        continue;
      }
      if (data.length - payloadAt < length) break;
      this.onMessage(first & 0x0f, data.subarray(payloadAt, payloadAt + length));
      at = payloadAt + length;
    }
    if (at < data.length) this.pending = data.subarray(at);
  }

  private onMessage(opcode: number, payload: Buffer): void {
    if (opcode === 0x8 /* close */) return void this.socket.end();
    if (opcode !== 0x1 /* text */) return;
    if (payload[0] === 0x32 /* '2' ping */) return this.send('3');
    if (payload[0] === 0x30 /* '0' open */) return this.send('40/seats,');
    if (payload[0] !== 0x34 /* '4' message */) return;
    if (payload[1] === 0x30 /* '0' connected to the namespace */) this.send(this.subscription!);
    else if (payload[1] === 0x33 /* '3' ack */) {
      const text = payload.toString();
      this.ackWaiter?.resolve(JSON.parse(text.slice(text.indexOf('[')))[0]);
      this.ackWaiter = undefined;
    } else if (payload[1] === 0x32 /* '2' an event sent plain */) this.seen();
  }

  /** A client's text frame: masked, as clients must, with a key of zeros (the payload unchanged). */
  private send(text: string): void {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(payload.length < 126 ? 6 : 8);
    header[0] = 0x81;
    if (payload.length < 126) header[1] = 0x80 | payload.length;
    else {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(payload.length, 2);
    }
    this.socket.write(Buffer.concat([header, payload]));
  }

  get connected(): boolean {
    return this.upgraded && !this.socket.destroyed;
  }

  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function fans(baseUrl: string, showId: string, count: number, version: number) {
  const all: Fan[] = [];
  let histogram = new ArrivalHistogram();
  let events = 0;
  let bytesBefore = 0;
  let timedEvents = 0;
  let timedChanges = 0;
  const counted = () => events++;
  const timed = (event?: { changes: { version: number }[] }) => {
    events++;
    if (!event) return;
    const now = Date.now();
    let oldest = Infinity;
    for (const change of event.changes) oldest = Math.min(oldest, change.version);
    histogram.add(now - oldest / 1000);
    timedEvents++;
    timedChanges += event.changes.length;
  };
  const bytesRead = () => all.reduce((sum, fan) => sum + fan.bytesRead, 0);
  let upToDate = 0;
  for (let i = 0; i < count; i += 250) {
    const batch = Array.from({ length: Math.min(250, count - i) }, (_, j) =>
      (i + j) % TIMED_EVERY === 0 ? new TimedFan(baseUrl, timed) : new CountingFan(baseUrl, counted),
    );
    const acks = await Promise.all(batch.map((fan) => fan.subscribe({ showId, version, format: 'status' })));
    upToDate += acks.filter((ack) => ack.upToDate).length;
    all.push(...batch);
  }
  send({ ready: true, connected: all.length, upToDate });
  return {
    mark() {
      histogram = new ArrivalHistogram();
      events = timedEvents = timedChanges = 0;
      bytesBefore = bytesRead();
    },
    report: () => ({
      events,
      bytes: bytesRead() - bytesBefore,
      // Changes per event as the timed fans saw them, scaled to every fan's events.
      changes: timedEvents === 0 ? 0 : Math.round((timedChanges / timedEvents) * events),
      histogram: histogram.toJSON(),
      connected: all.filter((fan) => fan.connected).length,
    }),
    stop: () => all.forEach((fan) => fan.close()),
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
