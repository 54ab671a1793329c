import { describeError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Database } from '@app/db';
import { Metrics } from '@app/metrics';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { type ClaimedDelivery, OutboxRepository, type Settled } from './outbox.repository.js';
import { guardedLookup } from './webhook-urls.js';

/** Sends at a time per instance: a receiver that hangs holds one slot, for `SEND_TIMEOUT_MS` at most. */
const SLOTS = 32;
/** New messages given their deliveries per statement. */
const DISPATCH_BATCH = 500;
const SEND_TIMEOUT_MS = 15_000;
/** A claimed delivery is this instance's for longer than a send may take; if it dies, another takes over after. */
const LEASE_MS = 20_000;
const POLL_MS = 250;
/** How long a nudge waits, gathering the commits of a busy moment into one tick (each tick is a transaction of its own). */
const GATHER_MS = 100;

/**
 * Delivers the outbox: every instance dispatches new messages (a delivery per interested endpoint),
 * claims due deliveries and sends them, signed per the Standard Webhooks specification, on its own
 * connections (never a buyer's request's). Any 2xx is delivered; 410 disables the endpoint; other
 * answers and failures are retried on `WEBHOOK_RETRY_SCHEDULE`, then failed.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly agent: Agent;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private soon?: NodeJS.Timeout;
  private again = false;
  private sending = 0;
  private stopped = false;
  /** Outcomes of sends, recorded by the next tick. */
  private readonly finished: Settled[] = [];

  constructor(
    @Inject(Database) private readonly database: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly metrics: Metrics,
  ) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(config.webhooks.allowPrivateUrls), timeout: SEND_TIMEOUT_MS },
      headersTimeout: SEND_TIMEOUT_MS,
      bodyTimeout: SEND_TIMEOUT_MS,
    });
    metrics.webhookCounts = () => this.database.read((db) => this.outbox.counts(db));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tickNow(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    // What was sent is recorded (else its lease lapses and another instance sends it again).
    const settled = this.finished.splice(0);
    if (settled.length > 0) await this.database.backgroundTransaction((tx) => this.outbox.settle(tx, settled)).catch(() => undefined);
    await this.agent.close().catch(() => undefined);
  }

  /** Looks for work shortly (a booking or cancellation of this instance just committed a message). */
  nudge(): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.tickNow();
    }, GATHER_MS);
  }

  private tickNow(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    void this.tick().finally(() => {
      this.ticking = false;
      if (this.again) {
        this.again = false;
        this.tickNow();
      }
    });
  }

  /**
   * One background transaction: records the outcomes of finished sends (disabling endpoints that
   * answered 410), dispatches new messages, and claims due deliveries for the free slots; then
   * sends what it claimed.
   */
  private async tick(): Promise<void> {
    const settled = this.finished.splice(0);
    const gone = [...new Set(settled.filter((each) => each.responseStatus === 410).map((each) => each.endpointId))];
    let claimed: ClaimedDelivery[];
    try {
      claimed = await this.database.backgroundTransaction(async (tx) => {
        await this.outbox.settle(tx, settled);
        for (const endpointId of gone) await this.outbox.disableEndpoint(tx, endpointId);
        while ((await this.outbox.dispatch(tx, DISPATCH_BATCH)) === DISPATCH_BATCH);
        return this.outbox.claim(tx, SLOTS - this.sending, LEASE_MS);
      });
    } catch (error) {
      // Outcomes not recorded are kept for the next tick (a lapsed lease would send them again).
      this.finished.unshift(...settled);
      this.logger.warn(`Webhook dispatch failed; retrying shortly: ${describeError(error)}`);
      return;
    }
    for (const delivery of claimed) {
      this.sending++;
      void this.send(delivery).finally(() => {
        this.sending--;
        this.nudge();
      });
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const status = await this.post(delivery);
    const schedule = this.config.webhooks.retrySchedule;
    const { messageId, endpointId } = delivery;
    let outcome: Settled;
    if (status !== null && status >= 200 && status < 300) {
      outcome = { messageId, endpointId, status: 'delivered', responseStatus: status };
      if (delivery.attempts === 1) this.metrics.webhookLatency.observe((Date.now() - delivery.createdAt.getTime()) / 1000);
    } else if (status === 410) {
      outcome = { messageId, endpointId, status: 'failed', responseStatus: status };
    } else if (delivery.attempts <= schedule.length) {
      outcome = { messageId, endpointId, status: 'pending', responseStatus: status, retryInMs: schedule[delivery.attempts - 1] * 1000 };
    } else {
      outcome = { messageId, endpointId, status: 'failed', responseStatus: status };
    }
    const label = status === 410 ? 'disabled' : outcome.status === 'pending' ? 'retry' : outcome.status;
    this.metrics.webhookAttempts.inc({ outcome: label });
    this.finished.push(outcome);
  }

  /** One attempt: the answer's status, or null when there was none within the timeout. */
  private async post({ messageId, url, secret, payload }: ClaimedDelivery): Promise<number | null> {
    try {
      const now = new Date();
      const response = await request(url, {
        method: 'POST',
        body: payload,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'seat-booking-webhooks',
          'webhook-id': messageId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign(messageId, now, payload),
        },
      });
      await response.body.dump().catch(() => undefined);
      return response.statusCode;
    } catch (error) {
      this.logger.debug(`Webhook ${messageId} to ${url}: ${describeError(error)}`);
      return null;
    }
  }
}
