import { type SeatChange, SeatEvents } from '@app/booking';
import { Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { SEATS_CHANGED, type SeatsChangedEvent, showRoom } from './seats-changed.event.js';

/** Publishes seat changes to the show's room of the `/seats` namespace, on every instance. */
@Injectable()
export class SocketSeatEvents extends SeatEvents {
  private readonly logger = new Logger('SeatEvents');
  private namespace?: Namespace;

  /** Called by the gateway once the socket.io namespace exists. */
  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  publish(showId: string, changes: SeatChange[], version: number): void {
    if (changes.length === 0) return;
    const event: SeatsChangedEvent = { showId, version, changes, at: new Date().toISOString() };
    if (!this.namespace) {
      this.logger.warn(`No socket.io namespace yet; dropped ${changes.length} change(s) of ${showId}`);
      return;
    }
    this.namespace.to(showRoom(showId)).emit(SEATS_CHANGED, event);
  }
}
