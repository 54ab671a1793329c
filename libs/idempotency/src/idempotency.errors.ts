import { DomainError } from '@app/common';

export class InvalidIdempotencyKeyError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_INVALID';
}

/** The first request with this key is still running; try again shortly. */
export class IdempotencyKeyInUseError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_IN_USE';
  override readonly retryAfterSeconds = 1;

  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly.');
  }
}

/** The key was already used for a different request (another body or endpoint). */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';

  constructor() {
    super('This Idempotency-Key was already used for a different request; use a new key for a new request.');
  }
}
