import type { Metrics } from '@app/metrics';
import type { Namespace, Socket } from 'socket.io';
import { constants, deflateRawSync } from 'node:zlib';
import { batchOf, latestPerSeat, SEATS_CHANGED, type SeatsChangedEvent, showRoom } from './seats-changed.event.js';

/** How long one slice of a fan-out may keep the event loop before letting requests run. */
const SLICE_MS = 2;
/** No new map is written to a socket with this much unread (the gateway answers RATE_LIMITED). */
export const MAX_UNREAD_BYTES = 16 * 1024 * 1024;
/**
 * A socket with this much unread gets no more events: it is disconnected, reconnects and resumes
 * (a delta or a status part), and the memory it can hold stays bounded. Above any backlog a
 * client that reads can have (20 maps of a large show in flight).
 */
export const DROP_UNREAD_BYTES = 8 * MAX_UNREAD_BYTES;

/** Bytes written to this socket but not yet taken by the network (a client that does not read). */
export function unreadBytes(socket: Socket): number {
  const transport = (socket.conn as unknown as { transport?: { socket?: { bufferedAmount?: number } } }).transport;
  return transport?.socket?.bufferedAmount ?? 0;
}

/** The parts of socket.io's adapter that a broadcast uses (socket.io-adapter 2.5, pinned with socket.io 4.8.3). */
interface BroadcastInternals {
  _encode(packet: unknown, options: Record<string, unknown>): unknown[];
}
interface EngineClient {
  writeToEngine(packets: unknown[], options: Record<string, unknown>): void;
}
/** The parts of engine.io 6.6's connection and WebSocket transport (ws 8.21) that `sendFrame` needs. */
interface EngineConnection {
  readyState: string;
  writeBuffer: unknown[];
  transport: {
    name: string;
    writable: boolean;
    socket?: {
      _sender?: { sendFrame(frame: Buffer[]): void };
      _extensions?: Record<string, { params?: { server_max_window_bits?: number | true } } | undefined>;
    };
  };
}

/**
 * permessage-deflate (RFC 7692) as the WebSocket server offers it. The fan-out compresses each
 * batch once, with a fresh context, and writes the same bytes to every socket that negotiated the
 * extension; `ws` itself never compresses (its threshold is never reached), so no socket holds a
 * compressor of its own (256 KB each). Without context takeover on the server's side, a message
 * compressed elsewhere can never be confused with one of ws's, and clients need not keep a window.
 */
export const PER_MESSAGE_DEFLATE = { serverNoContextTakeover: true, threshold: Number.MAX_SAFE_INTEGER } as const;

/**
 * A batch's WebSocket frame as written to every socket: plain, and deflated on first need, each as
 * one buffer (header and payload together), so that a socket takes it in one `write` rather than a
 * corked pair that Node sends as a `writev` (about 9 against 11 µs a socket on this machine's
 * loopback, measured on a bare server writing to 5,000 sockets).
 */
class BatchFrames {
  readonly plain: Buffer[] | undefined;
  private deflated?: Buffer[];

  /** `encoded`: socket.io's pre-encoded frame, header then payload (ws's Sender.frame without a mask). */
  constructor(private readonly encoded: Buffer[] | undefined) {
    this.plain = encoded && [Buffer.concat(encoded)];
  }

  /** The frame for this connection: deflated when it negotiated permessage-deflate with a full window. */
  for(conn: EngineConnection): Buffer[] | undefined {
    const deflate = conn.transport.socket?._extensions?.['permessage-deflate'];
    const windowBits = deflate?.params?.server_max_window_bits;
    if (!this.encoded || !deflate || (typeof windowBits === 'number' && windowBits < 15)) return this.plain;
    // Flushed, not finished, and without the flush's 4-byte trailer: a message as RFC 7692 §7.2.1 sends it.
    this.deflated ??= [
      textFrame(deflateRawSync(this.encoded[this.encoded.length - 1], { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4), true),
    ];
    return this.deflated;
  }
}

/** An unmasked, final text frame (RFC 6455 §5.2), its payload compressed when `deflated` (RSV1). */
function textFrame(payload: Buffer, deflated: boolean): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81 | (deflated ? 0x40 : 0);
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * Writes a pre-encoded WebSocket frame straight to the socket's WebSocket when engine.io has
 * nothing queued for it (what engine.io itself would do, less its per-packet bookkeeping and
 * write callback); `false` when it must go through engine.io to keep the order of what is queued.
 */
function sendFrame(socket: Socket, frames: BatchFrames): boolean {
  const conn = socket.conn as unknown as EngineConnection;
  const sender = conn.transport.socket?._sender;
  if (
    !frames.plain ||
    !sender ||
    conn.readyState !== 'open' ||
    conn.transport.name !== 'websocket' ||
    !conn.transport.writable ||
    conn.writeBuffer.length > 0
  )
    return false;
  sender.sendFrame(frames.for(conn)!);
  return true;
}

/**
 * Writes each show's batches to the sockets of its room on this instance, without ever holding the
 * event loop for long: a cursor goes round the room's sockets in slices of at most `SLICE_MS`, the
 * loop free between slices for holds and bookings waiting on the database or Redis, and gives each
 * socket it passes, in one event, every batch that socket lacks (latest change per seat). A batch
 * that arrives while the cursor is going round is written from where the cursor is, so it reaches
 * every socket within one round, never waiting for the round before to end; a socket the cursor
 * reaches with nothing new is skipped. Each distinct event is encoded once (as socket.io's own
 * broadcast does, down to the WebSocket frame, deflated once for the sockets that negotiated
 * compression) and the same bytes are written to every socket that lacks the same batches. The cost
 * is bounded by the sockets, not by how many changes arrive: a busy instance sends fuller events.
 */
export class Fanout {
  private readonly shows = new Map<string, ShowFanout>();

  constructor(
    private readonly namespace: Namespace,
    private readonly metrics: Metrics,
  ) {}

  deliver(event: SeatsChangedEvent): void {
    let show = this.shows.get(event.showId);
    if (!show)
      this.shows.set(
        event.showId,
        (show = new ShowFanout(this.namespace, this.metrics, event.showId, () => this.shows.delete(event.showId))),
      );
    show.add(event);
  }
}

/** A batch kept until every socket of the room had the chance to get it. */
interface Kept {
  seq: number;
  event: SeatsChangedEvent;
  /** The cursor's count of sockets passed by which it has been round every socket present when the batch came. */
  roundEndsAt: number;
}

/** One encoded event: the batches after some sequence number, merged. */
interface Payload {
  encoded: unknown[];
  options: Record<string, unknown>;
  frames: BatchFrames;
}

class ShowFanout {
  private readonly room: string;
  private kept: Kept[] = [];
  private latest = 0;
  /** The sequence number of the newest batch each socket has been given. */
  private readonly given = new WeakMap<Socket, number>();
  private readonly payloads = new Map<number, Payload>();
  private members?: Set<string>;
  private cursor?: Iterator<string>;
  /** Sockets the cursor has passed since this show's fan-out started. */
  private passed = 0;
  private running = false;

  constructor(
    private readonly namespace: Namespace,
    private readonly metrics: Metrics,
    private readonly showId: string,
    private readonly idle: () => void,
  ) {
    this.room = showRoom(showId);
  }

  add(event: SeatsChangedEvent): void {
    const size = this.namespace.adapter.rooms.get(this.room)?.size ?? 0;
    this.kept.push({ seq: ++this.latest, event, roundEndsAt: this.passed + size });
    this.payloads.clear();
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.kept.length > 0) {
        const until = performance.now() + SLICE_MS;
        let written = 0;
        do {
          const id = this.next();
          if (id === undefined) {
            this.kept = [];
            break;
          }
          this.passed++;
          written += this.visit(id);
          this.forgetDelivered();
        } while (this.kept.length > 0 && ((this.passed & 63) !== 0 || performance.now() < until));
        this.metrics.liveDeliveries.inc(written);
        if (this.kept.length > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
      this.idle();
    }
  }

  /** The next socket id round the room (undefined when the room is empty). */
  private next(): string | undefined {
    const members = this.namespace.adapter.rooms.get(this.room);
    if (!members || members.size === 0) return undefined;
    if (members !== this.members) {
      this.members = members;
      this.cursor = members.values();
    }
    let step = this.cursor!.next();
    if (step.done) {
      this.cursor = members.values();
      step = this.cursor.next();
    }
    return step.value as string;
  }

  /** Writes to the socket what it lacks; 1 if it was written to. */
  private visit(id: string): number {
    const socket = this.namespace.sockets.get(id);
    if (!socket) return 0;
    // A socket first met here (it joined since, or the fan-out was idle) gets every batch kept:
    // one it already had in the map it read after joining is applied once, by its version.
    const given = this.given.get(socket) ?? 0;
    if (given >= this.latest) return 0;
    if (unreadBytes(socket) > DROP_UNREAD_BYTES) {
      socket.disconnect(true);
      return 0;
    }
    const latest = this.latest;
    const payload = this.payloadAfter(given);
    if (!sendFrame(socket, payload.frames)) (socket.client as unknown as EngineClient).writeToEngine(payload.encoded, payload.options);
    this.given.set(socket, latest);
    return 1;
  }

  /** The batches kept after sequence number `given`, as one encoded event. */
  private payloadAfter(given: number): Payload {
    const after = Math.max(given, this.kept[0].seq - 1);
    let payload = this.payloads.get(after);
    if (!payload) {
      const batches = this.kept.filter((batch) => batch.seq > after).map((batch) => batch.event);
      // One event: the latest change per seat, stamped with the earliest batch's emission.
      const at = batches.reduce((earliest, batch) => (batch.at < earliest ? batch.at : earliest), batches[0].at);
      const event = batchOf(this.showId, latestPerSeat(batches.flatMap((batch) => batch.changes)), at) ?? batches[0];
      const options: Record<string, unknown> = { preEncoded: true };
      const packet = { type: 2 /* EVENT */, nsp: this.namespace.name, data: [SEATS_CHANGED, event] };
      const encoded = (this.namespace.adapter as unknown as BroadcastInternals)._encode(packet, options);
      payload = { encoded, options, frames: new BatchFrames(options.wsPreEncodedFrame as Buffer[] | undefined) };
      this.payloads.set(after, payload);
      this.metrics.liveBatches.inc();
    }
    return payload;
  }

  /** Drops the batches the cursor has taken round every socket, timing each from its oldest change. */
  private forgetDelivered(): void {
    let done = 0;
    while (done < this.kept.length && this.kept[done].roundEndsAt <= this.passed) {
      this.metrics.liveBatchWritten.observe(Math.max(0, Date.now() - oldestVersion(this.kept[done].event) / 1000) / 1000);
      done++;
    }
    if (done > 0) {
      this.kept = this.kept.slice(done);
      this.payloads.clear();
    }
  }
}

/** The version of the batch's oldest change, in microseconds since the epoch. */
function oldestVersion(event: SeatsChangedEvent): number {
  let oldest = event.version;
  for (const change of event.changes) if (change.version < oldest) oldest = change.version;
  return oldest;
}
