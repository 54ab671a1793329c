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
  /** The timer that will wake each seat's release (a seat re-held later moves to its new timer). */
  private readonly timerOf = new Map<string, { timer: NodeJS.Timeout; seats: Set<string> }>();
  private stopped = false;

  constructor(private readonly expiry: HoldExpiry) {}

  /** Releases `seatIds` once their hold lapses, `msLeft` from now by the database's reckoning. */
  arm(seatIds: string[], msLeft: number): void {
    if (this.stopped || seatIds.length === 0) return;
    this.disarm(seatIds);
    const seats = new Set(seatIds);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        for (const seatId of seats) this.timerOf.delete(seatId);
        if (seats.size === 0) return;
        this.expiry.releaseSeats([...seats], 'timer').catch((error: Error) => {
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
    for (const seatId of seats) this.timerOf.set(seatId, { timer, seats });
  }

  /**
   * Forgets the seats' timers: their hold ended otherwise (sold or released here), so waking
   * their release would only run a transaction that finds nothing to release.
   */
  disarm(seatIds: string[]): void {
    for (const seatId of seatIds) {
      const armed = this.timerOf.get(seatId);
      if (!armed) continue;
      this.timerOf.delete(seatId);
      armed.seats.delete(seatId);
      if (armed.seats.size === 0) {
        clearTimeout(armed.timer);
        this.timers.delete(armed.timer);
      }
    }
  }

  /** Cancels every timer and arms no more (shutdown; tests of the other expiry paths). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.timerOf.clear();
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}
