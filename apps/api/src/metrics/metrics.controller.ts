import { Metrics } from '@app/metrics';
import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics of this instance (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'seat_writes_total, seat_expiry_*, idempotency_requests_total, http_*, socketio_connected_clients, process metrics',
  })
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
