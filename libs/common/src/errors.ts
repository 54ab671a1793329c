import type { ErrorCode } from './problem.js';

/**
 * Domain errors carry a stable code; the API maps codes to HTTP problems in one place
 * (apps/api/src/problem). Services throw these, never HttpException.
 */
export abstract class DomainError extends Error {
  /** One of the problem table's codes (`problem.ts`): an error without a mapping does not compile. */
  abstract readonly code: ErrorCode;
  /** Extra members for the problem document (RFC 9457 §3.2 extension members). */
  readonly extensions: Record<string, unknown> = {};
  /** When set, the response carries `Retry-After` with this many seconds. */
  readonly retryAfterSeconds?: number;

  constructor(message?: string, options?: ErrorOptions) {
    // A domain error is an answer (a 4xx, or a 503 whose cause keeps its own stack), never a fault
    // to debug: its stack is never logged, and capturing one was 1.7 % of a refused hold's CPU.
    const frames = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = frames;
  }
}

/** A dependency (database or Redis) cannot be reached; the caller may retry later. */
export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  override readonly retryAfterSeconds = 1;
  constructor(
    readonly dependency: 'database' | 'redis',
    options?: { cause?: unknown },
  ) {
    super(`The ${dependency} is unavailable; retry shortly.`, options);
  }
}

export class InvalidRequestError extends DomainError {
  readonly code = 'INVALID_REQUEST';
}

/**
 * A request refused by its schema before any handler ran: nothing was attempted, so an
 * Idempotency-Key it carried is not used up (a corrected retry with the same key goes through).
 */
export class SchemaRefusal extends InvalidRequestError {}

/**
 * An error's message followed by its causes' (drizzle wraps the driver's error, which is the one
 * that says what went wrong). For logs only, never for responses.
 */
export function describeError(error: unknown): string {
  const messages: string[] = [];
  for (const e of causes(error, 5)) {
    const message = (typeof e.message === 'string' ? e.message : typeof e === 'string' ? e : JSON.stringify(e)).split('\nparams:')[0];
    messages.push(`${message}${typeof e.code === 'string' ? ` [${e.code}]` : ''}`);
  }
  return messages.join(' ← ');
}

/** What an error (or anything thrown) may carry: drivers put a `code` on theirs, wrappers a `cause`. */
export interface ErrorLike {
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** An error and its causes, outermost first (drizzle wraps the driver's error, which is the one that says what went wrong). */
export function* causes(error: unknown, limit = 10): Generator<ErrorLike> {
  let e = error;
  for (let i = 0; e !== null && e !== undefined && i < limit; i++) {
    yield e;
    e = (e as ErrorLike).cause;
  }
}
