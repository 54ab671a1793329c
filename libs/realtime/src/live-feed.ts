import { type SeatChange, SeatEvents } from '@app/booking';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Metrics } from '@app/metrics';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { ChangeLog, RETAIN_MS } from './change-log.js';
import { Fanout } from './fanout.js';
import { batchOf, latestPerSeat, SEATS_BATCH, type SeatsChangedEvent, type VersionedChange } from './seats-changed.event.js';

/** How often the change logs drop what is older than they keep. */
const PRUNE_EVERY_MS = 5_000;

/**
 * The live seat feed of this instance. Changes published here (after their transaction
 * committed) are gathered per show for `LIVE_BATCH_MS` and emitted as one `seats:changed`, at most
 * one change per seat, each with its own version; the batch goes to this instance's subscribers
 * (see `Fanout`) and, through the socket.io adapter, to every other instance, which delivers it to
 * its own. Every batch heard, from here or elsewhere, is kept in the show's `ChangeLog`, so that a
 * client resuming from a version gets the changes since instead of a whole map.
 */
@Injectable()
export class LiveFeed extends SeatEvents implements OnModuleDestroy {
  private readonly logger = new Logger(LiveFeed.name);
  private namespace?: Namespace;
  private fanout?: Fanout;
  private readonly pending = new Map<string, Map<string, VersionedChange>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly logs = new Map<string, ChangeLog>();
  /** Every batch since this moment (ms) was heard: the feed started, or was last interrupted. */
  private heardSince = Date.now();
  private readonly pruner = setInterval(() => this.prune(), PRUNE_EVERY_MS).unref();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  /** Called by the gateway once the socket.io namespace exists. */
  attach(namespace: Namespace): void {
    this.namespace = namespace;
    this.fanout = new Fanout(namespace, this.metrics);
    (namespace as unknown as { on(event: string, listener: (event: SeatsChangedEvent) => void): void }).on(SEATS_BATCH, (event) =>
      this.heard(event),
    );
  }

  publish(showId: string, changes: SeatChange[], version: number): void {
    if (changes.length === 0) return;
    let pending = this.pending.get(showId);
    if (!pending) this.pending.set(showId, (pending = new Map<string, VersionedChange>()));
    latestPerSeat(
      changes.map((change) => ({ ...change, version })),
      pending,
    );
    if (this.config.liveBatchMs === 0) this.flush(showId);
    else if (!this.timers.has(showId))
      this.timers.set(
        showId,
        setTimeout(() => this.flush(showId), this.config.liveBatchMs),
      );
  }

  /**
   * The latest change of every seat of the show changed after `version` (a few older ones may be
   * among them), or undefined when this instance may have missed some of them.
   */
  changesSince(showId: string, version: number): VersionedChange[] | undefined {
    return (this.logs.get(showId) ?? this.newLog()).since(version);
  }

  /** Batches may have been lost (the adapter's subscription dropped): resume only from what follows. */
  interrupted(): void {
    this.heardSince = Date.now();
    for (const log of this.logs.values()) log.reset(this.heardSince);
  }

  onModuleDestroy(): void {
    clearInterval(this.pruner);
    for (const showId of [...this.timers.keys()]) this.flush(showId);
  }

  private flush(showId: string): void {
    clearTimeout(this.timers.get(showId));
    this.timers.delete(showId);
    const pending = this.pending.get(showId);
    this.pending.delete(showId);
    const event = pending && batchOf(showId, pending, new Date().toISOString());
    if (!event) return;
    if (!this.namespace) {
      this.logger.warn(`No socket.io namespace yet; dropped ${event.changes.length} change(s) of ${showId}`);
      return;
    }
    this.heard(event);
    try {
      this.namespace.serverSideEmit(SEATS_BATCH, event);
    } catch (error) {
      this.logger.warn(`Could not pass a batch of ${showId} to the other instances: ${(error as Error).message}`);
    }
  }

  private heard(event: SeatsChangedEvent): void {
    if (!event || typeof event.showId !== 'string' || !Array.isArray(event.changes)) return;
    let log = this.logs.get(event.showId);
    if (!log) this.logs.set(event.showId, (log = this.newLog()));
    log.add(event.changes, Date.now());
    this.fanout?.deliver(event);
  }

  /** A show without a log had no change here since then (an emptied log was dropped). */
  private newLog(): ChangeLog {
    return new ChangeLog(Math.max(this.heardSince, Date.now() - RETAIN_MS));
  }

  private prune(): void {
    const now = Date.now();
    for (const [showId, log] of this.logs) {
      log.prune(now);
      if (log.size === 0) this.logs.delete(showId);
    }
  }
}
