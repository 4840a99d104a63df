import type { LoggerService } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { PostgresEventStore } from '@custodian/event-store';
import type { HealthResponse } from '@custodian/identity/contracts';
import { createPool, migrate, SpanAttributes, tracer, withSpan } from '@custodian/platform';
import { cryptoMigrations } from '@custodian/crypto';
import { eventStoreMigrations } from '@custodian/event-store';
import { projectionMigrations } from '@custodian/projections';
import { identityMigrations } from './infra/identity.migrations';
import { ProjectionRunner } from '@custodian/projections';
import { CreateTenantHandler } from './create-tenant/create-tenant.handler';
import type { IdentityConfig } from './identity.config';
import { IdentityCommands } from './infra/identity-store';
import { PasswordHasher } from './infra/password-hasher';
import { TokenIssuer } from './infra/token-issuer';
import { LoginHandler } from './login/login.handler';
import { MeHandler } from './me/me.handler';
import { AccessChangeFeed } from './access/access-change-feed';
import { SecurityActionsHandler } from './security/security-actions.handler';
import { PrincipalHandler } from './access/principal.handler';
import { ApiKeysHandler } from './api-keys/api-keys.handler';
import { AuthorityReader } from './infra/authority';
import { TransferOwnershipHandler } from './ownership/transfer-ownership.handler';
import { SessionsHandler } from './sessions/sessions.handler';
import { CreateUserHandler } from './users/create-user.handler';
import { UserAdminHandler } from './users/user-admin.handler';
import { UserDirectory } from './users/user-directory';
import { UserQueriesHandler } from './users/user-queries.handler';
import { IDENTITY_READ_MODEL_ENTITIES } from './read-model/identity.entities';
import { identityProjection } from './read-model/identity.projection';

const storeTracer = tracer('custodian.event-store');

/**
 * Everything the identity service runs on, wired once: the runtime-role pool, the event store
 * (appends traced as spans), the personal-data cipher, the read-model DataSource and its
 * projection runner, and the use-case handlers. `start` begins projecting; `close` stops all.
 */
export class IdentityService {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly dataSource: DataSource;
  readonly projection: ProjectionRunner;
  readonly tokens: TokenIssuer;
  readonly createTenant: CreateTenantHandler;
  readonly login: LoginHandler;
  readonly me: MeHandler;
  readonly authority: AuthorityReader;
  readonly principal: PrincipalHandler;
  readonly accessChanges: AccessChangeFeed;
  readonly sessions: SessionsHandler;
  readonly createUser: CreateUserHandler;
  readonly userQueries: UserQueriesHandler;
  readonly userAdmin: UserAdminHandler;
  readonly ownership: TransferOwnershipHandler;
  readonly apiKeys: ApiKeysHandler;
  readonly securityActions: SecurityActionsHandler;

  constructor(
    private readonly config: IdentityConfig,
    private readonly logger: LoggerService,
  ) {
    this.pool = createPool({ connectionString: config.databaseUrl, max: 10, applicationName: 'custodian-identity' });
    this.store = new PostgresEventStore(this.pool, {
      onAppend: (streamId, count, work) => withSpan(storeTracer, 'event-store.append', { [SpanAttributes.streamId]: streamId, [SpanAttributes.eventCount]: count }, work),
    });
    this.dataSource = new DataSource({
      type: 'postgres',
      url: config.databaseUrl,
      entities: IDENTITY_READ_MODEL_ENTITIES,
      synchronize: false,
      extra: { max: 5, options: '-c role=custodian_runtime', application_name: 'custodian-identity-rm' },
    });
    const cipher = new PersonalDataCipher(new PostgresSubjectKeyStore(this.pool), config.masterKey);
    const passwords = new PasswordHasher();
    const commands = new IdentityCommands(this.store);
    this.tokens = new TokenIssuer(this.pool, cipher, config.accessTokenTtlSeconds, config.refreshTokenTtlSeconds);
    this.projection = new ProjectionRunner(this.store, this.dataSource, identityProjection, {
      onError: (error, name) => logger.error({ msg: 'projection batch failed; retrying', projection: name, err: error instanceof Error ? error.message : String(error) }, 'Projection'),
    });
    // Read-your-writes: wait for everything committed before the request (not just the final prefix).
    const committedHead = () => this.store.headPosition();
    this.authority = new AuthorityReader(this.store, this.pool);
    this.createTenant = new CreateTenantHandler(commands, cipher, passwords, config.masterKey);
    this.login = new LoginHandler(commands, this.authority, cipher, passwords, this.tokens, config.masterKey, config.lockout);
    this.me = new MeHandler(this.dataSource, this.store, this.projection, cipher);
    this.principal = new PrincipalHandler(this.authority);
    this.accessChanges = new AccessChangeFeed(this.store, {
      onError: (error) => logger.error({ msg: 'access-change feed stopped; restarting (gateways will reset their caches)', err: error instanceof Error ? error.message : String(error) }, 'AccessChangeFeed'),
    });
    this.sessions = new SessionsHandler(commands, this.authority, this.tokens, cipher, passwords);
    this.createUser = new CreateUserHandler(commands, this.authority, cipher, passwords, config.masterKey, config.activationTtlSeconds);
    this.userQueries = new UserQueriesHandler(this.authority, new UserDirectory(this.dataSource, cipher, config.masterKey), this.projection, committedHead);
    this.userAdmin = new UserAdminHandler(commands, this.authority);
    this.ownership = new TransferOwnershipHandler(commands, this.authority);
    this.apiKeys = new ApiKeysHandler(commands, this.authority, this.dataSource, this.projection, committedHead);
    this.securityActions = new SecurityActionsHandler(commands);
  }

  /** Applies the schema this service needs (as the connection's owner role), then starts projecting. */
  async start(): Promise<void> {
    const owner = createPool({ connectionString: this.config.databaseUrl, runtimeRole: false, max: 1, applicationName: 'custodian-identity-migrate' });
    try {
      await migrate(owner, [...eventStoreMigrations, ...projectionMigrations, ...cryptoMigrations, ...identityMigrations], (m) => this.logger.log(m, 'Migrations'));
    } finally {
      await owner.end();
    }
    await this.dataSource.initialize();
    // Fails fast with master_key_mismatch when CUSTODIAN_MASTER_KEY is not the key the stored
    // signing key was wrapped with (instead of serving 401s to every login).
    await this.tokens.jwks();
    await this.projection.start();
    await this.accessChanges.start();
  }

  async health(): Promise<HealthResponse> {
    const checks: HealthResponse['checks'] = [];
    try {
      await this.pool.query('SELECT 1');
      checks.push({ name: 'database', status: 'up' });
    } catch (error) {
      checks.push({ name: 'database', status: 'down', detail: error instanceof Error ? error.message : String(error) });
    }
    return { status: checks.every((c) => c.status === 'up') ? 'up' : 'down', checks };
  }

  /** Stops projecting and releases connections; safe after a failed start. */
  async close(): Promise<void> {
    await this.accessChanges.stop();
    await this.projection.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.pool.end();
  }
}
