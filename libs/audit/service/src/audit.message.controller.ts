import { Controller, Inject, type LoggerService } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AUDIT_PATTERNS,
  type AddIncidentEntryRequest,
  type BlockIpRequest,
  type BlocklistFeedRequest,
  type CheckpointAtRequest,
  type ConsistencyProofRequest,
  type InclusionProofRequest,
  type IncidentRef,
  type ListActivityRequest,
  type ListIncidentsRequest,
  type ListNotificationsRequest,
  type OpenIncidentRequest,
  type RecordActivityRequest,
  type ReplayStreamRequest,
  type UnblockIpRequest,
  type UpdateIncidentRequest,
  WEBHOOK_PATTERNS,
  type CreateWebhookRequest,
  type ListWebhookDeliveriesRequest,
  type ListWebhooksRequest,
  type ReplayWebhookRequest,
  type UpdateWebhookRequest,
  type WebhookRef,
} from '@custodian/audit/contracts';
import type { ServiceRequest } from '@custodian/kernel';
import { ModuleCaller, SERVICE_LOGGER, serve } from '@custodian/platform';
import { AuditService } from './audit.service';
import { listNotifications } from './security/notifications';

type Empty = Record<string, never>;

/** The audit service's message patterns (gateway → audit over TCP). */
@Controller()
export class AuditMessageController {
  constructor(
    private readonly service: AuditService,
    @Inject(SERVICE_LOGGER) private readonly logger: LoggerService,
  ) {}

  @MessagePattern(AUDIT_PATTERNS.health)
  health(@Payload() r: ServiceRequest<Empty>) {
    return serve(AUDIT_PATTERNS.health, r, this.logger, () => this.service.health());
  }

  @MessagePattern(AUDIT_PATTERNS.recordActivity)
  recordActivity(@Payload() r: ServiceRequest<RecordActivityRequest>) {
    return serve(AUDIT_PATTERNS.recordActivity, r, this.logger, (q) => this.service.activity.record(q));
  }

  @MessagePattern(AUDIT_PATTERNS.listActivity)
  listActivity(@Payload() r: ServiceRequest<ListActivityRequest>) {
    return serve(AUDIT_PATTERNS.listActivity, r, this.logger, (q) => this.service.activity.list(q));
  }

  @MessagePattern(AUDIT_PATTERNS.latestCheckpoint)
  latestCheckpoint(@Payload() r: ServiceRequest<Empty>) {
    return serve(AUDIT_PATTERNS.latestCheckpoint, r, this.logger, (q) => {
      ModuleCaller.of(q.meta, 'audit').requireTenantWide('read');
      return this.service.ledger.latest();
    });
  }

  @MessagePattern(AUDIT_PATTERNS.checkpointAt)
  checkpointAt(@Payload() r: ServiceRequest<CheckpointAtRequest>) {
    return serve(AUDIT_PATTERNS.checkpointAt, r, this.logger, (q) => {
      ModuleCaller.of(q.meta, 'audit').requireTenantWide('read');
      return this.service.ledger.checkpointAt(q.body.treeSize);
    });
  }

  @MessagePattern(AUDIT_PATTERNS.inclusionProof)
  inclusionProof(@Payload() r: ServiceRequest<InclusionProofRequest>) {
    return serve(AUDIT_PATTERNS.inclusionProof, r, this.logger, (q) => this.service.ledgerQueries.inclusion(q));
  }

  @MessagePattern(AUDIT_PATTERNS.consistencyProof)
  consistencyProof(@Payload() r: ServiceRequest<ConsistencyProofRequest>) {
    return serve(AUDIT_PATTERNS.consistencyProof, r, this.logger, (q) => this.service.ledgerQueries.consistency(q));
  }

  @MessagePattern(AUDIT_PATTERNS.publicKey)
  publicKey(@Payload() r: ServiceRequest<Empty>) {
    return serve(AUDIT_PATTERNS.publicKey, r, this.logger, async () => this.service.publicKey());
  }

  @MessagePattern(AUDIT_PATTERNS.replayStream)
  replayStream(@Payload() r: ServiceRequest<ReplayStreamRequest>) {
    return serve(AUDIT_PATTERNS.replayStream, r, this.logger, (q) => this.service.ledgerQueries.replay(q));
  }

  /** Operator only: the gateway serves it behind the bootstrap token. */
  @MessagePattern(AUDIT_PATTERNS.verifyLedger)
  verifyLedger(@Payload() r: ServiceRequest<Empty>) {
    return serve(AUDIT_PATTERNS.verifyLedger, r, this.logger, () => this.service.ledgerQueries.verify());
  }

  @MessagePattern(AUDIT_PATTERNS.blocklistFeed)
  blocklistFeed(@Payload() r: ServiceRequest<BlocklistFeedRequest>) {
    return serve(AUDIT_PATTERNS.blocklistFeed, r, this.logger, (q) => this.service.blocklist.feed(q));
  }

  @MessagePattern(AUDIT_PATTERNS.listBlockedIps)
  listBlockedIps(@Payload() r: ServiceRequest<Empty>) {
    return serve(AUDIT_PATTERNS.listBlockedIps, r, this.logger, (q) => this.service.blocklist.list(q));
  }

  @MessagePattern(AUDIT_PATTERNS.blockIp)
  blockIp(@Payload() r: ServiceRequest<BlockIpRequest>) {
    return serve(AUDIT_PATTERNS.blockIp, r, this.logger, (q) => this.service.blocklist.block(q));
  }

  @MessagePattern(AUDIT_PATTERNS.unblockIp)
  unblockIp(@Payload() r: ServiceRequest<UnblockIpRequest>) {
    return serve(AUDIT_PATTERNS.unblockIp, r, this.logger, (q) => this.service.blocklist.unblock(q));
  }

  @MessagePattern(AUDIT_PATTERNS.listNotifications)
  listNotifications(@Payload() r: ServiceRequest<ListNotificationsRequest>) {
    return serve(AUDIT_PATTERNS.listNotifications, r, this.logger, (q) => listNotifications(this.service.pool, q));
  }

  @MessagePattern(AUDIT_PATTERNS.openIncident)
  openIncident(@Payload() r: ServiceRequest<OpenIncidentRequest>) {
    return serve(AUDIT_PATTERNS.openIncident, r, this.logger, (q) => this.service.incidents.open(q));
  }

  @MessagePattern(AUDIT_PATTERNS.listIncidents)
  listIncidents(@Payload() r: ServiceRequest<ListIncidentsRequest>) {
    return serve(AUDIT_PATTERNS.listIncidents, r, this.logger, (q) => this.service.incidents.list(q));
  }

  @MessagePattern(AUDIT_PATTERNS.getIncident)
  getIncident(@Payload() r: ServiceRequest<IncidentRef>) {
    return serve(AUDIT_PATTERNS.getIncident, r, this.logger, (q) => this.service.incidents.get(q));
  }

  @MessagePattern(AUDIT_PATTERNS.addIncidentEntry)
  addIncidentEntry(@Payload() r: ServiceRequest<AddIncidentEntryRequest>) {
    return serve(AUDIT_PATTERNS.addIncidentEntry, r, this.logger, (q) => this.service.incidents.addEntry(q));
  }

  @MessagePattern(AUDIT_PATTERNS.updateIncident)
  updateIncident(@Payload() r: ServiceRequest<UpdateIncidentRequest>) {
    return serve(AUDIT_PATTERNS.updateIncident, r, this.logger, (q) => this.service.incidents.update(q));
  }

  @MessagePattern(WEBHOOK_PATTERNS.create)
  createWebhook(@Payload() r: ServiceRequest<CreateWebhookRequest>) {
    return serve(WEBHOOK_PATTERNS.create, r, this.logger, (q) => this.service.webhooks.create(q));
  }

  @MessagePattern(WEBHOOK_PATTERNS.list)
  listWebhooks(@Payload() r: ServiceRequest<ListWebhooksRequest>) {
    return serve(WEBHOOK_PATTERNS.list, r, this.logger, (q) => this.service.webhooks.list(q));
  }

  @MessagePattern(WEBHOOK_PATTERNS.get)
  getWebhook(@Payload() r: ServiceRequest<WebhookRef>) {
    return serve(WEBHOOK_PATTERNS.get, r, this.logger, (q) => this.service.webhooks.get(q));
  }

  @MessagePattern(WEBHOOK_PATTERNS.update)
  updateWebhook(@Payload() r: ServiceRequest<UpdateWebhookRequest>) {
    return serve(WEBHOOK_PATTERNS.update, r, this.logger, (q) => this.service.webhooks.update(q));
  }

  @MessagePattern(WEBHOOK_PATTERNS.remove)
  deleteWebhook(@Payload() r: ServiceRequest<WebhookRef>) {
    return serve(WEBHOOK_PATTERNS.remove, r, this.logger, (q) => this.service.webhooks.remove(q));
  }

  @MessagePattern(WEBHOOK_PATTERNS.deliveries)
  webhookDeliveries(@Payload() r: ServiceRequest<ListWebhookDeliveriesRequest>) {
    return serve(WEBHOOK_PATTERNS.deliveries, r, this.logger, (q) => this.service.webhooks.deliveries(q));
  }

  @MessagePattern(WEBHOOK_PATTERNS.replay)
  replayWebhook(@Payload() r: ServiceRequest<ReplayWebhookRequest>) {
    return serve(WEBHOOK_PATTERNS.replay, r, this.logger, (q) => this.service.webhooks.replay(q));
  }
}
