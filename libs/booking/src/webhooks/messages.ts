import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from './outbox.repository.js';

/** A webhook message as recorded in the outbox: its id (the `webhook-id`), type and body `{ type, timestamp, data }`. */
export function outboxMessage(type: WebhookEvent, at: Date, data: unknown): { id: string; type: WebhookEvent; payload: string } {
  return {
    id: `msg_${randomUUID().replaceAll('-', '')}`,
    type,
    payload: JSON.stringify({ type, timestamp: at.toISOString(), data }),
  };
}
