import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { ACCESS_LEVELS, IDENTITY_PATTERNS, MODULES, type ApiKeyGrant } from '@custodian/identity/contracts';
import { Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';
import { GrantDto } from '../users/users.dto';

class ApiKeyGrantDto {
  @ApiProperty({ enum: MODULES })
  @IsDefined()
  @IsIn(MODULES)
  module!: ApiKeyGrant['module'];

  @ApiProperty({ enum: ACCESS_LEVELS })
  @IsDefined()
  @IsIn(ACCESS_LEVELS)
  access!: ApiKeyGrant['access'];

  @ApiProperty({ oneOf: [{ type: 'string', enum: ['all'] }, { type: 'array', items: { type: 'string' }, minItems: 1 }] })
  @IsDefined()
  locations!: ApiKeyGrant['locations'];
}

export class CreateApiKeyRequestDto {
  @ApiProperty({ example: 'Payroll export', maxLength: 200 })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: [ApiKeyGrantDto], description: 'Each must be held by you; the key never acts beyond what you hold' })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(6)
  @ValidateNested({ each: true })
  @Type(() => ApiKeyGrantDto)
  grants!: ApiKeyGrantDto[];

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class ApiKeyViewDto {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ type: [GrantDto] }) grants!: GrantDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status!: string;
}

export class CreateApiKeyResponseDto extends ApiKeyViewDto {
  @ApiProperty({ description: 'Shown once. Send as `Authorization: ApiKey <secret>`' }) secret!: string;
}

export class ListApiKeysResponseDto {
  @ApiProperty({ type: [ApiKeyViewDto] }) items!: ApiKeyViewDto[];
}

export class RotateApiKeyRequestDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 604800, default: 0, description: 'Seconds the previous secret keeps working' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800)
  overlapSeconds?: number;
}

export class RotateApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ description: 'Shown once' }) secret!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) previousValidUntil!: string | null;
}

export class KeyIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}

/** API keys for integrators: managed by signed-in users holding security:manage. */
@ApiTags('api-keys')
@ApiBearerAuth('access-token')
@ApiResponse({ status: 401, type: ErrorResponseDto })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'security:manage required; API keys cannot manage keys' })
@Controller('v1/api-keys')
export class ApiKeysHttpController {
  constructor(private readonly identity: IdentityClient) {}

  @Post()
  @HttpCode(201)
  @Requires('security', 'manage', { usersOnly: true })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Create an API key; the secret is returned once and only its hash is stored' })
  @ApiResponse({ status: 201, type: CreateApiKeyResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'secret_already_shown: a retry of a create that succeeded (same Idempotency-Key); rotate for a new secret' })
  create(@Body() body: CreateApiKeyRequestDto, @Req() req: FastifyRequest): Promise<CreateApiKeyResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.createApiKey, { name: body.name, grants: body.grants.map((g) => ({ ...g })), ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}) }, requestMeta(req));
  }

  @Get()
  @Requires('security', 'manage', { usersOnly: true })
  @ApiOperation({ summary: "The tenant's API keys (never their secrets)" })
  @ApiResponse({ status: 200, type: ListApiKeysResponseDto })
  list(@Req() req: FastifyRequest): Promise<ListApiKeysResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.listApiKeys, {}, requestMeta(req));
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @Requires('security', 'manage', { usersOnly: true })
  @ApiOperation({ summary: 'A new secret; the previous one works for overlapSeconds (default 0: stops at once)' })
  @ApiResponse({ status: 200, type: RotateApiKeyResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  rotate(@Param() params: KeyIdParamsDto, @Body() body: RotateApiKeyRequestDto, @Req() req: FastifyRequest): Promise<RotateApiKeyResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.rotateApiKey, { keyId: params.id, ...(body?.overlapSeconds !== undefined ? { overlapSeconds: body.overlapSeconds } : {}) }, requestMeta(req));
  }

  @Delete(':id')
  @Requires('security', 'manage', { usersOnly: true })
  @ApiOperation({ summary: 'Revoke a key: it stops working at every gateway within a second (idempotent)' })
  @ApiResponse({ status: 200, type: ApiKeyViewDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  revoke(@Param() params: KeyIdParamsDto, @Req() req: FastifyRequest): Promise<ApiKeyViewDto> {
    return this.identity.send(IDENTITY_PATTERNS.revokeApiKey, { keyId: params.id }, requestMeta(req));
  }
}
