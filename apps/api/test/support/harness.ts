import type { AppConfig } from '@app/config';
import { createShow, Database } from '@app/db';
import { REDIS } from '@app/redis';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../../src/create-app.js';
import type { Backend } from './backends.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** The body exactly as received. */
  raw: string;
}

/** One running API on an ephemeral port, with handles on its database and Redis. */
export class Harness {
  private readonly sockets: Socket[] = [];

  private constructor(
    readonly app: NestExpressApplication,
    readonly config: AppConfig,
    readonly baseUrl: string,
    private readonly cleanup: () => Promise<void>,
    /** The service's log lines (parsed JSON), oldest first. */
    readonly logs: any[],
  ) {}

  static async start(backend: Backend, env: Record<string, string> = {}): Promise<Harness> {
    const { config, cleanup } = await backend.provision(env);
    return Harness.boot(config, cleanup);
  }

  /** A second instance sharing this one's database and Redis (as behind a load balancer). */
  static async alongside(other: Harness, overrides: Partial<AppConfig> = {}): Promise<Harness> {
    return Harness.boot({ ...other.config, seedDemo: false, ...overrides }, async () => undefined);
  }

  private static async boot(config: AppConfig, cleanup: () => Promise<void>): Promise<Harness> {
    const logs: any[] = [];
    // Lines also go through `console.log`, which vitest keeps per test and prints only for tests
    // that fail (`silent: 'passed-only'`).
    const logDestination = {
      write(line: string) {
        logs.push(JSON.parse(line));
        console.log(line.trimEnd());
      },
    };
    const app = await createApp(config, { logDestination });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    return new Harness(app, config, `http://127.0.0.1:${address.port}`, cleanup, logs);
  }

  get database(): Database {
    return this.app.get(Database);
  }

  get redis(): Redis {
    return this.app.get<Redis>(REDIS);
  }

  /** A show of its own for one test, so tests never share seats. */
  async newShow(rows = 2, seatsPerRow = 10): Promise<{ showId: string; seatIds: string[] }> {
    const showId = `test-${randomUUID().slice(0, 8)}`;
    await createShow(this.database, { id: showId, title: `Test ${showId}`, venue: 'Test hall', startsAt: new Date(), rows, seatsPerRow });
    const map = await this.get(`/api/seats/${showId}`);
    return { showId, seatIds: map.body.seats.map((seat: { id: string }) => seat.id) };
  }

  /** A request with the admin token (`ADMIN_TOKEN`, or the one dev mode made up). */
  admin<T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const headers = { authorization: `Bearer ${this.config.admin!.token}` };
    return this.request(method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers);
  }

  /** Creates a show through the admin API (a unique id unless the definition has one); fails loudly. */
  async createShow(definition: Record<string, unknown>): Promise<{ showId: string; map: any }> {
    const reply = await this.admin('POST', '/api/admin/shows', { id: `show-${randomUUID().slice(0, 8)}`, ...definition });
    if (reply.status !== 201) throw new Error(`creating a show answered ${reply.status}: ${reply.raw.slice(0, 300)}`);
    return { showId: reply.body.id, map: (await this.get(`/api/seats/${reply.body.id}`)).body };
  }

  get<T = any>(path: string): Promise<Reply<T>> {
    return this.request('GET', path);
  }

  /**
   * POSTs JSON. Every write carries a fresh Idempotency-Key unless the caller names one;
   * `'idempotency-key': null` sends none.
   */
  post<T = any>(path: string, body: unknown, headers: Record<string, string | null> = {}): Promise<Reply<T>> {
    const { 'idempotency-key': key = randomUUID(), ...rest } = headers;
    const sent: Record<string, string> = Object.fromEntries(
      Object.entries(rest).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    if (key !== null) sent['idempotency-key'] = key;
    return this.request('POST', path, typeof body === 'string' ? body : JSON.stringify(body), sent);
  }

  async request<T = any>(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      body,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, raw: text };
  }

  /** A socket.io client on the `/seats` namespace; closed with the harness. */
  async seatsClient(): Promise<SeatsClient> {
    const socket = io(`${this.baseUrl}/seats`, { transports: ['websocket'], forceNew: true });
    this.sockets.push(socket);
    const client = new SeatsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return client;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    await this.app.close();
    await this.cleanup();
  }
}

export interface SeatsChanged {
  showId: string;
  version: number;
  changes: { seatId: string; status: string; holdExpiresAt: string | null; version: number }[];
  at: string;
  /** Local arrival time (ms since epoch), added by the test client. */
  receivedAt: number;
}

/** Records every `seats:changed` event it receives. */
export class SeatsClient {
  readonly events: SeatsChanged[] = [];

  constructor(readonly socket: Socket) {
    socket.on('seats:changed', (event: Omit<SeatsChanged, 'receivedAt'>) => this.events.push({ ...event, receivedAt: Date.now() }));
  }

  subscribe(showId: unknown, options: { version?: number; format?: string } = {}): Promise<any> {
    return this.socket.timeout(5000).emitWithAck('subscribe', { showId, ...options });
  }

  /** Changes of one seat, in arrival order. */
  changesOf(seatId: string) {
    return this.events.flatMap((event) =>
      event.changes.filter((change) => change.seatId === seatId).map((change) => ({ ...change, receivedAt: event.receivedAt })),
    );
  }

  /** Waits until some received change of `seatId` has `status`; returns its arrival time. */
  async waitFor(seatId: string, status: string, timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.changesOf(seatId).find((change) => change.status === status);
      if (hit) return hit.receivedAt;
      if (Date.now() > deadline) throw new Error(`no ${status} event for ${seatId} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
