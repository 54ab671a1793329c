import { describeError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Database } from '@app/db';
import { IdempotencyRecords } from '@app/idempotency';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HoldExpiry } from './hold-expiry.service.js';

const PRUNE_EVERY_MS = 60_000;

/**
 * The safety net behind keyspace events: every `SWEEP_INTERVAL_MS` each instance releases every
 * hold that has lapsed, so no seat stays HELD longer than its expiry plus one interval, whatever
 * Redis events were missed. It also deletes durable idempotency records past their retention,
 * at most once a minute.
 */
@Injectable()
export class HoldSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HoldSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private lastPrune = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly database: Database,
    private readonly expiry: HoldExpiry,
    private readonly idempotencyRecords: IdempotencyRecords,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), this.config.sweepIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes durable idempotency records older than `IDEMPOTENCY_TTL_SECONDS`. */
  pruneIdempotencyRecords(): Promise<number> {
    return this.database.read((db) => this.idempotencyRecords.prune(db, this.config.idempotencyTtlSeconds));
  }

  /** One sweep; concurrent calls share the sweep in progress. */
  run(): Promise<number> {
    this.running ??= this.expiry
      .sweep()
      .then(async (released) => {
        if (Date.now() - this.lastPrune >= PRUNE_EVERY_MS) {
          this.lastPrune = Date.now();
          await this.pruneIdempotencyRecords();
        }
        return released;
      })
      .catch((error: Error) => {
        this.logger.warn(`Sweep failed (next one in ${this.config.sweepIntervalMs} ms): ${describeError(error)}`);
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
