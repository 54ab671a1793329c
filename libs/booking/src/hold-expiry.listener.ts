import { describeError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { asCluster, createNodeSubscriber, createRedis, REDIS, redisDbNumber } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { HoldExpiry } from './hold-expiry.service.js';
import { HoldSweeper } from './hold.sweeper.js';
import { parseLockKey } from './seat-locks.js';

/**
 * The fast expiry path: Redis announces every expired key on `__keyevent@<db>__:expired`
 * (https://redis.io/docs/latest/develop/use/keyspace-notifications/); a seat lock that expires
 * names its seat, which is released at once. Needs `notify-keyspace-events` to contain `E` and
 * `x`: set at start where `CONFIG SET` is allowed, otherwise configure the server. Events sent
 * while this connection is down are lost, so every (re)connect also triggers a sweep.
 * ioredis-mock sends no keyspace events: in dev mode the sweeper alone releases holds.
 *
 * On Redis Cluster each node announces only its own keys' expiries (and only db 0 exists): one
 * subscriber per master, reconciled whenever the client refreshes its view of the cluster (a
 * failover promotes a replica without a `+node` event; resharding moves slots), and a sweep each
 * time one connects, for the events lost meanwhile.
 */
/** How long expiry events are gathered into one release, and at most how many seats per release. */
const EVENT_BATCH_MS = 5;
const MAX_EVENT_BATCH = 500;

@Injectable()
export class HoldExpiryListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HoldExpiryListener.name);
  private subscriber?: Redis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly expiry: HoldExpiry,
    private readonly sweeper: HoldSweeper,
  ) {}

  /** Seats whose lock expiry was announced and whose release is about to run. */
  private readonly lapsed = new Set<string>();
  /** Cluster only: this instance's subscriber per master, by address. */
  private readonly nodeSubscribers = new Map<string, Redis>();
  /** Cluster only: nodes whose keyspace-event setting was checked. */
  private readonly configured = new Set<string>();
  private stopped = false;

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.redis.kind === 'mock') return;
    const cluster = asCluster(this.redis);
    if (cluster) return this.listenOnEveryMaster(cluster);
    await this.enableExpiredEvents(this.redis);
    // A restarted or newly promoted server may lack the setting (it is not replicated).
    this.redis.on('ready', () => void this.enableExpiredEvents(this.redis));
    const channel = `__keyevent@${redisDbNumber(this.redis)}__:expired`;
    const subscriber = createRedis(this.config.redis, 'subscriber', 'seat-booking-expiry');
    subscriber.on('error', () => undefined);
    subscriber.on('ready', () => void this.sweeper.run());
    subscriber.on('message', (_channel: string, key: string) => this.onExpired(key));
    this.subscriber = subscriber;
    // Not awaited: with Redis down the service still starts; ioredis subscribes once connected
    // and re-subscribes after every reconnect.
    subscriber.subscribe(channel).catch((error: Error) => this.logger.warn(`Subscribe to ${channel} failed: ${describeError(error)}`));
  }

  /**
   * Holds taken together lapse together: events arriving within a few milliseconds of each other
   * are released by one transaction, instead of one transaction (and one pooled connection) each.
   */
  private onExpired(key: string): void {
    const lock = parseLockKey(key);
    if (!lock) return;
    this.lapsed.add(lock.seatId);
    if (this.lapsed.size === 1) setTimeout(() => this.releaseLapsed(), EVENT_BATCH_MS).unref();
  }

  private releaseLapsed(): void {
    const seatIds = [...this.lapsed];
    this.lapsed.clear();
    for (let i = 0; i < seatIds.length; i += MAX_EVENT_BATCH) {
      const batch = seatIds.slice(i, i + MAX_EVENT_BATCH);
      this.expiry.releaseSeats(batch, 'event').catch((error: Error) => {
        this.logger.warn(`Expiry events for ${batch.length} seat(s) not applied (the sweeper will): ${describeError(error)}`);
      });
    }
  }

  private listenOnEveryMaster(cluster: Cluster): void {
    const reconcile = () => {
      if (this.stopped) return;
      this.reconcile(cluster).catch((error: Error) => this.logger.warn(`Could not follow the cluster's masters: ${describeError(error)}`));
    };
    for (const event of ['ready', 'refresh', '+node', '-node']) cluster.on(event, reconcile);
    reconcile();
  }

  /** One subscriber per current master; subscribers of nodes no longer masters are closed. */
  private async reconcile(cluster: Cluster): Promise<void> {
    const config = this.config.redis;
    if (config.kind !== 'cluster') return;
    const address = (node: Redis) => `${node.options.host}:${node.options.port}`;
    for (const node of cluster.nodes('all')) {
      if (this.configured.has(address(node))) continue;
      this.configured.add(address(node));
      await this.enableExpiredEvents(node);
    }
    const masters = new Map(cluster.nodes('master').map((node) => [address(node), node]));
    for (const [at, subscriber] of this.nodeSubscribers) {
      if (masters.has(at)) continue;
      subscriber.disconnect();
      this.nodeSubscribers.delete(at);
    }
    for (const [at, node] of masters) {
      if (this.nodeSubscribers.has(at) || this.stopped) continue;
      const subscriber = createNodeSubscriber(config, { host: node.options.host!, port: node.options.port! }, 'seat-booking-expiry');
      subscriber.on('error', () => undefined);
      subscriber.on('ready', () => {
        // A restarted node may lack the setting; and events sent while this link was down are lost.
        void this.enableExpiredEvents(node);
        void this.sweeper.run();
      });
      subscriber.on('message', (_channel: string, key: string) => this.onExpired(key));
      subscriber
        .subscribe('__keyevent@0__:expired')
        .catch((error: Error) => this.logger.warn(`Subscribe on ${at} failed: ${describeError(error)}`));
      this.nodeSubscribers.set(at, subscriber);
    }
  }

  /** Stops listening (used at shutdown, and by tests that simulate a lost listener). */
  stop(): void {
    this.stopped = true;
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    for (const subscriber of this.nodeSubscribers.values()) subscriber.disconnect();
    this.nodeSubscribers.clear();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  private async enableExpiredEvents(redis: Redis): Promise<void> {
    try {
      const [, current = ''] = (await redis.config('GET', 'notify-keyspace-events')) as string[];
      const hasExpired = current.includes('E') && (current.includes('x') || current.includes('A'));
      if (!hasExpired) await redis.config('SET', 'notify-keyspace-events', `${current}Ex`);
    } catch (error) {
      this.logger.warn(
        `Could not enable keyspace events (${(error as Error).message}); set "notify-keyspace-events Ex" in the Redis configuration. Until then the sweeper releases expired holds.`,
      );
    }
  }
}
