import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from './errors.js';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Domain error codes → HTTP. The one place where a domain fact becomes a status code. */
const DOMAIN_PROBLEMS = {
  SEAT_CONFLICT: { status: 409, type: '/problems/seat-conflict', title: 'Seats unavailable' },
  SHOW_NOT_FOUND: { status: 404, type: '/problems/show-not-found', title: 'Show not found' },
  SEAT_NOT_FOUND: { status: 404, type: '/problems/seat-not-found', title: 'Seat not found' },
  WEBHOOK_NOT_FOUND: { status: 404, type: '/problems/webhook-not-found', title: 'Webhook endpoint not found' },
  DELIVERY_NOT_FOUND: { status: 404, type: '/problems/delivery-not-found', title: 'Webhook message not found' },
  SALES_CLOSED: { status: 409, type: '/problems/sales-closed', title: 'Not on sale' },
  LIMIT_EXCEEDED: { status: 409, type: '/problems/limit-exceeded', title: 'Limit exceeded' },
  NOT_ENOUGH_SEATS: { status: 409, type: '/problems/not-enough-seats', title: 'Not enough seats' },
  SHOW_EXISTS: { status: 409, type: '/problems/show-exists', title: 'Show exists' },
  SHOW_HAS_BOOKINGS: { status: 409, type: '/problems/show-has-bookings', title: 'Show has bookings or holds' },
  BOOKING_NOT_FOUND: { status: 404, type: '/problems/booking-not-found', title: 'Booking not found' },
  BOOKING_CANCELLED: { status: 409, type: '/problems/booking-cancelled', title: 'Already cancelled' },
  INVALID_REQUEST: { status: 400, type: '/problems/invalid-request', title: 'Invalid request' },
  DEPENDENCY_UNAVAILABLE: { status: 503, type: '/problems/service-unavailable', title: 'Service unavailable' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, type: '/problems/idempotency-key-invalid', title: 'Invalid Idempotency-Key' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, type: '/problems/idempotency-key-in-use', title: 'Request in progress' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, type: '/problems/idempotency-key-reused', title: 'Idempotency-Key reused' },
  NOT_READY: { status: 503, type: '/problems/not-ready', title: 'Not ready' },
  RATE_LIMITED: { status: 429, type: '/problems/rate-limited', title: 'Too many requests' },
  UNAUTHENTICATED: { status: 401, type: '/problems/unauthenticated', title: 'Authentication required' },
  FORBIDDEN: { status: 403, type: '/problems/forbidden', title: 'Forbidden' },
} as const satisfies Record<string, { status: number; type: string; title: string }>;

/** The stable `code` of every domain error. */
export type ErrorCode = keyof typeof DOMAIN_PROBLEMS;

/** Errors thrown by express's body parser before any route runs (malformed JSON, too large, …). */
interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/**
 * The problem document for `error`. `requestId` (the request's X-Request-Id) is included so a
 * report from a client can be matched with the logs.
 */
export function toProblem(error: unknown, path?: string, requestId?: string): Problem {
  const problem = problemOf(error, path);
  return requestId === undefined ? problem : { ...problem, requestId };
}

/** The answer to a failed request: its problem document and that document's JSON, as sent. */
export interface ProblemAnswer {
  problem: Problem;
  body: string;
}

const ANSWER = Symbol('problem-answer');
type Answered = { originalUrl: string; [ANSWER]?: { error: unknown; answer: ProblemAnswer } };

/**
 * The answer to `request`, which failed with `error`, made once: the idempotency interceptor keeps
 * it for replays and the problem filter sends it, the same bytes. Remembered on the request, for
 * this error (one error object may fail several requests, each with its own id and path).
 */
export function problemAnswer(error: unknown, request: { originalUrl: string }): ProblemAnswer {
  const answered = request as Answered;
  const remembered = answered[ANSWER];
  if (remembered && remembered.error === error) return remembered.answer;
  const problem = toProblem(error, request.originalUrl, requestIdOf(request));
  const answer = { problem, body: JSON.stringify(problem) };
  answered[ANSWER] = { error, answer };
  return answer;
}

function problemOf(thrown: unknown, path?: string): Problem {
  // Nest wraps body-parser's errors (from middleware mounted with app.use) in an HttpException.
  const error =
    thrown instanceof HttpException && typeof (thrown.cause as HttpError | undefined)?.type === 'string' ? thrown.cause : thrown;
  if (error instanceof DomainError) {
    const { status, type, title } = DOMAIN_PROBLEMS[error.code];
    return { type, title, status, detail: error.message, code: error.code, ...error.extensions, instance: path };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? response.message : error.message;
    const detail = Array.isArray(message) ? message.join('; ') : String(message);
    return { type: 'about:blank', title: HttpStatus[status] ? statusTitle(status) : 'Error', status, detail, instance: path };
  }
  const httpError = error as HttpError;
  const status = httpError?.status ?? httpError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail =
      httpError.type === 'entity.too.large'
        ? `The request body is larger than the ${bodyLimit(httpError)} limit.`
        : httpError.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON.'
          : httpError.expose
            ? httpError.message
            : statusTitle(status);
    return { type: 'about:blank', title: statusTitle(status), status, detail, instance: path };
  }
  return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.', instance: path };
}

function bodyLimit(error: HttpError & { limit?: number }): string {
  const limit = error.limit ?? 64 * 1024;
  return limit >= 1024 * 1024 ? `${limit / (1024 * 1024)} MiB` : `${limit / 1024} KiB`;
}

function statusTitle(status: number): string {
  const name = HttpStatus[status] ?? 'ERROR';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ')
    .replace(/\bUri\b/, 'URI');
}

/** The request's id (set from X-Request-Id, or made up, by the HTTP logger), if any. */
function requestIdOf(request: object): string | undefined {
  const id = (request as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
