import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from '../seats/seats-responses.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid body, seat ids of several shows, or a missing/invalid Idempotency-Key',
  401: 'Authentication is on and no valid Bearer token was sent',
  403: "The token's subject is not the body's userId",
  404: 'Unknown show',
  409: 'Seat conflict (`conflicts` lists the seats), SALES_CLOSED, LIMIT_EXCEEDED (`limit`), or the same Idempotency-Key is still in progress (`Retry-After`)',
  413: 'Body over 64 KiB',
  422: 'Idempotency-Key reused with a different body or endpoint',
  429: 'Too many writes from this user or address (`Retry-After`)',
  503: 'A dependency (Redis or the database) is unavailable; nothing was done (`Retry-After`)',
};

/**
 * Documents the problem answers (`application/problem+json`) an operation can give: a status with
 * the usual description, or `[status, description]` where the operation means something else.
 */
export const ApiProblems = (...problems: (number | [number, string])[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto),
    ...problems.map((problem) => {
      const [status, description] = typeof problem === 'number' ? [problem, DESCRIPTIONS[problem]] : problem;
      return ApiResponse({
        status,
        description,
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
        headers: [409, 429, 503].includes(status)
          ? { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } }
          : undefined,
      });
    }),
  );

/** Headers on every answer of a write. */
export const ApiWriteHeaders = () =>
  applyDecorators(
    ApiHeader({
      name: 'X-Request-Id',
      required: false,
      description: 'Optional id for this request (echoed back, logged, and put in problems)',
    }),
  );
