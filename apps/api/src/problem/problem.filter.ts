import { DependencyUnavailableError, describeError, DomainError, problemAnswer } from '@app/common';
import { Metrics } from '@app/metrics';
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/** Turns every error into `application/problem+json`; internals never leave the process. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  constructor(private readonly metrics?: Metrics) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { problem, body } = problemAnswer(error, request);
    if (problem.status === 503)
      this.metrics?.unavailable.inc({ dependency: error instanceof DependencyUnavailableError ? error.dependency : 'none' });
    if (error instanceof DependencyUnavailableError) {
      // Expected while a dependency is down (its client logs the outage once): debug only, no stack.
      this.logger.debug(`${request.method} ${request.originalUrl} → 503: ${describeError(error.cause ?? error)}`);
    } else if (problem.status >= 500) {
      this.logger.error(`${request.method} ${request.originalUrl} → ${problem.status}: ${describeError(error)}`, (error as Error)?.stack);
    }
    if (error instanceof DomainError && error.retryAfterSeconds) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    if (response.headersSent) return;
    response.status(problem.status).type('application/problem+json').send(body);
  }
}
