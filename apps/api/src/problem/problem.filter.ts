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
      // Expected while a dependency is down: one line, no stack.
      this.logger.warn(`${request.method} ${request.originalUrl} → 503: ${(error.cause as Error)?.message ?? error.message}`);
    } else if (problem.status >= 500) {
      this.logger.error(`${request.method} ${request.originalUrl} → ${problem.status}: ${(error as Error)?.message}`, (error as Error)?.stack);
    }
    if (error instanceof DomainError && error.retryAfterSeconds) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    if (response.headersSent) return;
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
