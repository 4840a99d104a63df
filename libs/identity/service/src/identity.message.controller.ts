import { Controller, Inject, type LoggerService } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  IDENTITY_PATTERNS,
  type CreateTenantRequest,
  type HealthResponse,
  type JwksResponse,
  type LoginRequest,
  type MeRequest,
  type ServiceRequest,
} from '@custodian/identity/contracts';
import { serve } from './infra/service-reply';
import { IdentityService, LOGGER } from './identity.service';

/** The identity service's message patterns (gateway → identity over TCP). */
@Controller()
export class IdentityMessageController {
  constructor(
    private readonly service: IdentityService,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  @MessagePattern(IDENTITY_PATTERNS.createTenant)
  createTenant(@Payload() request: ServiceRequest<CreateTenantRequest>) {
    return serve(IDENTITY_PATTERNS.createTenant, request, this.logger, (r) => this.service.createTenant.handle(r));
  }

  @MessagePattern(IDENTITY_PATTERNS.login)
  login(@Payload() request: ServiceRequest<LoginRequest>) {
    return serve(IDENTITY_PATTERNS.login, request, this.logger, (r) => this.service.login.handle(r));
  }

  @MessagePattern(IDENTITY_PATTERNS.me)
  me(@Payload() request: ServiceRequest<MeRequest>) {
    return serve(IDENTITY_PATTERNS.me, request, this.logger, (r) => this.service.me.handle(r));
  }

  @MessagePattern(IDENTITY_PATTERNS.jwks)
  jwks(@Payload() request: ServiceRequest<Record<string, never>>) {
    return serve(IDENTITY_PATTERNS.jwks, request, this.logger, (): Promise<JwksResponse> => this.service.tokens.jwks());
  }

  @MessagePattern(IDENTITY_PATTERNS.health)
  health(@Payload() request: ServiceRequest<Record<string, never>>) {
    return serve(IDENTITY_PATTERNS.health, request, this.logger, (): Promise<HealthResponse> => this.service.health());
  }
}
