export { RealtimeModule } from './realtime.module.js';
export { RedisIoAdapter } from './redis-io.adapter.js';
export { SEATS_CHANGED, SEATS_NAMESPACE, type SeatsChangedEvent, showRoom, type VersionedChange } from './seats-changed.event.js';
export { LiveFeed } from './live-feed.js';
export { ChangeLog, LATE_MS, RETAIN_MS } from './change-log.js';
export { MAX_UNREAD_BYTES, unreadBytes } from './fanout.js';
export { PreEncodedJson } from './pre-encoded.parser.js';
