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
  type AccessChangesRequest,
  type ActivateRequest,
  type ApiKeyRef,
  type CreateApiKeyRequest,
  type CreateUserRequest,
  type DeleteGrantRequest,
  type Empty,
  type ListUsersRequest,
  type LogoutRequest,
  type PrincipalRequest,
  type PutGrantRequest,
  type RefreshRequest,
  type RotateApiKeyRequest,
  type TransferOwnershipRequest,
  type UserRef,
  type SecuritySuspendUserRequest,
  type SecurityRevokeApiKeyRequest,
} from '@custodian/identity/contracts';
import { SERVICE_LOGGER, serve } from '@custodian/platform';
import { IdentityService } from './identity.service';

/** The identity service's message patterns (gateway → identity over TCP). */
@Controller()
export class IdentityMessageController {
  constructor(
    private readonly service: IdentityService,
    @Inject(SERVICE_LOGGER) private readonly logger: LoggerService,
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

  @MessagePattern(IDENTITY_PATTERNS.activate)
  activate(@Payload() r: ServiceRequest<ActivateRequest>) {
    return serve(IDENTITY_PATTERNS.activate, r, this.logger, (q) => this.service.sessions.activate(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.refresh)
  refresh(@Payload() r: ServiceRequest<RefreshRequest>) {
    return serve(IDENTITY_PATTERNS.refresh, r, this.logger, (q) => this.service.sessions.refresh(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.logout)
  logout(@Payload() r: ServiceRequest<LogoutRequest>) {
    return serve(IDENTITY_PATTERNS.logout, r, this.logger, (q) => this.service.sessions.logout(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.principal)
  principal(@Payload() r: ServiceRequest<PrincipalRequest>) {
    return serve(IDENTITY_PATTERNS.principal, r, this.logger, (q) => this.service.principal.handle(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.accessChanges)
  accessChanges(@Payload() r: ServiceRequest<AccessChangesRequest>) {
    return serve(IDENTITY_PATTERNS.accessChanges, r, this.logger, (q) => this.service.accessChanges.handle(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.createUser)
  createUser(@Payload() r: ServiceRequest<CreateUserRequest>) {
    return serve(IDENTITY_PATTERNS.createUser, r, this.logger, (q) => this.service.createUser.handle(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.listUsers)
  listUsers(@Payload() r: ServiceRequest<ListUsersRequest>) {
    return serve(IDENTITY_PATTERNS.listUsers, r, this.logger, (q) => this.service.userQueries.list(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.getUser)
  getUser(@Payload() r: ServiceRequest<UserRef>) {
    return serve(IDENTITY_PATTERNS.getUser, r, this.logger, (q) => this.service.userQueries.get(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.listGrants)
  listGrants(@Payload() r: ServiceRequest<UserRef>) {
    return serve(IDENTITY_PATTERNS.listGrants, r, this.logger, (q) => this.service.userQueries.grants(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.disableUser)
  disableUser(@Payload() r: ServiceRequest<UserRef>) {
    return serve(IDENTITY_PATTERNS.disableUser, r, this.logger, (q) => this.service.userAdmin.disable(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.enableUser)
  enableUser(@Payload() r: ServiceRequest<UserRef>) {
    return serve(IDENTITY_PATTERNS.enableUser, r, this.logger, (q) => this.service.userAdmin.enable(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.putGrant)
  putGrant(@Payload() r: ServiceRequest<PutGrantRequest>) {
    return serve(IDENTITY_PATTERNS.putGrant, r, this.logger, (q) => this.service.userAdmin.putGrant(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.deleteGrant)
  deleteGrant(@Payload() r: ServiceRequest<DeleteGrantRequest>) {
    return serve(IDENTITY_PATTERNS.deleteGrant, r, this.logger, (q) => this.service.userAdmin.deleteGrant(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.transferOwnership)
  transferOwnership(@Payload() r: ServiceRequest<TransferOwnershipRequest>) {
    return serve(IDENTITY_PATTERNS.transferOwnership, r, this.logger, (q) => this.service.ownership.handle(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.createApiKey)
  createApiKey(@Payload() r: ServiceRequest<CreateApiKeyRequest>) {
    return serve(IDENTITY_PATTERNS.createApiKey, r, this.logger, (q) => this.service.apiKeys.create(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.listApiKeys)
  listApiKeys(@Payload() r: ServiceRequest<Empty>) {
    return serve(IDENTITY_PATTERNS.listApiKeys, r, this.logger, (q) => this.service.apiKeys.list(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.rotateApiKey)
  rotateApiKey(@Payload() r: ServiceRequest<RotateApiKeyRequest>) {
    return serve(IDENTITY_PATTERNS.rotateApiKey, r, this.logger, (q) => this.service.apiKeys.rotate(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.revokeApiKey)
  revokeApiKey(@Payload() r: ServiceRequest<ApiKeyRef>) {
    return serve(IDENTITY_PATTERNS.revokeApiKey, r, this.logger, (q) => this.service.apiKeys.revoke(q));
  }

  /** Operator action (the gateway requires the bootstrap token). */
  @MessagePattern(IDENTITY_PATTERNS.rotateSigningKey)
  rotateSigningKey(@Payload() r: ServiceRequest<Empty>) {
    return serve(IDENTITY_PATTERNS.rotateSigningKey, r, this.logger, () => this.service.tokens.rotateSigningKey());
  }

  @MessagePattern(IDENTITY_PATTERNS.health)
  health(@Payload() request: ServiceRequest<Record<string, never>>) {
    return serve(IDENTITY_PATTERNS.health, request, this.logger, (): Promise<HealthResponse> => this.service.health());
  }

  @MessagePattern(IDENTITY_PATTERNS.securitySuspendUser)
  securitySuspendUser(@Payload() r: ServiceRequest<SecuritySuspendUserRequest>) {
    return serve(IDENTITY_PATTERNS.securitySuspendUser, r, this.logger, (q) => this.service.securityActions.suspendUser(q));
  }

  @MessagePattern(IDENTITY_PATTERNS.securityRevokeApiKey)
  securityRevokeApiKey(@Payload() r: ServiceRequest<SecurityRevokeApiKeyRequest>) {
    return serve(IDENTITY_PATTERNS.securityRevokeApiKey, r, this.logger, (q) => this.service.securityActions.revokeApiKey(q));
  }
}
