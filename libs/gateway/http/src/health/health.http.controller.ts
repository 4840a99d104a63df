import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { Public } from '../auth/route-access.decorator';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';

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
  constructor(private readonly identity: IdentityClient) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  @ApiResponse({ status: 200, type: HealthResponseDto })
  live(): HealthResponseDto {
    return { status: 'up', checks: [{ name: 'gateway', status: 'up' }] };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: every service answers and reaches its database' })
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
    const status = checks.every((c) => c.status === 'up') ? 'up' : 'down';
    void reply.status(status === 'up' ? 200 : 503);
    return { status, checks };
  }
}
