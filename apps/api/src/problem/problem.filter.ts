import { DependencyUnavailableError, DomainError, toProblem } from '@app/common';
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/** Turns every error into `application/problem+json`; internals never leave the process. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = toProblem(error, request.originalUrl);
    if (error instanceof DependencyUnavailableError) {
      // Expected while a dependency is down (its client logs the outage once): debug only, no stack.
      this.logger.debug(`${request.method} ${request.originalUrl} → 503: ${describe(error.cause ?? error)}`);
    } else if (problem.status >= 500) {
      this.logger.error(`${request.method} ${request.originalUrl} → ${problem.status}: ${describe(error)}`, (error as Error)?.stack);
    }
    if (error instanceof DomainError && error.retryAfterSeconds) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    if (response.headersSent) return;
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}

/** An error's message followed by its causes' (drizzle wraps the driver's error, which says what went wrong). */
function describe(error: unknown): string {
  const messages: string[] = [];
  for (let e: any = error; e && messages.length < 5; e = e.cause) messages.push(`${e.message ?? e}${e.code ? ` [${e.code}]` : ''}`);
  return messages.join(' ← caused by: ');
}
