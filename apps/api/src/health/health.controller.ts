import { DomainError } from '@app/common';
import { Database } from '@app/db';
import { asCluster, REDIS } from '@app/redis';
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../problem/api-problems.js';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';

class NotReadyError extends DomainError {
  readonly code = 'NOT_READY';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(Database) private readonly database: Database,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  /** The database and Redis both answer; 503 problem otherwise. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database and Redis both answer' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { database: { status: 'up' }, redis: { status: 'up' } } } } })
  @ApiProblems(503)
  @HealthCheck()
  async ready() {
    try {
      return await this.health.check([
        () => this.probe('database', () => this.database.ping()),
        () => this.probe('redis', () => this.redisAnswers()),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const report = error.getResponse() as { error?: Record<string, unknown>; details?: Record<string, unknown> };
      const down = Object.keys(report.error ?? {}).join(' and ');
      const notReady = new NotReadyError(`Not ready: ${down || 'a dependency'} unavailable.`);
      notReady.extensions.checks = report.details;
      throw notReady;
    }
  }

  /** One Redis answers PING; a cluster is ready as its client sees it (`cluster_state:ok`, slots known). */
  private async redisAnswers(): Promise<void> {
    const cluster = asCluster(this.redis);
    if (!cluster) {
      await this.redis.ping();
      return;
    }
    if (cluster.status !== 'ready') throw new Error(`cluster client is ${cluster.status}`);
    const info = await cluster.cluster('INFO');
    if (!/^cluster_state:ok\b/m.test(info)) throw new Error(`cluster state is ${/^cluster_state:(\w+)/m.exec(info)?.[1] ?? 'unknown'}`);
  }

  private async probe(key: string, check: () => Promise<void>) {
    const indicator = this.indicators.check(key);
    try {
      await check();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
