import { describeError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Database } from '@app/db';
import { Metrics } from '@app/metrics';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { type ClaimedDelivery, OutboxRepository } from './outbox.repository.js';
import { guardedLookup } from './webhook-urls.js';

/** Sends at a time per instance: a receiver that hangs holds one slot, for `SEND_TIMEOUT_MS` at most. */
const SLOTS = 8;
const SEND_TIMEOUT_MS = 15_000;
/** A claimed delivery is this instance's for longer than a send may take; if it dies, another takes over after. */
const LEASE_MS = 20_000;
const POLL_MS = 250;

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
  private again = false;
  private sending = 0;
  private stopped = false;

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
    this.timer = setInterval(() => this.nudge(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.agent.close().catch(() => undefined);
  }

  /** Looks for work now (a booking or cancellation of this instance just committed a message). */
  nudge(): void {
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
        this.nudge();
      }
    });
  }

  private async tick(): Promise<void> {
    try {
      while ((await this.database.transaction((tx) => this.outbox.dispatch(tx, 100))) === 100);
      const free = SLOTS - this.sending;
      if (free <= 0) return;
      const claimed = await this.database.transaction((tx) => this.outbox.claim(tx, free, LEASE_MS));
      for (const delivery of claimed) {
        this.sending++;
        void this.send(delivery).finally(() => {
          this.sending--;
          this.nudge();
        });
      }
    } catch (error) {
      this.logger.warn(`Webhook dispatch failed; retrying shortly: ${describeError(error)}`);
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const status = await this.post(delivery);
    const schedule = this.config.webhooks.retrySchedule;
    let outcome: Parameters<OutboxRepository['settle']>[2];
    let label: string;
    if (status !== null && status >= 200 && status < 300) {
      outcome = { status: 'delivered', responseStatus: status };
      label = 'delivered';
      if (delivery.attempts === 1) this.metrics.webhookLatency.observe((Date.now() - delivery.createdAt.getTime()) / 1000);
    } else if (status === 410) {
      outcome = { status: 'failed', responseStatus: status };
      label = 'disabled';
    } else if (delivery.attempts <= schedule.length) {
      outcome = { status: 'pending', responseStatus: status, retryInMs: schedule[delivery.attempts - 1] * 1000 };
      label = 'retry';
    } else {
      outcome = { status: 'failed', responseStatus: status };
      label = 'failed';
    }
    this.metrics.webhookAttempts.inc({ outcome: label });
    try {
      await this.database.transaction(async (tx) => {
        await this.outbox.settle(tx, delivery, outcome);
        if (status === 410) await this.outbox.disableEndpoint(tx, delivery.endpointId);
      });
    } catch (error) {
      // Not recorded: the lease lapses and the delivery is sent again (at least once).
      this.logger.warn(`Webhook ${delivery.messageId} sent (${status ?? 'no answer'}), not recorded: ${describeError(error)}`);
    }
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
