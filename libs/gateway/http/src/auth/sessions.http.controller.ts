import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IsDefined, IsString, MaxLength, MinLength } from 'class-validator';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';
import { clientOf } from './caller';
import { LoginResponseDto } from './login.request.dto';
import { Public } from './route-access.decorator';

export class RefreshRequestDto {
  @ApiProperty()
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken!: string;
}

export class ActivateRequestDto {
  @ApiProperty({ description: 'The activation token returned when the user was invited' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token!: string;

  @ApiProperty({ minLength: 12, maxLength: 256 })
  @IsDefined()
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password!: string;
}

export class ActivateResponseDto {
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
}


/** Session lifecycle after login: invite activation, refresh-token rotation, logout. */
@ApiTags('auth')
@Controller('v1/auth')
export class SessionsHttpController {
  constructor(private readonly identity: IdentityClient) {}

  @Post('activate')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'An invited user sets a password with the one-time activation token, then logs in' })
  @ApiResponse({ status: 200, type: ActivateResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'invalid_activation_token: wrong, used or expired' })
  activate(@Body() body: ActivateRequestDto, @Req() req: FastifyRequest): Promise<ActivateResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.activate, { token: body.token, password: body.password }, requestMeta(req));
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair. Each refresh token works once; presenting a spent one revokes the whole session.' })
  @ApiResponse({ status: 200, type: LoginResponseDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'invalid_refresh_token' })
  refresh(@Body() body: RefreshRequestDto, @Req() req: FastifyRequest): Promise<LoginResponseDto> {
    const client = clientOf(req);
    return this.identity.send(IDENTITY_PATTERNS.refresh, { refreshToken: body.refreshToken, ip: client.ip, userAgent: client.userAgent }, requestMeta(req));
  }

  @Post('logout')
  @HttpCode(204)
  @Public()
  @ApiOperation({ summary: "End the refresh token's session: its refresh and access tokens stop working at once (204 also for an unknown token)" })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  async logout(@Body() body: RefreshRequestDto, @Req() req: FastifyRequest): Promise<void> {
    await this.identity.send(IDENTITY_PATTERNS.logout, { refreshToken: body.refreshToken }, requestMeta(req));
  }
}
