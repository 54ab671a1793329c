import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from './outbox.repository.js';

/** A new message id (the `webhook-id` of every attempt). */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The body of a message: `{ type, timestamp, data }`. */
export function messageBody(type: WebhookEvent, at: Date, data: unknown): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/** A webhook message as recorded in the outbox: its id, type and body. */
export function outboxMessage(type: WebhookEvent, at: Date, data: unknown): { id: string; type: WebhookEvent; payload: string } {
  return { id: newMessageId(), type, payload: messageBody(type, at, data) };
}
