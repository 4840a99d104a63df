import type { LoggerService } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { AuditHealthResponse, PublicKeyView } from '@custodian/audit/contracts';
import { cryptoMigrations, PersonalDataCipher, PostgresSubjectKeyStore } from '@custodian/crypto';
import { eventStoreMigrations, PostgresEventStore } from '@custodian/event-store';
import type { IdentityMessages } from '@custodian/identity/contracts';
import { createPool, migrate, ServiceClient } from '@custodian/platform';
import { projectionMigrations, ProjectionRunner, readModelAt } from '@custodian/projections';
import { ActivityLog } from './activity/activity-log';
import type { AuditConfig } from './audit.config';
import { IncidentsHandler, incidentsProjection } from './incidents/incidents.handler';
import { auditMigrations } from './infra/audit.migrations';
import { messagingMigrations, PostgresLogBus, type MessageBus } from '@custodian/messaging';
import { CheckpointSigner } from './ledger/checkpoint-signer';
import { Ledger } from './ledger/ledger';
import { LedgerQueries } from './ledger/ledger-queries';
import { BlocklistHandler } from './security/blocklist.handler';
import { SecurityMonitor } from './security/security-monitor';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhooksHandler } from './webhooks/webhooks.handler';
import { webhookMigrations } from './webhooks/webhooks.migrations';

/**
 * Everything the audit service runs on, wired once: the ledger over the platform's log, the
 * activity log, the security monitor (blocklist, rules, actions), incidents and webhooks.
 */
export class AuditService {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly dataSource: DataSource;
  readonly signer: CheckpointSigner;
  readonly ledger: Ledger;
  readonly ledgerQueries: LedgerQueries;
  readonly activity: ActivityLog;
  readonly blocklist: BlocklistHandler;
  readonly incidents: IncidentsHandler;
  readonly monitor: SecurityMonitor;
  readonly incidentsProjection: ProjectionRunner;
  readonly bus: MessageBus;
  readonly webhooks: WebhooksHandler;
  readonly webhookDispatcher: WebhookDispatcher;
  private readonly identity: ServiceClient<IdentityMessages>;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AuditConfig,
    private readonly logger: LoggerService,
  ) {
    this.pool = createPool({ connectionString: config.databaseUrl, max: 10, applicationName: 'custodian-audit' });
    this.store = new PostgresEventStore(this.pool);
    this.dataSource = new DataSource({ type: 'postgres', url: config.databaseUrl, entities: [], synchronize: false, extra: { max: 5, options: '-c role=custodian_runtime', application_name: 'custodian-audit-rm' } });
    const cipher = new PersonalDataCipher(new PostgresSubjectKeyStore(this.pool), config.masterKey);
    const log = {
      warn: (msg: string, detail: Record<string, unknown> = {}) => logger.warn({ msg, ...detail }, 'Audit'),
      error: (msg: string, detail: Record<string, unknown> = {}) => logger.error({ msg, ...detail }, 'Audit'),
    };
    this.signer = new CheckpointSigner(this.pool, cipher);
    this.ledger = new Ledger(this.pool, this.store, this.signer, { ...config.ledger, log });
    this.ledgerQueries = new LedgerQueries(this.pool, this.store, this.ledger);
    const onError = (error: unknown, name: string) => logger.error({ msg: 'projection batch failed; retrying', projection: name, err: error instanceof Error ? error.message : String(error) }, 'Projection');
    this.incidentsProjection = new ProjectionRunner(this.store, this.dataSource, incidentsProjection, { onError });
    this.incidents = new IncidentsHandler(this.store, this.dataSource, cipher, async () => readModelAt(this.incidentsProjection, await this.store.headPosition()));
    this.blocklist = new BlocklistHandler(this.store);
    this.identity = new ServiceClient<IdentityMessages>('identity', ClientProxyFactory.create({ transport: Transport.TCP, options: config.identity }), 10_000);
    this.monitor = new SecurityMonitor(this.pool, this.dataSource, config.rules, this.blocklist, this.incidents, this.identity, log, undefined, config.monitorGroup);
    // The monitor needs what public topics withhold (client addresses): it consumes the platform's
    // own log through the bus port's Postgres adapter, whatever KAFKA_BROKERS says (Kafka carries
    // public payloads for integrators).
    this.bus = new PostgresLogBus(this.store, this.pool);
    this.webhookDispatcher = new WebhookDispatcher(this.pool, this.store, cipher, { log });
    this.webhooks = new WebhooksHandler(this.pool, this.store, cipher, (webhookId) => this.webhookDispatcher.changed(webhookId));
    this.activity = new ActivityLog(this.dataSource, (entries, manager) => this.monitor.onActivity(entries, manager), () => this.monitor.wake());
  }

  /** Applies the schema (as the connection's owner), loads the ledger and starts every loop. */
  async start(): Promise<void> {
    const owner = createPool({ connectionString: this.config.databaseUrl, runtimeRole: false, max: 1, applicationName: 'custodian-audit-migrate' });
    try {
      await migrate(owner, [...eventStoreMigrations, ...projectionMigrations, ...cryptoMigrations, ...messagingMigrations, ...auditMigrations, ...webhookMigrations], (m) => this.logger.log(m, 'Migrations'));
    } finally {
      await owner.end();
    }
    await this.dataSource.initialize();
    await this.signer.load();
    await this.ledger.start();
    await this.incidentsProjection.start();
    this.blocklist.start((error) => this.logger.error({ msg: 'blocklist subscription stopped', err: error instanceof Error ? error.message : String(error) }, 'Blocklist'));
    await this.monitor.followLogins(this.bus, (error) => this.logger.warn({ msg: 'security monitor consumer error; retrying', err: error instanceof Error ? error.message : String(error) }, 'SecurityMonitor'));
    this.monitor.start();
    this.webhookDispatcher.start();
    this.deadlineTimer = setInterval(() => void this.sweepDeadlines(), this.config.deadlineSweepMs);
    this.deadlineTimer.unref();
  }

  publicKey(): PublicKeyView {
    const key = this.signer.publicKey;
    return { keyId: key.keyId, algorithm: 'Ed25519', publicKeyPem: key.publicKeyPem, origin: this.config.ledger.origin };
  }

  /** Raises due breach-deadline alerts (also on the timer) and logs each as a warning. */
  async sweepDeadlines(): Promise<number> {
    try {
      return await this.incidents.alertDeadlines((tenantId, incidentId, threshold, deadline) =>
        this.logger.warn({ msg: 'breach notification deadline approaching', tenantId, incidentId, threshold, deadline }, 'Incidents'),
      );
    } catch (error) {
      this.logger.error({ msg: 'breach deadline sweep failed', err: error instanceof Error ? error.message : String(error) }, 'Incidents');
      return 0;
    }
  }

  async health(): Promise<AuditHealthResponse> {
    const checks: AuditHealthResponse['checks'] = [];
    try {
      await this.pool.query('SELECT 1');
      checks.push({ name: 'database', status: 'up' });
    } catch (error) {
      checks.push({ name: 'database', status: 'down', detail: error instanceof Error ? error.message : String(error) });
    }
    const failure = this.ledger.failure;
    checks.push(failure ? { name: 'ledger', status: 'down', detail: failure } : { name: 'ledger', status: 'up' });
    return { status: checks.every((c) => c.status === 'up') ? 'up' : 'down', checks };
  }

  async close(): Promise<void> {
    if (this.deadlineTimer) clearInterval(this.deadlineTimer);
    await this.webhookDispatcher.stop();
    await this.monitor.stop();
    await this.blocklist.stop();
    await this.bus.close();
    await this.incidentsProjection.stop();
    await this.ledger.stop();
    await this.identity.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.pool.end();
  }
}
