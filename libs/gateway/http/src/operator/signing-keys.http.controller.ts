import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { BootstrapToken } from '../auth/route-access.decorator';
import { ErrorResponseDto } from '../http/error-response';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';

export class RotateSigningKeyResponseDto {
  @ApiProperty({ description: 'The new key id, now in the JWKS and signing' }) kid!: string;
  @ApiProperty({ type: [String], description: 'Retired keys: they stay in the JWKS until every token they signed has expired' }) previousKids!: string[];
}

/** Platform operator actions (bootstrap token), not tenant ones. */
@ApiTags('operator')
@ApiBearerAuth('bootstrap')
@Controller('v1/operator')
export class SigningKeysHttpController {
  constructor(private readonly identity: IdentityClient) {}

  @Post('signing-keys/rotate')
  @HttpCode(200)
  @BootstrapToken()
  @ApiOperation({ summary: 'Rotate the access-token signing key' })
  @ApiResponse({ status: 200, type: RotateSigningKeyResponseDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto })
  rotate(@Req() req: FastifyRequest): Promise<RotateSigningKeyResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.rotateSigningKey, {}, requestMeta(req));
  }
}
