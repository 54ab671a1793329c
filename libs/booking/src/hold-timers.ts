import { describeError } from '@app/common';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HoldExpiry } from './hold-expiry.service.js';

/**
 * The precise expiry path: the instance that granted a hold sets a timer for the moment it
 * lapses. The timer only wakes the release; whether the hold has lapsed is still decided by the
 * database clock (an early wake re-arms from the database's answer).
 *
 * Keyspace events alone are not precise enough: Redis finds expired keys by sampling, and with
 * thousands of keys carrying a TTL (cached idempotent responses, other holds) an `expired` event
 * was measured to arrive up to 20 s late. They remain the path for holds whose instance has gone,
 * and the sweeper repairs whatever both miss.
 */
@Injectable()
export class HoldTimers implements OnApplicationShutdown {
  private readonly logger = new Logger(HoldTimers.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly expiry: HoldExpiry) {}

  /** Releases `seatIds` once their hold lapses, `msLeft` from now by the database's reckoning. */
  arm(seatIds: string[], msLeft: number): void {
    if (this.stopped || seatIds.length === 0) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.expiry.releaseSeats(seatIds, 'timer').catch((error: Error) => {
          this.logger.warn(
            `Timed release of ${seatIds.length} seat(s) failed (events or the sweeper will free them): ${describeError(error)}`,
          );
        });
      },
      Math.max(0, msLeft) + 1,
    );
    // A pending expiry must not keep a stopping process alive; others' paths cover it.
    timer.unref();
    this.timers.add(timer);
  }

  /** Cancels every timer and arms no more (shutdown; tests of the other expiry paths). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}
