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
import { ApiKeysHttpController } from './api-keys/api-keys.http.controller';
import { PrincipalCache } from './auth/principal-cache';
import { SessionsHttpController } from './auth/sessions.http.controller';
import { SigningKeysHttpController } from './operator/signing-keys.http.controller';
import { UsersHttpController } from './users/users.http.controller';
import { ChecklistsHttpController } from './scheduling/checklists.http.controller';
import { LocationsHttpController } from './scheduling/locations.http.controller';
import { SCHEDULING_TRANSPORT, SchedulingClient } from './scheduling/scheduling.client';
import { ShiftsHttpController } from './scheduling/shifts.http.controller';
import { RECORDS_TRANSPORT, RecordsClient } from './records/records.client';
import { RecordsHttpController } from './records/records.http.controller';
import { ReportsHttpController } from './records/reports.http.controller';
import { CreateTenantHttpController } from './tenants/create-tenant.http.controller';
import { AUDIT_TRANSPORT, AuditClient } from './audit/audit.client';
import { AuditHttpController, LedgerOperatorHttpController } from './audit/audit.http.controller';
import { ActivityRecorder } from './activity/activity-recorder';
import { BlocklistCache } from './security/blocklist-cache';
import { IncidentsHttpController, SecurityHttpController } from './security/security.http.controller';
import { WebhooksClient } from './webhooks/webhooks.client';
import { WebhooksHttpController } from './webhooks/webhooks.http.controller';

/** Every HTTP route of the public API. */
@Module({})
export class GatewayModule {
  static forConfig(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [DiscoveryModule],
      controllers: [
        CreateTenantHttpController,
        LoginHttpController,
        SessionsHttpController,
        MeHttpController,
        UsersHttpController,
        ApiKeysHttpController,
        SigningKeysHttpController,
        LocationsHttpController,
        ChecklistsHttpController,
        ShiftsHttpController,
        RecordsHttpController,
        ReportsHttpController,
        AuditHttpController,
        LedgerOperatorHttpController,
        SecurityHttpController,
        IncidentsHttpController,
        WebhooksHttpController,
        JwksHttpController,
        HealthHttpController,
      ],
      providers: [
        { provide: GatewayConfig, useValue: config },
        {
          provide: IDENTITY_TRANSPORT,
          useFactory: () => ClientProxyFactory.create({ transport: Transport.TCP, options: { host: config.identity.host, port: config.identity.port } }),
        },
        IdentityClient,
        {
          provide: SCHEDULING_TRANSPORT,
          useFactory: () => ClientProxyFactory.create({ transport: Transport.TCP, options: { host: config.scheduling.host, port: config.scheduling.port } }),
        },
        SchedulingClient,
        {
          provide: RECORDS_TRANSPORT,
          useFactory: () => ClientProxyFactory.create({ transport: Transport.TCP, options: { host: config.records.host, port: config.records.port } }),
        },
        RecordsClient,
        {
          provide: AUDIT_TRANSPORT,
          useFactory: () => ClientProxyFactory.create({ transport: Transport.TCP, options: { host: config.audit.host, port: config.audit.port } }),
        },
        AuditClient,
        WebhooksClient,
        ActivityRecorder,
        BlocklistCache,
        AccessTokenVerifier,
        PrincipalCache,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: TracingInterceptor },
      ],
    };
  }
}
