import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS, MODULES, ACCESS_LEVELS } from '@custodian/identity/contracts';
import { Authenticated } from '../auth/route-access.decorator';
import { CurrentCaller, type Caller } from '../auth/caller';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';

class GrantDto {
  @ApiProperty({ enum: MODULES }) module!: string;
  @ApiProperty({ enum: ACCESS_LEVELS }) access!: string;
  @ApiProperty({ oneOf: [{ type: 'string', enum: ['all'] }, { type: 'array', items: { type: 'string', format: 'uuid' } }] }) locations!: 'all' | string[];
}

export class MeResponseDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [GrantDto] }) grants!: GrantDto[];
}

@ApiTags('auth')
@Controller('v1/me')
export class MeHttpController {
  constructor(private readonly identity: IdentityClient) {}

  @Get()
  @Authenticated()
  @ApiBearerAuth('access-token')
  @ApiOperation({ summary: 'The caller: profile and module grants' })
  @ApiResponse({ status: 200, type: MeResponseDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto })
  async me(@CurrentCaller() caller: Caller, @Req() req: FastifyRequest): Promise<MeResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.me, { userId: caller.userId, tenantId: caller.tenantId }, requestMeta(req));
  }
}
