import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { Public } from '../auth/route-access.decorator';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';
import { PrincipalCache } from '../auth/principal-cache';
import { SchedulingClient } from '../scheduling/scheduling.client';
import { SCHEDULING_PATTERNS } from '@custodian/scheduling/contracts';
import { RECORDS_PATTERNS } from '@custodian/records/contracts';
import { RecordsClient } from '../records/records.client';
import { AUDIT_PATTERNS } from '@custodian/audit/contracts';
import { AuditClient } from '../audit/audit.client';
import { BlocklistCache } from '../security/blocklist-cache';

class CheckDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ required: false }) detail?: string;
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ type: [CheckDto] }) checks!: CheckDto[];
}

@ApiTags('health')
@Controller('health')
export class HealthHttpController {
  constructor(
    private readonly identity: IdentityClient,
    private readonly principals: PrincipalCache,
    private readonly scheduling: SchedulingClient,
    private readonly records: RecordsClient,
    private readonly audit: AuditClient,
    private readonly blocklist: BlocklistCache,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  @ApiResponse({ status: 200, type: HealthResponseDto })
  live(): HealthResponseDto {
    return { status: 'up', checks: [{ name: 'gateway', status: 'up' }] };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: every service answers and reaches its database, and the access-change feed is followed (audit and the blocklist feed are reported, not gating: activity is spooled while audit is down)' })
  @ApiResponse({ status: 200, type: HealthResponseDto })
  @ApiResponse({ status: 503, type: HealthResponseDto })
  async ready(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponseDto> {
    const checks: CheckDto[] = [{ name: 'gateway', status: 'up' }];
    try {
      const identity = await this.identity.send(IDENTITY_PATTERNS.health, {}, requestMeta(req));
      checks.push({ name: 'identity', status: identity.status }, ...identity.checks.map((c) => ({ ...c, name: `identity.${c.name}` })));
    } catch (error) {
      checks.push({ name: 'identity', status: 'down', detail: error instanceof Error ? error.message : String(error) });
    }
    try {
      const scheduling = await this.scheduling.send(SCHEDULING_PATTERNS.health, {}, requestMeta(req));
      checks.push({ name: 'scheduling', status: scheduling.status }, ...scheduling.checks.map((c) => ({ ...c, name: `scheduling.${c.name}` })));
    } catch (error) {
      checks.push({ name: 'scheduling', status: 'down', detail: error instanceof Error ? error.message : String(error) });
    }
    try {
      const records = await this.records.send(RECORDS_PATTERNS.health, {}, requestMeta(req));
      checks.push({ name: 'records', status: records.status }, ...records.checks.map((c) => ({ ...c, name: `records.${c.name}` })));
    } catch (error) {
      checks.push({ name: 'records', status: 'down', detail: error instanceof Error ? error.message : String(error) });
    }
    // Audit is reported but does not gate readiness: while it is down requests are served and
    // their activity waits in the durable spool (the blocklist keeps its last known state).
    const informational: CheckDto[] = [];
    try {
      const audit = await this.audit.send(AUDIT_PATTERNS.health, {}, requestMeta(req));
      informational.push({ name: 'audit', status: audit.status }, ...audit.checks.map((c) => ({ ...c, name: `audit.${c.name}` })));
    } catch (error) {
      informational.push({ name: 'audit', status: 'down', detail: error instanceof Error ? error.message : String(error) });
    }
    informational.push(this.blocklist.live ? { name: 'gateway.blocklist-feed', status: 'up' } : { name: 'gateway.blocklist-feed', status: 'down', detail: 'not following the audit blocklist feed' });
    // Without the feed the gateway still answers correctly (no cached principals), but a feed that
    // stays down while identity answers is a fault worth a probe failure.
    checks.push(this.principals.live ? { name: 'gateway.access-feed', status: 'up' } : { name: 'gateway.access-feed', status: 'down', detail: 'not following identity access changes' });
    const status = checks.every((c) => c.status === 'up') ? 'up' : 'down';
    void reply.status(status === 'up' ? 200 : 503);
    return { status, checks: [...checks, ...informational] };
  }
}
