import type { LogLevel } from '@app/config';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import pretty from 'pino-pretty';

/** A caller's X-Request-Id is kept if it looks like an id; otherwise one is made up. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestId(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The root logger: JSON lines on stdout for machines, or readable lines when stdout is a terminal
 * (a developer running `npm start`). `destination` overrides both (the tests collect logs per test).
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const stream =
    destination ??
    (process.stdout.isTTY
      ? pretty({
          colorize: true,
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          // The request line's message already says method, url, status and time.
          ignore: 'pid,hostname,context,req,res,responseTime',
          messageFormat: '{if context}[{context}] {end}{msg}',
        })
      : undefined);
  // No redaction paths: a request is only ever logged as its id, method and url (the serializers
  // of `requestLogging`), never with its headers, so credentials cannot reach a line.
  const options = { level };
  return stream ? pino(options, stream) : pino(options);
}

/** The logger of the request being served (its lines carry `req.id`), set by `requestLogging`. */
const requestScope = new AsyncLocalStorage<Logger>();

/**
 * One line per finished request (id, method, url, status, time), except probes and scrapes.
 * 5xx are `error` except 503 (a dependency is down: expected, and logged once by its client),
 * which is `warn` like every other 4xx. pino-http attaches a made-up "failed with status code"
 * error with a stack to every 5xx; that says nothing, so it is dropped (real 500s are logged with
 * their stack by the problem filter).
 */
export function requestLogging(root: Logger) {
  const http = pinoHttp({
    logger: root,
    genReqId: requestId,
    autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
    customLogLevel: (_request, response, error) =>
      response.statusCode === 503 ? 'warn' : error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: (request, response, ms) => `${request.method} ${request.url} ${response.statusCode} ${Math.round(ms)} ms`,
    customErrorMessage: (request, response) => `${request.method} ${request.url} ${response.statusCode}`,
    customErrorObject: (_request, _response, error, value) =>
      /^failed with status code/.test(error.message) ? { ...(value as object), err: undefined } : (value as object),
    // The raw request and response reach these serializers (not pino-std-serializers' copies of
    // every header, built for each request and then thrown away): only what a line shows is read.
    wrapSerializers: false,
    serializers: {
      req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  });
  return (request: Request, response: Response, next: NextFunction) => {
    http(request, response);
    requestScope.run(request.log, next);
  };
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's own start-up chatter (every module and route, one line each) is for debugging only. */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestApplication',
]);

/**
 * Nest's logger interface on pino. Lines logged while a request is served carry its id. Nest
 * passes the context (the class name) last and, for `error`, a stack before it.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const logger = requestScope.getStore() ?? this.root;
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    if (level === 'info' && context && FRAMEWORK_CONTEXTS.has(context)) level = 'debug';
    if (!logger.isLevelEnabled(level)) return;
    const stack = level === 'error' && params.length > 1 && typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) logger[level]({ context, err: message }, message.message);
    else logger[level]({ context, stack }, typeof message === 'string' ? message : JSON.stringify(message));
  }
}
