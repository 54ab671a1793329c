import { BestAvailableService } from './best-available.service.js';
import { HouseHoldsService } from './house-holds.service.js';
import { HistoryRepository } from './history.repository.js';
import { SellerRecordsService } from './seller-records.service.js';
import { OutboxRepository } from './webhooks/outbox.repository.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { WebhooksService } from './webhooks/webhooks.service.js';
import { IdempotencyModule } from '@app/idempotency';
import { Module } from '@nestjs/common';
import { BookingRepository } from './booking.repository.js';
import { BookingsService } from './bookings.service.js';
import { HoldExpiryListener } from './hold-expiry.listener.js';
import { HoldExpiry } from './hold-expiry.service.js';
import { HoldTimers } from './hold-timers.js';
import { HoldSweeper } from './hold.sweeper.js';
import { SeatSaleService } from './seat-sale.service.js';
import { SeatDirectory } from './seat-directory.js';
import { SeatHoldService } from './seat-hold.service.js';
import { SeatLocks } from './seat-locks.js';
import { SeatMapService } from './seat-map.service.js';
import { HoldRepository } from './hold.repository.js';
import { SeatMapRepository } from './seat-map.repository.js';
import { ShowRepository } from './show.repository.js';
import { ShowVersions } from './show-versions.js';
import { SeatMapSnapshots } from './seat-map-snapshots.js';
import { ShowListService } from './show-list.service.js';
import { ShowKeys } from './show-keys.js';
import { RedisReconciler } from './redis-reconciler.js';

@Module({
  imports: [IdempotencyModule],
  providers: [
    ShowRepository,
    HoldRepository,
    SeatMapRepository,
    ShowVersions,
    ShowKeys,
    RedisReconciler,
    BookingRepository,
    BookingsService,
    SeatDirectory,
    SeatLocks,
    SeatHoldService,
    BestAvailableService,
    HouseHoldsService,
    HistoryRepository,
    SellerRecordsService,
    WebhooksService,
    OutboxRepository,
    WebhookDispatcher,
    WebhooksService,
    SeatSaleService,
    SeatMapService,
    SeatMapSnapshots,
    ShowListService,
    HoldExpiry,
    HoldTimers,
    HoldSweeper,
    HoldExpiryListener,
  ],
  exports: [
    ShowRepository,
    SeatHoldService,
    BestAvailableService,
    HouseHoldsService,
    SellerRecordsService,
    WebhooksService,
    SeatSaleService,
    SeatMapService,
    SeatMapSnapshots,
    ShowListService,
    BookingsService,
    SeatDirectory,
    ShowVersions,
    ShowKeys,
    RedisReconciler,
  ],
})
export class BookingModule {}
