import type { Metrics } from '@app/metrics';
import type { Namespace, Socket } from 'socket.io';
import { constants, deflateRawSync } from 'node:zlib';
import { latestPerSeat, SEATS_CHANGED, type SeatsChangedEvent, showRoom } from './seats-changed.event.js';

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
 * Writes a show's batches to the sockets of its room on this instance without ever holding the
 * event loop for long: the packet is encoded once (as socket.io's own broadcast does, down to the
 * WebSocket frame, deflated once for the sockets that negotiated compression), then written to
 * the sockets in slices of at most `SLICE_MS`, with the loop free between slices for holds and
 * bookings waiting on the database or Redis. While a show's fan-out runs, its next batches wait
 * and merge (latest change per seat), so the cost is bounded by the sockets, not by how many
 * changes arrive: a busy instance sends fewer, fuller batches.
 */
export class Fanout {
  private readonly running = new Set<string>();
  private readonly waiting = new Map<string, SeatsChangedEvent>();

  constructor(
    private readonly namespace: Namespace,
    private readonly metrics: Metrics,
  ) {}

  deliver(event: SeatsChangedEvent): void {
    if (!this.running.has(event.showId)) {
      void this.run(event);
      return;
    }
    const queued = this.waiting.get(event.showId);
    this.waiting.set(event.showId, queued ? merge(queued, event) : event);
  }

  private async run(event: SeatsChangedEvent): Promise<void> {
    this.running.add(event.showId);
    try {
      await this.write(event);
    } finally {
      this.running.delete(event.showId);
      const next = this.waiting.get(event.showId);
      if (next) {
        this.waiting.delete(event.showId);
        this.deliver(next);
      }
    }
  }

  private async write(event: SeatsChangedEvent): Promise<void> {
    const members = this.namespace.adapter.rooms.get(showRoom(event.showId));
    if (!members || members.size === 0) return;
    const ids = [...members];
    const options: Record<string, unknown> = { preEncoded: true };
    const packet = { type: 2 /* EVENT */, nsp: this.namespace.name, data: [SEATS_CHANGED, event] };
    const encoded = (this.namespace.adapter as unknown as BroadcastInternals)._encode(packet, options);
    const frames = new BatchFrames(options.wsPreEncodedFrame as Buffer[] | undefined);
    this.metrics.liveBatches.inc();
    let i = 0;
    let delivered = 0;
    while (i < ids.length) {
      const until = performance.now() + SLICE_MS;
      let written = 0;
      do {
        const socket = this.namespace.sockets.get(ids[i++]);
        if (!socket) continue;
        if (unreadBytes(socket) > DROP_UNREAD_BYTES) socket.disconnect(true);
        else {
          if (!sendFrame(socket, frames)) (socket.client as unknown as EngineClient).writeToEngine(encoded, options);
          written++;
        }
      } while (i < ids.length && ((i & 63) !== 0 || performance.now() < until));
      this.metrics.liveDeliveries.inc(written);
      delivered += written;
      if (i < ids.length) await new Promise((resolve) => setImmediate(resolve));
    }
    if (delivered > 0) this.metrics.liveBatchWritten.observe(Math.max(0, Date.now() - oldestVersion(event) / 1000) / 1000);
  }
}

/** The version of the batch's oldest change, in microseconds since the epoch. */
function oldestVersion(event: SeatsChangedEvent): number {
  let oldest = event.version;
  for (const change of event.changes) if (change.version < oldest) oldest = change.version;
  return oldest;
}

/** Two batches of one show as one: the latest change per seat, the earliest emission time. */
function merge(a: SeatsChangedEvent, b: SeatsChangedEvent): SeatsChangedEvent {
  const changes = latestPerSeat(b.changes, latestPerSeat(a.changes));
  return { showId: a.showId, version: Math.max(a.version, b.version), changes: [...changes.values()], at: a.at < b.at ? a.at : b.at };
}
