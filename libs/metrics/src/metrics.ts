import { Database } from '@app/db';
import { Global, Inject, Injectable, Module, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const EXPIRY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Outcome of a hold, booking or release: granted, or refused with the (first) conflict reason. */
/** Refusals counted by their code (seat conflicts are counted by their first seat's reason). */
const REFUSALS = new Set(['SALES_CLOSED', 'LIMIT_EXCEEDED', 'NOT_ENOUGH_SEATS', 'BOOKING_CANCELLED']);

export type WriteKind = 'hold' | 'extension' | 'booking' | 'release' | 'cancellation';

/**
 * The service's Prometheus metrics, on a registry of its own (one per application, so several
 * instances can live in one process, as in the tests). Exposed at `GET /metrics`.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  /** Writes by kind and outcome; `reason` is the conflict reason of a refusal (HELD, BOOKED, …). */
  readonly writes = new Counter({
    name: 'seat_writes_total',
    help: 'Holds, bookings and releases by outcome (granted or refused) and refusal reason',
    labelNames: ['kind', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly expiryReleases = new Counter({
    name: 'seat_expiry_releases_total',
    help: 'Seats given back to sale after their hold lapsed, by the path that released them (timer, event, sweep)',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });

  readonly expiryDelay = new Histogram({
    name: 'seat_expiry_delay_seconds',
    help: "From a hold's expiry (database clock) to its release",
    labelNames: ['path'] as const,
    buckets: EXPIRY_BUCKETS,
    registers: [this.registry],
  });

  readonly idempotency = new Counter({
    name: 'idempotency_requests_total',
    help: 'Writes with an Idempotency-Key by outcome: executed, replayed, in_flight (409), key_reused (422)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly unavailable = new Counter({
    name: 'http_unavailable_total',
    help: '503 answers, by the dependency that was unavailable',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly socketClients = new Gauge({
    name: 'socketio_connected_clients',
    help: 'socket.io clients connected to this instance',
    registers: [this.registry],
  });

  readonly liveBatches = new Counter({
    name: 'live_batches_total',
    help: 'seats:changed events encoded for the subscribers of this instance (one per show and set of batches some sockets lack)',
    registers: [this.registry],
  });

  readonly liveDeliveries = new Counter({
    name: 'live_deliveries_total',
    help: 'seats:changed events written to sockets of this instance',
    registers: [this.registry],
  });

  /**
   * How late this instance's subscribers get a change: from the time a batch's oldest change took its
   * version (versions are microseconds since the epoch) to the batch written to the last socket.
   * A client's arrival adds the network and its own reading to this.
   */
  readonly liveBatchWritten = new Histogram({
    name: 'live_batch_written_seconds',
    help: 'From the oldest change of a seats:changed batch (its version) to the batch written to the last subscriber of this instance',
    buckets: [0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Attempts to send a webhook, by outcome: delivered, retry (to be sent again), failed (no retry left), disabled (410). */
  readonly webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook sends by this instance, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly webhookLatency = new Histogram({
    name: 'webhook_delivery_seconds',
    help: 'From the booking or cancellation committed to its webhook delivered (first successful attempt)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });

  /** Set by the webhook dispatcher: the deliveries by status, and messages not yet dispatched, from the database. */
  webhookCounts?: () => Promise<{ pending: number; delivered: number; failed: number; undispatched: number }>;

  constructor(@Optional() @Inject(Database) database?: Database) {
    const webhookCounts = () => this.webhookCounts?.().catch(() => undefined);
    new Gauge({
      name: 'webhook_messages',
      help: 'Webhook deliveries by status (pending, delivered, failed), and messages not yet given their deliveries (undispatched)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await webhookCounts();
        if (counts) for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    });
    collectDefaultMetrics({ register: this.registry });
    if (!database) return;
    const counts = database.transactionCounts;
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counter(
      'db_transactions_total',
      'Database transactions run (each counted once, however often it was retried)',
      () => counts.transactions,
    );
    counter(
      'db_transaction_retries_total',
      'Transaction attempts repeated after a serialization failure (40001) or deadlock',
      () => counts.retries,
    );
  }

  /** Counts a write's outcome: granted when `work` resolves, refused (by reason) when it throws a conflict. */
  async countWrite<T>(kind: WriteKind, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.writes.inc({ kind, outcome: 'granted', reason: '' });
      return result;
    } catch (error) {
      // A seat conflict's first reason, or a refusal's own code (SALES_CLOSED, LIMIT_EXCEEDED, …).
      const refusal = error as { code?: string; extensions?: { conflicts?: { reason: string }[] } };
      const reason = refusal.extensions?.conflicts?.[0]?.reason ?? (REFUSALS.has(refusal.code ?? '') ? refusal.code : undefined);
      if (reason) this.writes.inc({ kind, outcome: 'refused', reason });
      throw error;
    }
  }
}

@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
