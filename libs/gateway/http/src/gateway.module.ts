import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { AccessGuard } from './auth/access.guard';
import { AccessTokenVerifier } from './auth/access-token.verifier';
import { JwksHttpController } from './auth/jwks.http.controller';
import { LoginHttpController } from './auth/login.http.controller';
import { GatewayConfig } from './gateway.config';
import { HealthHttpController } from './health/health.http.controller';
import { IDENTITY_TRANSPORT, IdentityClient } from './identity/identity.client';
import { MeHttpController } from './me/me.http.controller';
import { TracingInterceptor } from './telemetry/tracing.interceptor';
import { CreateTenantHttpController } from './tenants/create-tenant.http.controller';

/** Every HTTP route of the public API. */
@Module({})
export class GatewayModule {
  static forConfig(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [DiscoveryModule],
      controllers: [CreateTenantHttpController, LoginHttpController, MeHttpController, JwksHttpController, HealthHttpController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        {
          provide: IDENTITY_TRANSPORT,
          useFactory: () => ClientProxyFactory.create({ transport: Transport.TCP, options: { host: config.identity.host, port: config.identity.port } }),
        },
        IdentityClient,
        AccessTokenVerifier,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: TracingInterceptor },
      ],
    };
  }
}
