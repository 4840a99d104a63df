import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { BootstrapToken } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';
import { CreateTenantRequestDto, CreateTenantResponseDto } from './create-tenant.request.dto';

@ApiTags('tenants')
@Controller('v1/tenants')
export class CreateTenantHttpController {
  constructor(private readonly identity: IdentityClient) {}

  @Post()
  @HttpCode(201)
  @BootstrapToken()
  @ApiBearerAuth('bootstrap')
  @ApiOperation({ summary: 'Create a tenant and its owner (operator bootstrap token)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first result' })
  @ApiResponse({ status: 201, type: CreateTenantResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Invalid body' })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or wrong bootstrap token' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'Tenant name already taken' })
  async create(@Body() body: CreateTenantRequestDto, @Req() req: FastifyRequest): Promise<CreateTenantResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.createTenant, { name: body.name, owner: { ...body.owner } }, requestMeta(req));
  }
}
