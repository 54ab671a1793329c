export {
  type ConflictReason,
  LimitExceededError,
  NotEnoughSeatsError,
  type LimitKind,
  SalesClosedError,
  type SeatConflict,
  SeatConflictError,
  ShowNotFoundError,
} from './booking.errors.js';
export { BookingsService, MAX_LISTED_BOOKINGS } from './bookings.service.js';
export { BookingRepository } from './booking.repository.js';
export { SeatDirectory, type ShowRules } from './seat-directory.js';
export { BookingModule } from './booking.module.js';
export { SeatSaleService } from './seat-sale.service.js';
export { type BookedSeatView, type BookingLine, bookingView, type BookingView } from './booking-view.js';
export {
  type ExtendRequest,
  type ExtendResult,
  type HoldResult,
  type ReleaseResult,
  SeatHoldService,
  type SeatsRequest,
} from './seat-hold.service.js';
export { lockKey, parseLockKey, SeatLocks } from './seat-locks.js';
export { type SeatMap, SeatMapService, type ShowSummary } from './seat-map.service.js';
export { HoldRepository } from './hold.repository.js';
export { HouseHoldsService } from './house-holds.service.js';
export { type HistoryEntryView, type SalesReport, SellerRecordsService } from './seller-records.service.js';
export { type DeliveryView, WEBHOOK_EVENTS, WebhooksService } from './webhooks/webhooks.service.js';
export { newMessageId } from './webhooks/messages.js';
export { BestAvailableService, type HoldBestRequest } from './best-available.service.js';
export { SeatMapRepository, type SeatView } from './seat-map.repository.js';
export { type ShowChanges, ShowRepository } from './show.repository.js';
export { type SeatStatus } from './statements.js';
export { HoldExpiryListener } from './hold-expiry.listener.js';
export { HoldExpiry } from './hold-expiry.service.js';
export { HoldTimers } from './hold-timers.js';
export { HoldSweeper } from './hold.sweeper.js';
export { type SeatChange, SeatEvents } from './seat-events.js';
export { type SeatsChanged, ShowVersions } from './show-versions.js';
export { showStateKeys, ShowKeys } from './show-keys.js';
export { type ReconcileReport, RedisReconciler } from './redis-reconciler.js';
export { type SeatMapSnapshot, SeatMapSnapshots, ShowLayout } from './seat-map-snapshots.js';
export { ShowListService } from './show-list.service.js';
