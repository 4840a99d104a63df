import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { WEBHOOK_PATTERNS, type ListWebhookDeliveriesResponse, type ListWebhooksResponse, type WebhookView } from '@custodian/audit/contracts';
import { Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { PageQueryDto } from '../security/security.dto';
import { WebhooksClient } from './webhooks.client';
import {
  CreateWebhookRequestDto,
  ListDeliveriesQueryDto,
  ReplayWebhookRequestDto,
  UpdateWebhookRequestDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookPageDto,
  WebhookParamsDto,
} from './webhooks.dto';

const NOT_FOUND = 'webhook_not_found: absent, deleted, or in another tenant (indistinguishable)';

/**
 * Signed webhooks for integrators (module `exports`, on all locations): the tenant's events
 * pushed one per POST, HMAC-SHA256 signed, retried with backoff, logged, replayable
 * (docs/webhooks.md).
 */
@ApiTags('webhooks')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'insufficient_access, tenant_wide_access_required' })
@Controller('v1/webhooks')
export class WebhooksHttpController {
  constructor(private readonly webhooks: WebhooksClient) {}

  @Post()
  @HttpCode(201)
  @Requires('exports', 'manage')
  @ApiOperation({ summary: "Subscribe a URL to the tenant's events (from now on; replay for history). The secret is never shown again" })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried create returns the first webhook' })
  @ApiResponse({ status: 201, type: WebhookDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'validation_failed, invalid_webhook_url, invalid_event_types, invalid_webhook_secret' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'webhook_limit_reached' })
  create(@Body() body: CreateWebhookRequestDto, @Req() req: FastifyRequest): Promise<WebhookView> {
    return this.webhooks.send(WEBHOOK_PATTERNS.create, { ...body }, requestMeta(req));
  }

  @Get()
  @Requires('exports', 'read')
  @ApiOperation({ summary: "The tenant's webhooks, newest first (never their secrets)" })
  @ApiResponse({ status: 200, type: WebhookPageDto })
  list(@Query() query: PageQueryDto, @Req() req: FastifyRequest): Promise<ListWebhooksResponse> {
    return this.webhooks.send(WEBHOOK_PATTERNS.list, { ...query }, requestMeta(req));
  }

  @Get(':id')
  @Requires('exports', 'read')
  @ApiOperation({ summary: 'One webhook' })
  @ApiResponse({ status: 200, type: WebhookDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  get(@Param() params: WebhookParamsDto, @Req() req: FastifyRequest): Promise<WebhookView> {
    return this.webhooks.send(WEBHOOK_PATTERNS.get, { webhookId: params.id }, requestMeta(req));
  }

  @Patch(':id')
  @HttpCode(200)
  @Requires('exports', 'manage')
  @ApiOperation({ summary: 'Disable (deliveries pause, the position is kept) or enable (deliveries go on from it)' })
  @ApiResponse({ status: 200, type: WebhookDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  update(@Param() params: WebhookParamsDto, @Body() body: UpdateWebhookRequestDto, @Req() req: FastifyRequest): Promise<WebhookView> {
    return this.webhooks.send(WEBHOOK_PATTERNS.update, { webhookId: params.id, status: body.status }, requestMeta(req));
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('exports', 'manage')
  @ApiOperation({ summary: "Delete: no more deliveries, the secret's key is erased; the delivery log is kept" })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  async remove(@Param() params: WebhookParamsDto, @Req() req: FastifyRequest): Promise<void> {
    await this.webhooks.send(WEBHOOK_PATTERNS.remove, { webhookId: params.id }, requestMeta(req));
  }

  @Get(':id/deliveries')
  @Requires('exports', 'read')
  @ApiOperation({ summary: 'The delivery log, newest first: each delivery with every attempt (status code or error, duration)' })
  @ApiResponse({ status: 200, type: WebhookDeliveryPageDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  deliveries(@Param() params: WebhookParamsDto, @Query() query: ListDeliveriesQueryDto, @Req() req: FastifyRequest): Promise<ListWebhookDeliveriesResponse> {
    return this.webhooks.send(WEBHOOK_PATTERNS.deliveries, { webhookId: params.id, ...query }, requestMeta(req));
  }

  @Post(':id/replay')
  @HttpCode(200)
  @Requires('exports', 'manage')
  @ApiOperation({ summary: "Re-deliver the tenant's matching events from a global position (inclusive), with their original event ids" })
  @ApiResponse({ status: 200, type: WebhookDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'replay_ahead_of_position: a replay never skips events' })
  replay(@Param() params: WebhookParamsDto, @Body() body: ReplayWebhookRequestDto, @Req() req: FastifyRequest): Promise<WebhookView> {
    return this.webhooks.send(WEBHOOK_PATTERNS.replay, { webhookId: params.id, fromPosition: body.fromPosition }, requestMeta(req));
  }
}
