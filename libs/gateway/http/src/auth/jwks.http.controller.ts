import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { requestMeta } from '../http/request-meta';
import { IdentityClient } from '../identity/identity.client';
import { Public } from './route-access.decorator';

class JwkDto {
  @ApiProperty({ example: 'OKP' }) kty!: string;
  @ApiProperty({ example: 'Ed25519' }) crv!: string;
  @ApiProperty() x!: string;
  @ApiProperty() kid!: string;
  @ApiProperty({ example: 'EdDSA' }) alg!: string;
  @ApiProperty({ example: 'sig' }) use!: string;
}

export class JwksResponseDto {
  @ApiProperty({ type: [JwkDto] }) keys!: JwkDto[];
}

@ApiTags('auth')
@Controller('v1/.well-known')
export class JwksHttpController {
  constructor(private readonly identity: IdentityClient) {}

  @Get('jwks.json')
  @Public()
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({ summary: 'Public keys that sign access tokens (RFC 7517)' })
  @ApiResponse({ status: 200, type: JwksResponseDto })
  async jwks(@Req() req: FastifyRequest): Promise<JwksResponseDto> {
    return this.identity.send(IDENTITY_PATTERNS.jwks, {}, requestMeta(req));
  }
}
