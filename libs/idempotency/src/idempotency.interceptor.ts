import { describeError, DomainError, problemAnswer, SchemaRefusal, userIdIn } from '@app/common';
import { MAX_USER_ID_LENGTH } from '@app/config';
import { Metrics } from '@app/metrics';
import {
  applyDecorators,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable, of } from 'rxjs';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './idempotency.errors.js';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';
import { IdempotencyStore } from './idempotency.store.js';
import { type IdempotencyRef, StoredResponse } from './stored-response.js';

const REF = Symbol('idempotency-ref');
const SCOPE = Symbol('idempotency-scope');
const OUTCOMES = { claimed: 'executed', replay: 'replayed', mismatch: 'key_reused', 'in-progress': 'in_flight' } as const;
type IdempotentRequest = Request & { [REF]?: IdempotencyRef; [SCOPE]?: string };

/**
 * Scopes this request's key to `userId` instead of the body's (set by a guard, which runs first):
 * an admin cancelling a booking without a `userId` uses the booking owner's keys.
 */
export function setIdempotencyScope(request: Request, userId: string): void {
  (request as IdempotentRequest)[SCOPE] = userId;
}

/**
 * Idempotency-Key handling for a write endpoint (IETF draft "The Idempotency-Key HTTP Header
 * Field"; Stripe's semantics): claim the key, run the handler once, keep its final answer, and
 * replay that answer to retries. Keys are scoped per user (the body's `userId`).
 *
 * Only answers from a handler that ran are kept: a request refused by validation frees the key,
 * and so does a 5xx, so the client may retry with the same key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    private readonly store: IdempotencyStore,
    private readonly metrics: Metrics,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<IdempotentRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = parseIdempotencyKey(request.headers['idempotency-key']);
    const userId = request[SCOPE] ?? userIdIn(request.body);
    // Without a usable userId the body fails validation and nothing runs: nothing to claim.
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) return next.handle();

    const ref: IdempotencyRef = {
      userId,
      key,
      fingerprint: requestFingerprint(request.method, (request.route as { path: string }).path, request.body),
    };
    const claim = await this.store.claim(ref);
    this.metrics.idempotency.inc({ outcome: OUTCOMES[claim.kind] });
    switch (claim.kind) {
      case 'replay':
        return of(replay(response, claim.response));
      case 'mismatch':
        throw new IdempotencyKeyReusedError();
      case 'in-progress':
        throw new IdempotencyKeyInUseError();
    }

    request[REF] = ref;
    return from(this.execute(ref, claim.marker, next, request, response));
  }

  /**
   * Runs the handler once and keeps its final answer. One promise rather than rxjs operators
   * around the handler's observable: it emits exactly one value (Nest's handler result), and this
   * runs on every write.
   */
  private async execute(ref: IdempotencyRef, marker: string, next: CallHandler, request: Request, response: Response): Promise<unknown> {
    try {
      const result: unknown = await lastValueFrom(next.handle());
      if (result instanceof StoredResponse) {
        // The handler found this request's committed outcome in the database.
        await this.keep(ref, result);
        return replay(response, result);
      }
      const answer = StoredResponse.json(response.statusCode, result);
      await this.keep(ref, answer);
      return result === undefined ? result : send(response, answer);
    } catch (error) {
      await this.settleFailure(ref, marker, error, request);
      throw error;
    }
  }

  private async settleFailure(ref: IdempotencyRef, marker: string, error: unknown, request: Request): Promise<void> {
    const { problem, body } = problemAnswer(error, request);
    try {
      // An answer to the request as sent is kept; a body its schema refused was never acted on.
      if (error instanceof DomainError && !(error instanceof SchemaRefusal) && problem.status < 500) {
        await this.store.complete(ref, new StoredResponse(problem.status, body, 'application/problem+json'));
      } else {
        await this.store.abandon(ref, marker);
      }
    } catch (storeError) {
      this.logger.warn(`Could not settle Idempotency-Key after a failed request (its marker lapses): ${describeError(storeError)}`);
    }
  }

  /** The handler's work is done; failing to cache its answer must not turn success into an error. */
  private async keep(ref: IdempotencyRef, response: StoredResponse): Promise<void> {
    await this.store.complete(ref, response).catch((error: Error) => {
      this.logger.warn(`Could not store the idempotent response (a retry re-runs or finds it in the database): ${describeError(error)}`);
    });
  }
}

function replay(response: Response, stored: StoredResponse): string {
  response.status(stored.status);
  response.setHeader('Idempotent-Replayed', 'true');
  return send(response, stored);
}

/**
 * The kept answer's body as the response's: its bytes as they were serialised once, under its
 * content type (express sends a string as it is, with the type already set and its charset).
 */
function send(response: Response, answer: StoredResponse): string {
  response.type(answer.contentType);
  return answer.body;
}

/** Marks a write endpoint as idempotent: requires and honours `Idempotency-Key`. */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description: 'Unique per intended action (1–255 characters, no control characters). Bare or quoted string.',
    }),
  );

/** The idempotency identity of the current request, for handlers that record it durably. */
export const IdempotencyContext = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<IdempotentRequest>()[REF],
);
