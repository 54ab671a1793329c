import type { AppConfig } from '@app/config';
import { createRedis } from '@app/redis';
import type { INestApplicationContext } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { PER_MESSAGE_DEFLATE } from './fanout.js';
import { preEncodedParser } from './pre-encoded.parser.js';

/**
 * socket.io with the Redis adapter: an event emitted by one API instance reaches the clients of
 * every instance. Publisher and subscriber are connections of their own (a subscribing
 * connection can do nothing else). On Redis Cluster, the sharded adapter (Redis 7 `SPUBLISH` /
 * `SSUBSCRIBE`): each room's channel lives on the node owning its slot, so no message is copied
 * to every node as a classic `PUBLISH` would be.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  private readonly cors: ServerOptions['cors'];
  private readonly sharded: boolean;

  constructor(app: INestApplicationContext, config: AppConfig) {
    super(app);
    // Same origin only unless CORS_ORIGINS says otherwise (non-browser clients send no Origin).
    this.cors = config.corsOrigins === '*' ? { origin: true } : config.corsOrigins.length > 0 ? { origin: config.corsOrigins } : undefined;
    this.sharded = config.redis.kind === 'cluster';
    this.pub = createRedis(config.redis, 'pubsub', 'seat-booking-io');
    this.sub = createRedis(config.redis, 'subscriber', 'seat-booking-io');
    // Reconnection is automatic; errors are reported by the command connection's health.
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    handleRejections(this.pub, ['publish', 'spublish']);
    handleRejections(this.sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe']);
  }

  /** Calls `listener` whenever the subscription that carries other instances' events drops (events may be lost). */
  onSubscriptionLost(listener: () => void): void {
    this.sub.on('close', listener);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      cors: this.cors,
      parser: preEncodedParser,
      perMessageDeflate: PER_MESSAGE_DEFLATE,
    } as ServerOptions);
    server.adapter(this.sharded ? createShardedAdapter(this.pub, this.sub) : createAdapter(this.pub, this.sub));
    return server;
  }

  /**
   * The handlers of a socket's messages as plain listeners. Nest's own binding builds an rxjs
   * pipeline per socket and per message (`fromEvent`, `mergeMap`, `takeUntil` of a shared
   * disconnect stream): about 70 closures and 11 KB a socket, 55 MB for 5,000 fans who never send
   * a second message. Here a socket costs one listener per message, and each message gets what
   * Nest's binding gives it: the handler through its guards, pipes and filters (`transform`),
   * every answer not null acknowledged (or emitted, for `{ event, data }`), an error logged.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...payload: unknown[]) => {
        const { data, ack } = this.mapPayload(payload) as { data: unknown; ack?: (response: unknown) => void };
        let answers: Observable<unknown>;
        try {
          answers = transform(callback(data, ack));
        } catch (error) {
          this.logger.error(error);
          return;
        }
        answers.subscribe({
          next: (response) => {
            if (response === null || response === undefined) return;
            const event = response as { event?: string; data?: unknown };
            if (event.event) socket.emit(event.event, event.data);
            else if (!isAckHandledManually && typeof ack === 'function') ack(response);
          },
          error: (error: unknown) => this.logger.error(error),
        });
      });
    }
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    this.pub.disconnect();
    this.sub.disconnect();
  }
}

/**
 * The adapter fires these commands without awaiting them. While Redis is down they wait in the
 * offline queue, and closing the connection rejects them: unhandled, that would be reported as a
 * crash. A broadcast lost that way is repaired by the subscribers' next snapshot.
 */
function handleRejections(client: Redis, methods: string[]): void {
  const target = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of methods) {
    const original = target[method].bind(client);
    target[method] = (...args: unknown[]) => {
      const reply = original(...args);
      reply.catch(() => undefined);
      return reply;
    };
  }
}
