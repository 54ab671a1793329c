import { SeatEvents } from '@app/booking';
import { Global, Module } from '@nestjs/common';
import { SocketSeatEvents } from './socket-seat-events.js';

@Global()
@Module({
  providers: [SocketSeatEvents, { provide: SeatEvents, useExisting: SocketSeatEvents }],
  exports: [SocketSeatEvents, SeatEvents],
})
export class RealtimeModule {}
