import 'reflect-metadata';
import type { AppConfig } from '@app/config';
import { type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RedisIoAdapter } from '@app/realtime';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { ProblemFilter } from './problem/problem.filter.js';

export interface CreateAppOptions {
  logger?: LoggerService | false | ('log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal')[];
}

/** Builds the application (not yet listening): used by `main.ts` and by the end-to-end tests. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: options.logger,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // Contract: bodies over 64 KiB are refused with 413 before any handler runs.
  app.useBodyParser('json', { limit: '64kb' });
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, transform: true }),
  );
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));
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
