import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AUDIT_PATTERNS, type BlockedIpView, type IncidentView, type ListBlockedIpsResponse, type ListIncidentsResponse, type ListNotificationsResponse } from '@custodian/audit/contracts';
import { Requires } from '../auth/route-access.decorator';
import { AuditClient } from '../audit/audit.client';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import {
  AddIncidentEntryRequestDto,
  BlockedIpDto,
  BlockedIpListDto,
  BlockIpRequestDto,
  IncidentDto,
  IncidentPageDto,
  IncidentParamsDto,
  IpParamsDto,
  ListIncidentsQueryDto,
  NotificationPageDto,
  OpenIncidentRequestDto,
  PageQueryDto,
  UpdateIncidentRequestDto,
} from './security.dto';

/** Blocked addresses and security notifications (module `security`, on all locations). */
@ApiTags('security')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'insufficient_access, tenant_wide_access_required, ip_blocked' })
@Controller('v1/security')
export class SecurityHttpController {
  constructor(private readonly audit: AuditClient) {}

  @Get('blocked-ips')
  @Requires('security', 'manage')
  @ApiOperation({ summary: 'Addresses blocked for this tenant now (by an admin or a security rule)' })
  @ApiResponse({ status: 200, type: BlockedIpListDto })
  list(@Req() req: FastifyRequest): Promise<ListBlockedIpsResponse> {
    return this.audit.send(AUDIT_PATTERNS.listBlockedIps, {}, requestMeta(req));
  }

  @Post('blocked-ips')
  @HttpCode(201)
  @Requires('security', 'manage')
  @ApiOperation({ summary: 'Block an address for this tenant (every gateway within a second)' })
  @ApiResponse({ status: 201, type: BlockedIpDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'invalid_ip, until in the past' })
  block(@Body() body: BlockIpRequestDto, @Req() req: FastifyRequest): Promise<BlockedIpView> {
    return this.audit.send(AUDIT_PATTERNS.blockIp, { ip: body.ip, until: body.until ?? null, reason: body.reason }, requestMeta(req));
  }

  @Delete('blocked-ips/:ip')
  @HttpCode(200)
  @Requires('security', 'manage')
  @ApiOperation({ summary: 'Unblock an address (a no-op when it is not blocked); answers the remaining list' })
  @ApiResponse({ status: 200, type: BlockedIpListDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'invalid_ip' })
  unblock(@Param() params: IpParamsDto, @Req() req: FastifyRequest): Promise<ListBlockedIpsResponse> {
    return this.audit.send(AUDIT_PATTERNS.unblockIp, { ip: params.ip }, requestMeta(req));
  }

  @Get('notifications')
  @Requires('security', 'read')
  @ApiOperation({ summary: "Notices to the account's admins from the security monitor (suspensions, revocations), newest first" })
  @ApiResponse({ status: 200, type: NotificationPageDto })
  notifications(@Query() query: PageQueryDto, @Req() req: FastifyRequest): Promise<ListNotificationsResponse> {
    return this.audit.send(AUDIT_PATTERNS.listNotifications, { ...query }, requestMeta(req));
  }
}

const NOT_FOUND = 'Absent or in another tenant (indistinguishable)';

/** Incidents: detected, acted on, documented (module `security`, on all locations). */
@ApiTags('incidents')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto })
@Controller('v1/incidents')
export class IncidentsHttpController {
  constructor(private readonly audit: AuditClient) {}

  @Post()
  @HttpCode(201)
  @Requires('security', 'write')
  @ApiOperation({ summary: 'Open an incident; a breach carries a notification deadline 24 h after detection, alerted as it approaches' })
  @ApiResponse({ status: 201, type: IncidentDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  open(@Body() body: OpenIncidentRequestDto, @Req() req: FastifyRequest): Promise<IncidentView> {
    return this.audit.send(AUDIT_PATTERNS.openIncident, { ...body }, requestMeta(req));
  }

  @Get()
  @Requires('security', 'read')
  @ApiOperation({ summary: 'Incidents, newest detection first' })
  @ApiResponse({ status: 200, type: IncidentPageDto })
  list(@Query() query: ListIncidentsQueryDto, @Req() req: FastifyRequest): Promise<ListIncidentsResponse> {
    return this.audit.send(AUDIT_PATTERNS.listIncidents, { ...query }, requestMeta(req));
  }

  @Get(':incidentId')
  @Requires('security', 'read')
  @ApiOperation({ summary: 'One incident with its timeline' })
  @ApiResponse({ status: 200, type: IncidentDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  get(@Param() params: IncidentParamsDto, @Req() req: FastifyRequest): Promise<IncidentView> {
    return this.audit.send(AUDIT_PATTERNS.getIncident, { incidentId: params.incidentId }, requestMeta(req));
  }

  @Post(':incidentId/entries')
  @HttpCode(200)
  @Requires('security', 'write')
  @ApiOperation({ summary: 'Add a timeline entry: a note, an action taken, or that the required notification was sent' })
  @ApiResponse({ status: 200, type: IncidentDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'incident_resolved' })
  addEntry(@Param() params: IncidentParamsDto, @Body() body: AddIncidentEntryRequestDto, @Req() req: FastifyRequest): Promise<IncidentView> {
    return this.audit.send(AUDIT_PATTERNS.addIncidentEntry, { incidentId: params.incidentId, ...body }, requestMeta(req));
  }

  @Patch(':incidentId')
  @HttpCode(200)
  @Requires('security', 'write')
  @ApiOperation({ summary: 'Change status (open → investigating → contained → resolved; resolved may reopen) or severity' })
  @ApiResponse({ status: 200, type: IncidentDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'invalid_transition' })
  update(@Param() params: IncidentParamsDto, @Body() body: UpdateIncidentRequestDto, @Req() req: FastifyRequest): Promise<IncidentView> {
    return this.audit.send(AUDIT_PATTERNS.updateIncident, { incidentId: params.incidentId, ...body }, requestMeta(req));
  }
}
