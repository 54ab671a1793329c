import 'reflect-metadata';
import {
  type ArgumentsHost,
  Body,
  type CallHandler,
  type CanActivate,
  Catch,
  Controller,
  type ExceptionFilter,
  Injectable,
  Module,
  type NestInterceptor,
  type PipeTransform,
  Post,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Response } from 'express';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The floors the benchmark compares the service with: a bare Node `http` server doing exactly one
 * backend operation per request, and nothing else (no framework, validation, idempotency, events).
 *
 *   node floor-server.js redis <port> <redis-url>      one SET NX PX per request
 *   node floor-server.js postgres <port> <pg-url>      one conditional UPDATE per request
 *   node floor-server.js nest-redis <port> <redis-url> the Redis floor as a Nest (express) controller:
 *                                                      what the framework alone costs
 *   node floor-server.js nest-pipeline <port> <redis-url>
 *                                                      the same behind the shape of the service's write
 *                                                      pipeline, every part doing nothing: a lower bound
 *                                                      of what any endpoint built like the service's costs
 *
 * Both take the service's request body (`{ seatIds: [id], userId }`) and answer 201 or 409.
 */
type Operation = (seatId: string, userId: string) => Promise<boolean>;

async function redisFloor(url: string, prefix: string): Promise<Operation> {
  const redis = new Redis(url);
  return async (seatId, userId) => (await redis.set(`${prefix}:${seatId}`, userId, 'PX', 60_000, 'NX')) === 'OK';
}

async function postgresFloor(url: string): Promise<Operation> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  return async (seatId, userId) => {
    const result = await pool.query('update floor_seats set holder = $1 where id = $2 and holder is null', [userId, seatId]);
    return result.rowCount === 1;
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The same operation behind a Nest controller on the express platform, nothing else. */
async function nestFloor(port: number, operation: Operation): Promise<void> {
  @Controller()
  class FloorController {
    @Post()
    async hold(@Body() body: { seatIds: string[]; userId: string }, @Res({ passthrough: true }) response: Response) {
      const taken = await operation(body.seatIds[0], body.userId);
      response.status(taken ? 201 : 409);
      return { ...body, taken };
    }
  }
  @Module({ controllers: [FloorController] })
  class FloorModule {}
  const app = await NestFactory.create(FloorModule, { logger: ['error'] });
  await app.listen(port, '127.0.0.1');
}

class Refused extends Error {}

@Injectable()
class PassingGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable()
class OtherPassingGuard extends PassingGuard {}

@Injectable()
class PassingInterceptor implements NestInterceptor {
  async intercept(_context: unknown, next: CallHandler) {
    return next.handle();
  }
}

class PassingPipe implements PipeTransform {
  transform(value: unknown): unknown {
    return value;
  }
}

@Catch(Refused)
class RefusalFilter implements ExceptionFilter {
  catch(_error: Refused, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(409).type('application/problem+json').send('{"status":409,"code":"SEAT_CONFLICT"}');
  }
}

/**
 * The Redis floor behind what every write of the service passes through, each part doing nothing:
 * two guards, an async interceptor, a global pipe, and a refusal thrown to a global exception filter
 * (as a 409 is). What this costs beyond the bare `http` floor is the least any endpoint built that
 * way can cost beyond a bare server doing the same work (the lean comparison's refusal allowance).
 */
async function nestPipelineFloor(port: number, operation: Operation): Promise<void> {
  @Controller()
  class FloorController {
    @Post()
    @UseGuards(PassingGuard, OtherPassingGuard)
    @UseInterceptors(PassingInterceptor)
    async hold(@Body() body: { seatIds: string[]; userId: string }) {
      if (!(await operation(body.seatIds[0], body.userId))) throw new Refused();
      return { ...body, taken: true };
    }
  }
  @Module({ controllers: [FloorController] })
  class FloorModule {}
  const app = await NestFactory.create(FloorModule, { logger: ['error'] });
  app.useGlobalPipes(new PassingPipe());
  app.useGlobalFilters(new RefusalFilter());
  await app.listen(port, '127.0.0.1');
}

async function main(): Promise<void> {
  const [kind, port, url] = process.argv.slice(2);
  if (!url || !['redis', 'postgres', 'nest-redis', 'nest-pipeline'].includes(kind))
    throw new Error('usage: floor-server.js redis|postgres|nest-redis|nest-pipeline <port> <url>');
  const operation = kind === 'postgres' ? await postgresFloor(url) : await redisFloor(url, `floor-${kind}`);
  if (kind === 'nest-redis' || kind === 'nest-pipeline') {
    await (kind === 'nest-redis' ? nestFloor : nestPipelineFloor)(Number(port), operation);
    process.send?.('ready');
    return;
  }
  const server = createServer((request, response) => void answer(request, response));
  async function answer(request: IncomingMessage, response: ServerResponse) {
    try {
      const { seatIds, userId } = JSON.parse(await readBody(request)) as { seatIds: string[]; userId: string };
      const taken = await operation(seatIds[0], userId);
      response.writeHead(taken ? 201 : 409, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ seatIds, userId, taken }));
    } catch (error) {
      response.writeHead(500);
      response.end((error as Error).message);
    }
  }
  server.keepAliveTimeout = 30_000;
  server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
