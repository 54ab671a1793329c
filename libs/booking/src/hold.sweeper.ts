import { APP_CONFIG, type AppConfig } from '@app/config';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HoldExpiry } from './hold-expiry.service.js';

/**
 * The safety net behind keyspace events: every `SWEEP_INTERVAL_MS` each instance releases every
 * hold that has lapsed, so no seat stays HELD longer than its expiry plus one interval, whatever
 * Redis events were missed.
 */
@Injectable()
export class HoldSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HoldSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly expiry: HoldExpiry,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), this.config.sweepIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One sweep; concurrent calls share the sweep in progress. */
  run(): Promise<number> {
    this.running ??= this.expiry
      .sweep()
      .catch((error: Error) => {
        this.logger.warn(`Sweep failed (next one in ${this.config.sweepIntervalMs} ms): ${error.message}`);
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
