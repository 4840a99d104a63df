import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';
import { BlocklistCache } from '../security/blocklist-cache';
import { clientOf } from './caller';
import { LoginRequestDto, LoginResponseDto } from './login.request.dto';
import { Public } from './route-access.decorator';

@ApiTags('auth')
@Controller('v1/auth')
export class LoginHttpController {
  constructor(
    private readonly identity: IdentityClient,
    private readonly blocklist: BlocklistCache,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Exchange email and password for tokens' })
  @ApiResponse({ status: 200, type: LoginResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Wrong email or password (indistinguishable)' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: '`ip_blocked`: the tenant blocked the client address' })
  async login(@Body() body: LoginRequestDto, @Req() req: FastifyRequest): Promise<LoginResponseDto> {
    const client = clientOf(req);
    this.blocklist.assertAllowed(body.tenantId, client.ip);
    return this.identity.send(IDENTITY_PATTERNS.login, { ...body, ip: client.ip, userAgent: client.userAgent }, requestMeta(req));
  }
}
