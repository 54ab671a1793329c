import { Database, type Db, and, asc, desc, eq, inArray, isNull, lte, or, sql } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { BookingRepository } from '../booking.repository.js';
import { bookingView } from '../booking-view.js';
import { Statements } from '../statements.js';
import { messageBody } from './messages.js';

export type WebhookEvent = 'booking.confirmed' | 'booking.cancelled';

export interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
}

/** The outcome of one attempt at a delivery. */
export interface Settled {
  messageId: string;
  endpointId: string;
  status: 'delivered' | 'pending' | 'failed';
  responseStatus: number | null;
  retryInMs?: number;
}

/** A message in the outbox. */
interface OutboxRow {
  id: string;
  type: string;
  payload: string | null;
  bookingId: string | null;
}

/** A delivery an instance has claimed: what to send, where, and which attempt this is. */
export interface ClaimedDelivery {
  messageId: string;
  endpointId: string;
  attempts: number;
  payload: string;
  createdAt: Date;
  url: string;
  secret: string;
}

/**
 * The transactional outbox and the webhook deliveries. A message is written by the booking's or
 * cancellation's own transaction; dispatching gives it a delivery per interested endpoint; a
 * delivery is claimed by one instance at a time (a lease, taken with `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL; SQLite has one writer) until it is delivered, retried later, or failed.
 */
@Injectable()
export class OutboxRepository extends Statements {
  constructor(
    @Inject(Database) database: Database,
    private readonly bookings: BookingRepository,
  ) {
    super(database);
  }

  /** Records a message in the caller's transaction. */
  async record(tx: Db, message: { id: string; type: WebhookEvent; payload: string }): Promise<void> {
    await tx.insert(this.t.outboxMessages).values({ ...message, createdAt: this.clock.now() });
  }

  async createEndpoint(db: Db, endpoint: { id: string; url: string; events: WebhookEvent[]; secret: string }): Promise<void> {
    await db
      .insert(this.t.webhookEndpoints)
      .values({ ...endpoint, events: endpoint.events.join(','), enabled: 1, createdAt: this.clock.now() });
  }

  async endpoints(db: Db, id?: string): Promise<EndpointRow[]> {
    const { webhookEndpoints: endpoints } = this.t;
    const rows = await db
      .select({ id: endpoints.id, url: endpoints.url, events: endpoints.events, enabled: endpoints.enabled })
      .from(endpoints)
      .where(id === undefined ? undefined : eq(endpoints.id, id))
      .orderBy(asc(endpoints.createdAt), asc(endpoints.id));
    return rows.map((row) => ({ ...row, events: row.events.split(',') as WebhookEvent[], enabled: row.enabled === 1 }));
  }

  /** Deletes the endpoint and its deliveries; false when there was none. */
  async deleteEndpoint(tx: Db, id: string): Promise<boolean> {
    const { webhookEndpoints: endpoints, webhookDeliveries: deliveries } = this.t;
    await tx.delete(deliveries).where(eq(deliveries.endpointId, id));
    const deleted = await tx.delete(endpoints).where(eq(endpoints.id, id)).returning({ id: endpoints.id });
    return deleted.length > 0;
  }

  async disableEndpoint(db: Db, id: string): Promise<void> {
    const { webhookEndpoints: endpoints, webhookDeliveries: deliveries } = this.t;
    await db.update(endpoints).set({ enabled: 0 }).where(eq(endpoints.id, id));
    await db
      .update(deliveries)
      .set({ status: 'failed', nextAttemptAt: null })
      .where(and(eq(deliveries.endpointId, id), eq(deliveries.status, 'pending')));
  }

  /**
   * Takes up to `limit` undispatched messages, oldest first, out of the outbox and gives each a
   * delivery for every enabled endpoint that wants its type (a copy of the message); the number of
   * messages dispatched. Messages another instance is dispatching are skipped (PostgreSQL), never done twice.
   */
  async dispatch(tx: Db, limit: number): Promise<number> {
    const { outboxMessages: messages, webhookDeliveries: deliveries } = this.t;
    // Taken out of the outbox first, in one statement (this transaction's: a failure puts them back).
    const oldest = tx.select({ id: messages.id }).from(messages).orderBy(asc(messages.createdAt)).limit(limit);
    const taken = await tx
      .delete(messages)
      .where(inArray(messages.id, this.database.kind === 'postgres' ? oldest.for('update', { skipLocked: true }) : oldest))
      .returning();
    if (taken.length === 0) return 0;
    const due = taken.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const listening = (await this.endpoints(tx)).filter((endpoint) => endpoint.enabled);
    const wanted = due.filter((message) => listening.some((endpoint) => endpoint.events.includes(message.type as WebhookEvent)));
    if (wanted.length === 0) return due.length;
    const payloads = await this.payloads(tx, wanted);
    const now = this.clock.now() as unknown as Date;
    const rows = wanted.flatMap((message) =>
      listening
        .filter((endpoint) => endpoint.events.includes(message.type as WebhookEvent) && payloads.has(message.id))
        .map((endpoint) => ({
          messageId: message.id,
          endpointId: endpoint.id,
          type: message.type,
          payload: payloads.get(message.id)!,
          messageCreatedAt: message.createdAt,
          status: 'pending' as const,
          nextAttemptAt: now,
          createdAt: now,
        })),
    );
    if (rows.length > 0) await tx.insert(deliveries).values(rows).onConflictDoNothing();
    return due.length;
  }

  /**
   * The bodies of the messages: as recorded, or, for a `booking.confirmed` recorded by the sale's
   * statement, its booking as confirmed (every seat still booked: the lines never change but for
   * cancellation marks), as `GET /api/bookings/{id}` answered it then. A booking that is gone (its
   * show deleted with it) has no body, and its message is dropped.
   */
  private async payloads(tx: Db, messages: readonly OutboxRow[]): Promise<Map<string, string>> {
    const payloads = new Map<string, string>();
    const referring = messages.filter((message) => message.payload === null && message.bookingId !== null);
    const bookingIds = referring.map((message) => message.bookingId!);
    const bookings = new Map((await this.bookings.byIds(tx, bookingIds)).map((booking) => [booking.id, booking]));
    const lines = await this.bookings.lines(tx, bookingIds);
    for (const message of messages) {
      if (message.payload !== null) {
        payloads.set(message.id, message.payload);
        continue;
      }
      const booking = message.bookingId === null ? undefined : bookings.get(message.bookingId);
      if (!booking) continue;
      const confirmed = lines.get(booking.id)!.map((line) => ({ ...line, cancelled: false }));
      payloads.set(message.id, messageBody(message.type as WebhookEvent, booking.createdAt, bookingView(booking, confirmed)));
    }
    return payloads;
  }

  /**
   * Claims up to `limit` due deliveries for `leaseMs` (counting the attempt), so that no other
   * instance sends them meanwhile; what to send for each. Three statements, whatever the batch.
   */
  async claim(tx: Db, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const { webhookEndpoints: endpoints, webhookDeliveries: deliveries } = this.t;
    const now = this.clock.now() as unknown as Date;
    const query = tx
      .select({ messageId: deliveries.messageId, endpointId: deliveries.endpointId })
      .from(deliveries)
      .where(
        and(
          eq(deliveries.status, 'pending'),
          lte(deliveries.nextAttemptAt, now),
          or(isNull(deliveries.claimedUntil), lte(deliveries.claimedUntil, now)),
        ),
      )
      .orderBy(asc(deliveries.nextAttemptAt))
      .limit(limit);
    const due = await (this.database.kind === 'postgres' ? query.for('update', { skipLocked: true }) : query);
    if (due.length === 0) return [];
    const claimed = await tx
      .update(deliveries)
      .set({ claimedUntil: this.clock.nowPlusMs(leaseMs), attempts: sql`${deliveries.attempts} + 1` })
      .where(this.keys(due))
      .returning({
        messageId: deliveries.messageId,
        endpointId: deliveries.endpointId,
        attempts: deliveries.attempts,
        payload: deliveries.payload,
        createdAt: deliveries.messageCreatedAt,
      });
    const targets = await tx
      .select({ id: endpoints.id, url: endpoints.url, secret: endpoints.secret })
      .from(endpoints)
      .where(inArray(endpoints.id, [...new Set(due.map((row) => row.endpointId))]));
    const targetOf = new Map(targets.map((target) => [target.id, target]));
    return claimed.flatMap((delivery) => {
      const target = targetOf.get(delivery.endpointId);
      return target ? [{ ...delivery, url: target.url, secret: target.secret }] : [];
    });
  }

  /** Deliveries by their keys. */
  private keys(rows: readonly { messageId: string; endpointId: string }[]) {
    const { webhookDeliveries: deliveries } = this.t;
    return or(...rows.map((row) => and(eq(deliveries.messageId, row.messageId), eq(deliveries.endpointId, row.endpointId))));
  }

  /** The outcomes of attempts: delivered, to be retried in `retryInMs`, or failed (no retry left); one statement per kind of outcome. */
  async settle(tx: Db, settled: readonly Settled[]): Promise<void> {
    const { webhookDeliveries: deliveries } = this.t;
    const groups = new Map<string, Settled[]>();
    for (const each of settled) {
      const key = `${each.status} ${each.responseStatus} ${each.retryInMs ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), each]);
    }
    for (const group of groups.values()) {
      const { status, responseStatus, retryInMs } = group[0];
      await tx
        .update(deliveries)
        .set({
          status,
          lastResponseStatus: responseStatus,
          claimedUntil: null,
          nextAttemptAt: status === 'pending' ? this.clock.nowPlusMs(retryInMs ?? 0) : null,
          deliveredAt: status === 'delivered' ? this.clock.now() : null,
        })
        .where(this.keys(group));
    }
  }

  /** The endpoint's newest 100 deliveries. */
  deliveriesOf(db: Db, endpointId: string) {
    const { webhookDeliveries: deliveries } = this.t;
    return db
      .select({
        messageId: deliveries.messageId,
        type: deliveries.type,
        status: deliveries.status,
        attempts: deliveries.attempts,
        lastResponseStatus: deliveries.lastResponseStatus,
        nextAttemptAt: deliveries.nextAttemptAt,
      })
      .from(deliveries)
      .where(eq(deliveries.endpointId, endpointId))
      .orderBy(desc(deliveries.createdAt), desc(deliveries.messageId))
      .limit(100);
  }

  /** Sends a delivery again as soon as possible (same message id); false when the endpoint has no such delivery. */
  async replay(db: Db, endpointId: string, messageId: string): Promise<boolean> {
    const { webhookDeliveries: deliveries } = this.t;
    const rows = await db
      .update(deliveries)
      .set({ status: 'pending', nextAttemptAt: this.clock.now(), claimedUntil: null })
      .where(and(eq(deliveries.endpointId, endpointId), eq(deliveries.messageId, messageId)))
      .returning({ messageId: deliveries.messageId });
    return rows.length > 0;
  }

  /** Deliveries by status, and messages not yet dispatched (for the metrics). */
  async counts(db: Db): Promise<{ pending: number; delivered: number; failed: number; undispatched: number }> {
    const { outboxMessages: messages, webhookDeliveries: deliveries } = this.t;
    const rows = await db
      .select({ status: deliveries.status, n: sql<number>`cast(count(*) as integer)`.mapWith(Number) })
      .from(deliveries)
      .groupBy(deliveries.status);
    const [undispatched] = await db.select({ n: sql<number>`cast(count(*) as integer)`.mapWith(Number) }).from(messages);
    const by = Object.fromEntries(rows.map((row) => [row.status, row.n]));
    return { pending: by.pending ?? 0, delivered: by.delivered ?? 0, failed: by.failed ?? 0, undispatched: undispatched.n };
  }
}
