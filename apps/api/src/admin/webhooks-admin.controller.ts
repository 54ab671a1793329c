import { WebhooksService } from '@app/booking';
import { AdminGuard } from '@app/security';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../problem/api-problems.js';
import { PathIdPipe } from '../seats/seats-request.dto.js';
import { CreateWebhookDto } from './admin-requests.dto.js';
import { WebhookDeliveryDto, WebhookEndpointDto, WebhookEndpointWithSecretDto } from './admin-responses.dto.js';

/** Booking webhooks, for the ticket seller's other systems: `Authorization: Bearer <ADMIN_TOKEN>`. */
@ApiTags('admin')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@Controller('api/admin/webhooks')
export class WebhooksAdminController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Send booking.confirmed and/or booking.cancelled to a URL, signed per Standard Webhooks' })
  @ApiBody({ type: CreateWebhookDto })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDto, description: 'The secret is shown only here' })
  @ApiProblems([400, 'Invalid body, or a private, loopback or link-local address (unless allowed)'], [401, 'No or wrong admin token'], 503)
  create(@Body() body: CreateWebhookDto) {
    return this.webhooks.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'The webhook endpoints (without their secrets)' })
  @ApiOkResponse({ type: [WebhookEndpointDto] })
  @ApiProblems([401, 'No or wrong admin token'], 503)
  list() {
    return this.webhooks.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop sending to an endpoint (its pending deliveries are dropped)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems([401, 'No or wrong admin token'], [404, 'WEBHOOK_NOT_FOUND'], 503)
  async delete(@Param('id', new PathIdPipe('id')) id: string): Promise<void> {
    await this.webhooks.delete(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The endpoint's newest 100 messages and how their delivery stands" })
  @ApiOkResponse({ type: [WebhookDeliveryDto] })
  @ApiProblems([401, 'No or wrong admin token'], [404, 'WEBHOOK_NOT_FOUND'], 503)
  deliveries(@Param('id', new PathIdPipe('id')) id: string) {
    return this.webhooks.deliveries(id);
  }

  @Post(':id/deliveries/:messageId/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a message to the endpoint again (same webhook-id)' })
  @ApiAcceptedResponse({
    schema: { type: 'object', properties: { messageId: { type: 'string' }, status: { type: 'string', enum: ['pending'] } } },
  })
  @ApiProblems([401, 'No or wrong admin token'], [404, 'WEBHOOK_NOT_FOUND or DELIVERY_NOT_FOUND'], 503)
  replay(@Param('id', new PathIdPipe('id')) id: string, @Param('messageId', new PathIdPipe('messageId')) messageId: string) {
    return this.webhooks.replay(id, messageId);
  }
}
