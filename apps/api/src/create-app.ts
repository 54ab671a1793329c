import 'reflect-metadata';
import type { AppConfig } from '@app/config';
import { Logger, type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Metrics } from '@app/metrics';
import { RedisIoAdapter } from '@app/realtime';
import type { NextFunction, Request, Response } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';
import { ProblemFilter } from './problem/problem.filter.js';

export interface CreateAppOptions {
  logger?: LoggerService | false | ('log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal')[];
}

/**
 * The seat-map page (apps/web, built by `npm run build` into dist/web) at `/`. Static files only
 * answer paths that exist, so the API routes are untouched.
 */
function serveSeatMapPage(app: NestExpressApplication): void {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    const page = new URL('dist/web/', dir);
    if (existsSync(new URL('index.html', page))) {
      app.useStaticAssets(fileURLToPath(page), { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml });
      return;
    }
  }
  new Logger('SeatMapPage').warn('dist/web not found (run `npm run build`): the page at / is not served');
}

function noCacheForHtml(response: { setHeader(name: string, value: string): void }, path: string): void {
  if (path.endsWith('.html')) response.setHeader('cache-control', 'no-cache');
}

/** Latency of every HTTP request, labelled by route template (`/api/seats/:showId`), not raw path. */
function timeRequests(metrics: Metrics) {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const route = request.route ? `${request.baseUrl}${request.route.path}` : response.statusCode === 404 ? 'unmatched' : 'static';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requestDuration.observe({ method: request.method, route, status: String(response.statusCode) }, seconds);
    });
    next();
  };
}

/** Builds the application (not yet listening): used by `main.ts` and by the end-to-end tests. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: options.logger,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.use(helmet());
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins === '*' ? true : config.corsOrigins, exposedHeaders: ['Idempotent-Replayed', 'Retry-After'] });
  }
  // Contract: bodies over 64 KiB are refused with 413 before any handler runs.
  app.useBodyParser('json', { limit: '64kb' });
  const metrics = app.get(Metrics);
  app.use(timeRequests(metrics));
  app.useGlobalFilters(new ProblemFilter(metrics));
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, transform: true }),
  );
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));
  serveSeatMapPage(app);
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Seat booking')
      .setDescription('Hold, book and release seats; errors are RFC 9457 problem documents.')
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
