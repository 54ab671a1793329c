export { RealtimeModule } from './realtime.module.js';
export { RedisIoAdapter } from './redis-io.adapter.js';
export { SEATS_CHANGED, SEATS_NAMESPACE, type SeatsChangedEvent, showRoom } from './seats-changed.event.js';
export { SocketSeatEvents } from './socket-seat-events.js';
export { PreEncodedJson } from './pre-encoded.parser.js';
