export { type ConflictReason, type SeatConflict, SeatConflictError, ShowNotFoundError } from './booking.errors.js';
export { BookingModule } from './booking.module.js';
export { type BookingResult, SeatBookingService } from './seat-booking.service.js';
export { type HoldResult, type ReleaseResult, SeatHoldService, type SeatsRequest } from './seat-hold.service.js';
export { lockKey, parseLockKey, SeatLocks } from './seat-locks.js';
export { type SeatMap, SeatMapService, type SeatView, type ShowSummary } from './seat-map.service.js';
export { type SeatStatus, SeatRepository } from './seat.repository.js';
