import { DomainError } from '@app/common';

/** No valid Bearer token where one is needed. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** A valid caller who may not do this (another user's booking, another user's name). */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** Too many writes from this user or this address; `Retry-After` says when to try again. */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  override readonly retryAfterSeconds: number;

  constructor(scope: string, retryAfterSeconds: number) {
    super(`Too many writes from this ${scope}; retry in ${retryAfterSeconds} s.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
