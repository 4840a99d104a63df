import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { Requires } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';
import {
  CreateUserRequestDto,
  CreateUserResponseDto,
  GrantParamsDto,
  GrantsResponseDto,
  ListUsersQueryDto,
  ListUsersResponseDto,
  PutGrantRequestDto,
  TransferOwnershipRequestDto,
  TransferOwnershipResponseDto,
  UserIdParamsDto,
  UserStatusResponseDto,
  UserViewDto,
} from './users.dto';

const NOT_FOUND = 'Absent, in another tenant, or outside your users locations (indistinguishable)';

/** Users and their module grants. Reads need users:read, changes users:manage; objects outside the caller's scope are 404. */
@ApiTags('users')
@ApiBearerAuth('access-token')
@ApiSecurity('api-key')
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, invalid, expired or revoked credentials' })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'The caller lacks the module access this route needs' })
@Controller('v1')
export class UsersHttpController {
  constructor(private readonly identity: IdentityClient) {}

  @Post('users')
  @HttpCode(201)
  @Requires('users', 'manage')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Create a user (with a password) or invite one (without: returns a one-time activation token)' })
  @ApiResponse({ status: 201, type: CreateUserResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'email_taken' })
  create(@Body() body: CreateUserRequestDto, @Req() req: FastifyRequest): Promise<CreateUserResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.createUser, { email: body.email, name: body.name, ...(body.password !== undefined ? { password: body.password } : {}) }, requestMeta(req));
  }

  @Get('users')
  @Requires('users', 'read')
  @ApiOperation({ summary: 'Users inside your users locations, oldest first (keyset pagination; no totals)' })
  @ApiResponse({ status: 200, type: ListUsersResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  list(@Query() query: ListUsersQueryDto, @Req() req: FastifyRequest): Promise<ListUsersResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.listUsers, { ...query }, requestMeta(req));
  }

  @Get('users/:id')
  @Requires('users', 'read')
  @ApiOperation({ summary: 'One user with grants, status and any lock' })
  @ApiResponse({ status: 200, type: UserViewDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  get(@Param() params: UserIdParamsDto, @Req() req: FastifyRequest): Promise<UserViewDto> {
    return this.identity.send(IDENTITY_PATTERNS.getUser, { userId: params.id }, requestMeta(req));
  }

  @Post('users/:id/disable')
  @HttpCode(200)
  @Requires('users', 'manage')
  @ApiOperation({ summary: "Disable a user: every token, session and API key of theirs stops working within a second (idempotent)" })
  @ApiResponse({ status: 200, type: UserStatusResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'owner_cannot_be_disabled, cannot_disable_self' })
  disable(@Param() params: UserIdParamsDto, @Req() req: FastifyRequest): Promise<UserStatusResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.disableUser, { userId: params.id }, requestMeta(req));
  }

  @Post('users/:id/enable')
  @HttpCode(200)
  @Requires('users', 'manage')
  @ApiOperation({ summary: 'Enable a disabled user (idempotent)' })
  @ApiResponse({ status: 200, type: UserStatusResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  enable(@Param() params: UserIdParamsDto, @Req() req: FastifyRequest): Promise<UserStatusResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.enableUser, { userId: params.id }, requestMeta(req));
  }

  @Get('users/:id/grants')
  @Requires('users', 'read')
  @ApiOperation({ summary: "A user's module grants" })
  @ApiResponse({ status: 200, type: GrantsResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  grants(@Param() params: UserIdParamsDto, @Req() req: FastifyRequest): Promise<GrantsResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.listGrants, { userId: params.id }, requestMeta(req));
  }

  @Put('users/:id/grants/:module')
  @Requires('users', 'manage')
  @ApiOperation({ summary: 'Grant (or replace) access to a module at some or all locations. Nobody can grant more than they hold.' })
  @ApiResponse({ status: 200, type: GrantsResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown module or access level, bad locations' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: "owner_access_fixed: the owner's access cannot be narrowed" })
  putGrant(@Param() params: GrantParamsDto, @Body() body: PutGrantRequestDto, @Req() req: FastifyRequest): Promise<GrantsResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.putGrant, { userId: params.id, module: params.module, access: body.access, locations: body.locations }, requestMeta(req));
  }

  @Delete('users/:id/grants/:module')
  @Requires('users', 'manage')
  @ApiOperation({ summary: 'Revoke a module grant. Idempotent: revoking a grant the user does not hold answers 200 with the current grants and records nothing.' })
  @ApiResponse({ status: 200, type: GrantsResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: "owner_access_fixed" })
  deleteGrant(@Param() params: GrantParamsDto, @Req() req: FastifyRequest): Promise<GrantsResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.deleteGrant, { userId: params.id, module: params.module }, requestMeta(req));
  }

  @Post('ownership/transfer')
  @HttpCode(200)
  @Requires('users', 'manage', { usersOnly: true })
  @ApiOperation({ summary: 'The owner hands ownership to an active user (never left empty)' })
  @ApiResponse({ status: 200, type: TransferOwnershipResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: NOT_FOUND })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'owner_must_be_active' })
  transfer(@Body() body: TransferOwnershipRequestDto, @Req() req: FastifyRequest): Promise<TransferOwnershipResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.transferOwnership, { toUserId: body.toUserId }, requestMeta(req));
  }
}
