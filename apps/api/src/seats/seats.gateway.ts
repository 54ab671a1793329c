import { SeatMapSnapshots } from '@app/booking';
import { DomainError, id, refusal } from '@app/common';
import { LiveFeed, MAX_UNREAD_BYTES, PreEncodedJson, SEATS_NAMESPACE, showRoom, unreadBytes } from '@app/realtime';
import { Metrics } from '@app/metrics';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';

const SubscribeRequest = z.object({
  showId: id(),
  version: z.number().int().optional(),
  format: z.enum(['full', 'status']).default('full'),
});
const UnsubscribeRequest = z.looseObject({ showId: z.string() });
const SUBSCRIBE_RULE = 'subscribe needs { showId: string, version?: integer, format?: "full" | "status" }';

/** Per socket: at most this many shows at once, and this many `subscribe` per window. */
export const SOCKET_LIMITS = { shows: 10, subscribes: 20, windowMs: 10_000, bufferedBytes: MAX_UNREAD_BYTES } as const;

interface SocketState {
  shows: Set<string>;
  /** When its recent `subscribe` messages arrived (ms), oldest first. */
  subscribes: number[];
}

const stateOf = (socket: Socket): SocketState =>
  ((socket.data as { limits?: SocketState }).limits ??= { shows: new Set(), subscribes: [] });

const rateLimited = (message: string) => ({ error: { code: 'RATE_LIMITED', message } });

/**
 * socket.io namespace `/seats`: `subscribe` with `{ showId, version?, format? }` joins the show's
 * room and is acknowledged with what the client lacks: `{ showId, version, upToDate: true }` when
 * its version is current; the changes since its version when this instance still has them (a
 * delta, see `LiveFeed`); else the status part (`format: "status"`) or the full seat map, from the
 * show's snapshot (the same bytes for every subscriber). Batched `seats:changed` events follow.
 * Errors are acknowledged as `{ error: { code, message } }`, never by dropping the connection.
 * One socket cannot crowd out the others: it may hold 10 shows, send 20 `subscribe` per 10 s, and
 * get no new map while 16 MB are still waiting for it to read.
 */
@WebSocketGateway({ namespace: SEATS_NAMESPACE })
export class SeatsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly snapshots: SeatMapSnapshots,
    private readonly feed: LiveFeed,
    private readonly metrics: Metrics,
  ) {}

  afterInit(namespace: Namespace): void {
    this.feed.attach(namespace);
  }

  handleConnection(): void {
    this.metrics.socketClients.inc();
  }

  handleDisconnect(): void {
    this.metrics.socketClients.dec();
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    const state = stateOf(socket);
    const now = Date.now();
    while (state.subscribes.length > 0 && state.subscribes[0] <= now - SOCKET_LIMITS.windowMs) state.subscribes.shift();
    if (state.subscribes.length >= SOCKET_LIMITS.subscribes) {
      return rateLimited(
        `At most ${SOCKET_LIMITS.subscribes} subscribe per ${SOCKET_LIMITS.windowMs / 1000} s per connection; wait a little.`,
      );
    }
    state.subscribes.push(now);

    const request = SubscribeRequest.safeParse(body);
    if (!request.success) {
      return {
        error: { code: 'INVALID_REQUEST', message: `${SUBSCRIBE_RULE}: ${refusal(request.error, body, { subject: 'the message' })}` },
      };
    }
    const { showId, version, format } = request.data;
    if (!state.shows.has(showId) && state.shows.size >= SOCKET_LIMITS.shows) {
      return rateLimited(`At most ${SOCKET_LIMITS.shows} shows per connection; unsubscribe from one first.`);
    }
    if (unreadBytes(socket) > SOCKET_LIMITS.bufferedBytes) return rateLimited('Earlier answers have not been read yet; read them first.');
    const isNew = !state.shows.has(showId);
    state.shows.add(showId);
    try {
      // Join first, then read: a change committed in between is seen twice, never missed.
      await socket.join(showRoom(showId));
      if (version !== undefined) {
        const delta = await this.delta(showId, version);
        if (delta) return delta;
      }
      const snapshot = await this.snapshots.current(showId);
      if (version === snapshot.version) return { showId, version, upToDate: true };
      return new PreEncodedJson(format === 'status' ? snapshot.statusJson : snapshot.json);
    } catch (error) {
      if (isNew) {
        state.shows.delete(showId);
        await socket.leave(showRoom(showId));
      }
      if (error instanceof DomainError) return { error: { code: error.code, message: error.message } };
      return { error: { code: 'INTERNAL', message: 'The seat map could not be read; retry shortly.' } };
    }
  }

  /**
   * What a client at `version` lacks: nothing when its version is current (the show's read version: every
   * change up to it is committed), else the latest change of each seat since, from the changes this
   * instance heard; undefined when it may have missed some of them (then a map). The answer's
   * version is the read version: changes up to it that are still on their way here arrive as events, the
   * socket having joined the room before this read.
   */
  private async delta(showId: string, version: number) {
    const readVersion = await this.snapshots.readVersion(showId);
    if (!readVersion) return undefined;
    if (version >= readVersion) return { showId, version, upToDate: true };
    const changes = this.feed.changesSince(showId, version);
    return changes && { showId, version: readVersion, since: version, changes };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    const request = UnsubscribeRequest.safeParse(body);
    if (request.success) {
      stateOf(socket).shows.delete(request.data.showId);
      await socket.leave(showRoom(request.data.showId));
    }
    return { ok: true };
  }
}
