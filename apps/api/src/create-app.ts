import 'reflect-metadata';
import { findUp } from '@app/common';
import type { AppConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Metrics } from '@app/metrics';
import { LiveFeed, RedisIoAdapter } from '@app/realtime';
import { withRedisBudget } from '@app/redis';
import { json, type NextFunction, type Request, type Response, static as serveStatic } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import type { DestinationStream } from 'pino';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';
import { createRootLogger, PinoNestLogger, requestLogging } from './logging/logging.js';
import { BodyDepthPipe } from './problem/body-depth.pipe.js';
import { ProblemFilter } from './problem/problem.filter.js';
import { ValidationPipe } from './problem/validation.pipe.js';

/**
 * A request waits at most this long for Redis in all, so that a write meeting a failing Redis
 * answers 503 within the contract's 2 s however many calls it makes (the rest is for the database).
 */
const REDIS_BUDGET_MS = 1200;

/** Paths that are never the page's files: the API, probes, metrics, the docs and socket.io. */
const NOT_PAGE_FILES = /^\/(api|health|metrics|docs|docs-json|socket\.io)(\/|$)/;

/**
 * The seat-map page (apps/web, built by `npm run build` into dist/web) at `/`. Static files only
 * answer paths that exist, and are not looked for under the API's paths: every read of the API
 * would otherwise pay a file-system `stat` (a round trip through the thread pool) before its route.
 */
function serveSeatMapPage(app: NestExpressApplication, page: URL | undefined): void {
  if (!page) {
    new Logger('SeatMapPage').warn('dist/web not found (run `npm run build`): the page at / is not served');
    return;
  }
  const files = serveStatic(fileURLToPath(new URL('.', page)), { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (NOT_PAGE_FILES.test(request.path)) next();
    else void files(request, response, next);
  });
}

/**
 * The CSP sources of the page's inline scripts (`'sha256-…'` of each): the page starts its first
 * requests from its head, before its code arrives, and no other inline script may run.
 */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`,
  );
}

function noCacheForHtml(response: { setHeader(name: string, value: string): void }, path: string): void {
  if (path.endsWith('.html')) response.setHeader('cache-control', 'no-cache');
}

/**
 * Graceful stop: refuse new connections, let requests in flight finish (a booking being
 * confirmed completes and its answer is sent), then close sockets, Redis and the database.
 * Nest closes the HTTP server before the shutdown hooks that close Redis and the database.
 * Gives up after `graceMs`. Resolves to true when everything closed in time.
 */
export async function drainAndClose(app: NestExpressApplication, graceMs: number): Promise<boolean> {
  app.getHttpAdapter().getInstance().locals.draining = true;
  // A keep-alive connection whose request was in flight when closing began becomes idle only
  // after its answer; server.close() closed the idle ones once, so keep closing them as they go idle.
  const server = app.getHttpServer();
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const closed = await Promise.race([app.close().then(() => true), deadline]);
  clearTimeout(timer);
  clearInterval(sweeper);
  return closed;
}

/** While draining, answers tell keep-alive clients not to send another request on this connection. */
function closeConnectionsWhenDraining(request: Request, response: Response, next: NextFunction): void {
  if (request.app.locals.draining) response.setHeader('Connection', 'close');
  next();
}

/** Latency of every HTTP request, labelled by route template (`/api/seats/:showId`), not raw path. */
function timeRequests(metrics: Metrics) {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const route = request.route
        ? `${request.baseUrl}${(request.route as { path: string }).path}`
        : response.statusCode === 404
          ? 'unmatched'
          : 'static';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requestDuration.observe({ method: request.method, route, status: String(response.statusCode) }, seconds);
    });
    next();
  };
}

/**
 * helmet everywhere, but HSTS and `upgrade-insecure-requests` only on answers to HTTPS requests
 * (directly, or per X-Forwarded-Proto from a proxy trusted by TRUST_PROXY): sent over plain HTTP
 * they make a browser fetch the page's script and stylesheet over an https:// that does not exist.
 */
function securityHeaders(scriptSources: string[]) {
  const scriptSrc = ["'self'", ...scriptSources];
  const overHttps = headersSetBy(helmet({ contentSecurityPolicy: { directives: { scriptSrc } } }));
  const overHttp = headersSetBy(
    helmet({ strictTransportSecurity: false, contentSecurityPolicy: { directives: { scriptSrc, upgradeInsecureRequests: null } } }),
  );
  return (request: Request, response: Response, next: NextFunction) => {
    for (const [name, value] of request.secure ? overHttps : overHttp) response.setHeader(name, value);
    next();
  };
}

/**
 * The headers a helmet middleware sets, read once: with fixed directives they depend on nothing in
 * the request, and helmet's chain of a dozen middlewares per request costs more than the headers.
 */
function headersSetBy(middleware: ReturnType<typeof helmet>): [string, string][] {
  const headers: [string, string][] = [];
  const response = { setHeader: (name: string, value: string) => headers.push([name, value]), removeHeader: () => undefined };
  middleware({} as Request, response as unknown as Response, () => undefined);
  return headers;
}

export interface AppOptions {
  /** Where log lines go instead of stdout (the tests keep each test's lines). */
  logDestination?: DestinationStream;
}

/** Builds the application (not yet listening): used by `main.ts` and by the end-to-end tests. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestExpressApplication> {
  const rootLogger = createRootLogger(config.logLevel, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(rootLogger),
    abortOnError: false,
  });
  app.use(requestLogging(rootLogger));
  app.disable('x-powered-by');
  // Seat maps carry their own ETag (the show's version); hashing every other answer is wasted work.
  app.set('etag', false);
  // Behind a load balancer, the client address (rate limits, logs) comes from X-Forwarded-For.
  if (config.trustProxy)
    app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy === 'true' || config.trustProxy);
  app.use(closeConnectionsWhenDraining);
  const page = findUp(new URL('.', import.meta.url), 'dist/web/index.html');
  app.use(securityHeaders(page ? inlineScriptHashes(readFileSync(page, 'utf8')) : []));
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins === '*' ? true : config.corsOrigins,
      exposedHeaders: ['Idempotent-Replayed', 'Retry-After'],
    });
  }
  // Contract: bodies over 64 KiB are refused with 413 before any handler runs; the admin API
  // (a stadium's layout) takes up to 1 MiB. The general parser skips a body already parsed.
  app.use('/api/admin', json({ limit: '1mb' }));
  app.useBodyParser('json', { limit: '64kb' });
  const metrics = app.get(Metrics);
  app.use(timeRequests(metrics));
  // After the body parsers, so the budget's context reaches the handlers (see withRedisBudget).
  app.use((_request: Request, _response: Response, next: NextFunction) => withRedisBudget(REDIS_BUDGET_MS, next));
  app.useGlobalFilters(new ProblemFilter(metrics));
  app.useGlobalPipes(new BodyDepthPipe(), new ValidationPipe());
  const io = new RedisIoAdapter(app, config);
  const feed = app.get(LiveFeed);
  io.onSubscriptionLost(() => feed.interrupted());
  app.useWebSocketAdapter(io);
  serveSeatMapPage(app, page);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Seat booking')
      .setDescription('Hold, book and release seats; errors are RFC 9457 problem documents.')
      .setVersion('0.1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Only when AUTH_JWT_SECRET or AUTH_JWKS_URL is set; sub must equal userId',
      })
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN (printed at start in dev mode)' }, 'admin')
      .build(),
  );
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(document), { jsonDocumentUrl: 'docs-json' });
  return app;
}
