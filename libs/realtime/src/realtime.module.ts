import { SeatEvents } from '@app/booking';
import { Global, Module } from '@nestjs/common';
import { LiveFeed } from './live-feed.js';

@Global()
@Module({
  providers: [LiveFeed, { provide: SeatEvents, useExisting: LiveFeed }],
  exports: [LiveFeed, SeatEvents],
})
export class RealtimeModule {}
