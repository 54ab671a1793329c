import { BookingModule } from '@app/booking';
import { CatalogueModule } from '@app/catalogue';
import { type AppConfig, ConfigModule } from '@app/config';
import { DbModule } from '@app/db';
import { IdempotencyModule } from '@app/idempotency';
import { MetricsModule } from '@app/metrics';
import { RealtimeModule } from '@app/realtime';
import { RedisModule } from '@app/redis';
import { SecurityModule } from '@app/security';
import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShowsAdminController } from './admin/shows-admin.controller.js';
import { BookingsController } from './bookings/bookings.controller.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { WebhooksAdminController } from './admin/webhooks-admin.controller.js';
import { SeatsController } from './seats/seats.controller.js';
import { SeatsGateway } from './seats/seats.gateway.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        DbModule,
        RedisModule,
        RealtimeModule,
        BookingModule,
        CatalogueModule,
        IdempotencyModule,
        SecurityModule,
        TerminusModule,
      ],
      controllers: [
        SeatsController,
        BookingsController,
        ShowsAdminController,
        WebhooksAdminController,
        HealthController,
        MetricsController,
      ],
      providers: [SeatsGateway],
    };
  }
}
