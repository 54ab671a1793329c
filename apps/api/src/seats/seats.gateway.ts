import { SeatMapService } from '@app/booking';
import { DomainError } from '@app/common';
import { SEATS_NAMESPACE, showRoom, SocketSeatEvents } from '@app/realtime';
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
import { NO_CONTROL_CHARACTERS } from './seats-request.dto.js';

interface SubscribeRequest {
  showId?: unknown;
}

/**
 * socket.io namespace `/seats`: `subscribe` with `{ showId }` joins the show's room and is
 * acknowledged with the full seat map; `seats:changed` events follow. Errors are acknowledged as
 * `{ error: { code, message } }`, never by dropping the connection.
 */
@WebSocketGateway({ namespace: SEATS_NAMESPACE })
export class SeatsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly seatMaps: SeatMapService,
    private readonly events: SocketSeatEvents,
    private readonly metrics: Metrics,
  ) {}

  afterInit(namespace: Namespace): void {
    this.events.attach(namespace);
  }

  handleConnection(): void {
    this.metrics.socketClients.inc();
  }

  handleDisconnect(): void {
    this.metrics.socketClients.dec();
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: SubscribeRequest) {
    const showId = body?.showId;
    if (typeof showId !== 'string' || showId.length === 0 || showId.length > 128 || !NO_CONTROL_CHARACTERS.test(showId)) {
      return { error: { code: 'INVALID_REQUEST', message: 'subscribe needs { showId: string }' } };
    }
    try {
      // Join first, then read: a change committed in between is seen twice, never missed.
      await socket.join(showRoom(showId));
      return await this.seatMaps.seatMap(showId);
    } catch (error) {
      await socket.leave(showRoom(showId));
      if (error instanceof DomainError) return { error: { code: error.code, message: error.message } };
      return { error: { code: 'INTERNAL', message: 'The seat map could not be read; retry shortly.' } };
    }
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: SubscribeRequest) {
    if (typeof body?.showId === 'string') await socket.leave(showRoom(body.showId));
    return { ok: true };
  }
}
