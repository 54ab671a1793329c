import { InvalidRequestError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Database } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DeliveryNotFoundError, WebhookNotFoundError } from '../booking.errors.js';
import { type EndpointRow, OutboxRepository, type WebhookEvent } from './outbox.repository.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { checkedWebhookUrl } from './webhook-urls.js';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['booking.confirmed', 'booking.cancelled'];

export interface DeliveryView {
  messageId: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastResponseStatus: number | null;
  nextAttemptAt: string | null;
}

/** The webhook endpoints of the admin API, their deliveries and replays. */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(Database) private readonly database: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  /** A new endpoint with its signing secret (`whsec_` + base64 of 32 random bytes), shown only here. */
  async create(body: { url: string; events: WebhookEvent[] }): Promise<EndpointRow & { secret: string }> {
    const url = await checkedWebhookUrl(body.url, this.config.webhooks.allowPrivateUrls);
    if (new Set(body.events).size !== body.events.length)
      throw new InvalidRequestError('events must not name an event twice. Nothing was created.');
    const endpoint = {
      id: `wh_${randomBytes(12).toString('base64url')}`,
      url,
      events: body.events,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
    };
    await this.database.transaction((tx) => this.outbox.createEndpoint(tx, endpoint));
    return { id: endpoint.id, url, events: endpoint.events, enabled: true, secret: endpoint.secret };
  }

  list(): Promise<EndpointRow[]> {
    return this.database.read((db) => this.outbox.endpoints(db));
  }

  async delete(id: string): Promise<void> {
    if (!(await this.database.transaction((tx) => this.outbox.deleteEndpoint(tx, id)))) throw new WebhookNotFoundError(id);
  }

  async deliveries(id: string): Promise<DeliveryView[]> {
    return this.database.read(async (db) => {
      if ((await this.outbox.endpoints(db, id)).length === 0) throw new WebhookNotFoundError(id);
      const rows = await this.outbox.deliveriesOf(db, id);
      return rows.map((row) => ({ ...row, nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null }));
    });
  }

  /** Sends the message to the endpoint again, with the same `webhook-id`. */
  async replay(id: string, messageId: string): Promise<{ messageId: string; status: 'pending' }> {
    const found = await this.database.transaction(async (tx) => {
      if ((await this.outbox.endpoints(tx, id)).length === 0) throw new WebhookNotFoundError(id);
      return this.outbox.replay(tx, id, messageId);
    });
    if (!found) throw new DeliveryNotFoundError(id, messageId);
    this.dispatcher.nudge();
    return { messageId, status: 'pending' };
  }
}
