import { randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import type { EntityManager } from 'typeorm';
import type { DataSource } from 'typeorm';
import type { PersonalDataCipher } from '@custodian/crypto';
import {
  incidentStreamId,
  upcastAuditEvent,
  type ActorRef,
  type AddIncidentEntryRequest,
  type IncidentEntryView,
  type IncidentEvent,
  type IncidentRef,
  type IncidentSummary,
  type IncidentView,
  type ListIncidentsRequest,
  type ListIncidentsResponse,
  type OpenIncidentRequest,
  type UpdateIncidentRequest,
} from '@custodian/audit/contracts';
import { incidentDecider, type IncidentCommand, type IncidentState } from '@custodian/audit/domain';
import { commandContextOf, CommandHandler, NotFoundError, ValidationError, type EventStore, type RecordedEvent, type RequestMeta, type ServiceRequest } from '@custodian/kernel';
import { decodeCursor, encodeCursor, ModuleCaller, pageLimit, uuidOrUndefined } from '@custodian/platform';
import type { Projection } from '@custodian/projections';

const INCIDENT_IDS = '5b0d6f0e-3f57-4c5e-9d1a-7e2b8c4a9f13';

/** Free text of an incident is personal data of the incident (it may name people). */
const subjectOf = (incidentId: string) => `incident-${incidentId}`;

/** What a rule or a person does to an incident, in plain text; the handler encrypts it. */
export type IncidentAction =
  | { type: 'open'; kind: OpenIncidentRequest['kind']; severity: OpenIncidentRequest['severity']; title: string; description: string | null; detectedAt: string }
  | { type: 'entry'; kind: AddIncidentEntryRequest['kind'] | 'detected'; text: string }
  | { type: 'status'; to: NonNullable<UpdateIncidentRequest['status']> }
  | { type: 'severity'; to: NonNullable<UpdateIncidentRequest['severity']> };

/**
 * Incidents (stream `audit-incident-<id>`; module `security`, on all locations): opened by a
 * person or by a security rule, with a timeline of entries, status and severity. Titles,
 * descriptions and entry texts are encrypted per incident. A breach carries a notification
 * deadline (detection + 24 h); `alertDeadlines` raises BreachDeadlineAlerted at 6 h, 1 h and
 * overdue until a `notification_sent` entry exists.
 */
export class IncidentsHandler {
  private readonly commands: CommandHandler<IncidentState, IncidentCommand, IncidentEvent>;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly cipher: PersonalDataCipher,
    private readonly readYourWrites: () => Promise<void>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.commands = new CommandHandler(store, incidentDecider);
  }

  async open({ meta, body }: ServiceRequest<OpenIncidentRequest>): Promise<IncidentView> {
    const caller = writer(meta);
    const incidentId = meta.idempotencyKey ? uuidV5(`${caller.tenantId}\u0000${meta.idempotencyKey}`, INCIDENT_IDS) : randomUUID();
    const detectedAt = body.detectedAt ?? this.clock().toISOString();
    await this.act(meta, caller.tenantId, incidentId, { kind: 'user', id: caller.userId }, { type: 'open', kind: body.kind, severity: body.severity, title: body.title, description: body.description ?? null, detectedAt });
    return this.view(caller.tenantId, incidentId);
  }

  async addEntry({ meta, body }: ServiceRequest<AddIncidentEntryRequest>): Promise<IncidentView> {
    const caller = writer(meta);
    const incidentId = await this.existing(caller.tenantId, body.incidentId);
    await this.act(meta, caller.tenantId, incidentId, { kind: 'user', id: caller.userId }, { type: 'entry', kind: body.kind, text: body.text });
    return this.view(caller.tenantId, incidentId);
  }

  async update({ meta, body }: ServiceRequest<UpdateIncidentRequest>): Promise<IncidentView> {
    const caller = writer(meta);
    const incidentId = await this.existing(caller.tenantId, body.incidentId);
    if (body.status === undefined && body.severity === undefined) throw new ValidationError('Send status, severity or both', undefined, 'nothing_to_update');
    const by: ActorRef = { kind: 'user', id: caller.userId };
    if (body.severity !== undefined) await this.act(meta, caller.tenantId, incidentId, by, { type: 'severity', to: body.severity });
    if (body.status !== undefined) await this.act({ ...meta, idempotencyKey: meta.idempotencyKey && `${meta.idempotencyKey}:status` }, caller.tenantId, incidentId, by, { type: 'status', to: body.status });
    return this.view(caller.tenantId, incidentId);
  }

  async get({ meta, body }: ServiceRequest<IncidentRef>): Promise<IncidentView> {
    const caller = reader(meta);
    return this.view(caller.tenantId, await this.existing(caller.tenantId, body.incidentId));
  }

  async list({ meta, body }: ServiceRequest<ListIncidentsRequest>): Promise<ListIncidentsResponse> {
    const caller = reader(meta);
    const limit = pageLimit(body.limit);
    await this.readYourWrites();
    const where = ['tenant_id = $1'];
    const params: unknown[] = [caller.tenantId];
    if (body.status !== undefined) where.push(`status = $${params.push(body.status)}`);
    if (body.kind !== undefined) where.push(`kind = $${params.push(body.kind)}`);
    if (body.cursor !== undefined) {
      const [at, id] = decodeCursor(body.cursor);
      params.push(at, id);
      where.push(`(detected_at, incident_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows: Array<{ incident_id: string; detected_at: Date }> = await this.dataSource.query(
      `SELECT incident_id, detected_at FROM audit.incidents WHERE ${where.join(' AND ')} ORDER BY detected_at DESC, incident_id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const items: IncidentSummary[] = [];
    for (const r of page) {
      const { timeline, description: _description, ...summary } = await this.view(caller.tenantId, r.incident_id);
      items.push({ ...summary, entries: timeline.length, updatedAt: timeline.length > 0 ? timeline[timeline.length - 1].at : summary.detectedAt });
    }
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.detected_at, last.incident_id) : null };
  }

  /**
   * A rule's or the platform's action on an incident. Idempotent per `key`: the monitor retries
   * an action after a crash and the second run stores nothing new.
   */
  async act(meta: RequestMeta, tenantId: string, incidentId: string, by: ActorRef, action: IncidentAction): Promise<void> {
    const now = this.clock();
    const at = now.toISOString();
    const base = { tenantId, incidentId, by, at };
    const subject = subjectOf(incidentId);
    let command: IncidentCommand;
    switch (action.type) {
      case 'open':
        command = {
          type: 'OpenIncident',
          data: {
            ...base,
            kind: action.kind,
            severity: action.severity,
            titleEncrypted: await this.cipher.encrypt(tenantId, subject, action.title),
            descriptionEncrypted: action.description === null ? null : await this.cipher.encrypt(tenantId, subject, action.description),
            detectedAt: action.detectedAt,
          },
        };
        break;
      case 'entry':
        command = { type: 'AddIncidentEntry', data: { ...base, entryId: meta.idempotencyKey ? uuidV5(`${incidentId}\u0000${meta.idempotencyKey}`, INCIDENT_IDS) : randomUUID(), kind: action.kind, textEncrypted: await this.cipher.encrypt(tenantId, subject, action.text) } };
        break;
      case 'status':
        command = { type: 'ChangeIncidentStatus', data: { ...base, to: action.to } };
        break;
      case 'severity':
        command = { type: 'ChangeIncidentSeverity', data: { ...base, to: action.to } };
        break;
    }
    await this.commands.handle(incidentStreamId(incidentId), command, commandContextOf(meta, tenantId, now, by.kind === 'rule' ? `rule:${by.id}` : meta.actor?.id));
  }

  /** Raises every due breach-deadline alert; returns how many were raised (the service logs them). */
  async alertDeadlines(onAlert: (tenantId: string, incidentId: string, threshold: string, deadline: string) => void): Promise<number> {
    await this.readYourWrites();
    const horizon = new Date(this.clock().getTime() + 6 * 3_600_000);
    const due: Array<{ incident_id: string; tenant_id: string }> = await this.dataSource.query(
      `SELECT incident_id, tenant_id FROM audit.incidents WHERE deadline IS NOT NULL AND NOT notified AND status <> 'resolved' AND deadline <= $1`,
      [horizon],
    );
    let raised = 0;
    for (const row of due) {
      const outcome = await this.commands.handle(
        incidentStreamId(row.incident_id),
        { type: 'AlertBreachDeadline', data: { tenantId: row.tenant_id, incidentId: row.incident_id, at: this.clock().toISOString() } },
        commandContextOf({ requestId: 'breach-deadline-alerts', actor: { id: 'platform' } }, row.tenant_id, this.clock()),
      );
      for (const e of outcome.events) {
        if (e.type !== 'audit.BreachDeadlineAlerted') continue;
        raised++;
        const d = (e as RecordedEvent<'audit.BreachDeadlineAlerted', { threshold: string; deadline: string }>).data;
        onAlert(row.tenant_id, row.incident_id, d.threshold, d.deadline);
      }
    }
    return raised;
  }

  /** The incident folded from its stream, free text decrypted (null once erased). */
  async view(tenantId: string, incidentId: string): Promise<IncidentView> {
    const events = await this.store.readStream(incidentStreamId(incidentId));
    const first = events[0];
    if (!first || first.tenantId !== tenantId) throw new NotFoundError('Incident not found', 'incident_not_found');
    const subject = subjectOf(incidentId);
    const plain = (v: string | null) => (v === null ? Promise.resolve(null) : this.cipher.decrypt(tenantId, subject, v));
    let view: IncidentView | undefined;
    const timeline: IncidentEntryView[] = [];
    for (const recorded of events) {
      const event = upcastAuditEvent(recorded) as IncidentEvent;
      switch (event.type) {
        case 'audit.IncidentOpened': {
          const d = event.data;
          view = { incidentId, kind: d.kind, severity: d.severity, status: 'open', title: await plain(d.titleEncrypted), description: await plain(d.descriptionEncrypted), detectedAt: d.detectedAt, openedBy: d.openedBy, notificationDeadline: d.notificationDeadline, notified: false, timeline };
          timeline.push({ entryId: null, kind: 'opened', text: view.title, by: d.openedBy, at: d.at });
          break;
        }
        case 'audit.IncidentEntryAdded':
          timeline.push({ entryId: event.data.entryId, kind: event.data.kind, text: await plain(event.data.textEncrypted), by: event.data.by, at: event.data.at });
          if (view && event.data.kind === 'notification_sent') view.notified = true;
          break;
        case 'audit.IncidentStatusChanged':
          if (view) view.status = event.data.to;
          timeline.push({ entryId: null, kind: 'status', text: `${event.data.from} → ${event.data.to}`, by: event.data.by, at: event.data.at });
          break;
        case 'audit.IncidentSeverityChanged':
          if (view) view.severity = event.data.to;
          timeline.push({ entryId: null, kind: 'severity', text: `${event.data.from} → ${event.data.to}`, by: event.data.by, at: event.data.at });
          break;
        case 'audit.BreachDeadlineAlerted':
          timeline.push({ entryId: null, kind: 'deadline_alert', text: `notification deadline ${event.data.deadline}: ${event.data.threshold === 'overdue' ? 'overdue' : `${event.data.threshold} left`}`, by: { kind: 'platform', id: 'breach-deadline-alerts' }, at: event.data.at });
          break;
      }
    }
    if (!view) throw new NotFoundError('Incident not found', 'incident_not_found');
    return view;
  }

  private async existing(tenantId: string, raw: string): Promise<string> {
    const incidentId = uuidOrUndefined(raw);
    if (!incidentId) throw new NotFoundError('Incident not found', 'incident_not_found');
    const first = (await this.store.readStream(incidentStreamId(incidentId), { limit: 1 }))[0];
    if (!first || first.tenantId !== tenantId) throw new NotFoundError('Incident not found', 'incident_not_found');
    return incidentId;
  }
}

/** audit.incidents, for listing and the deadline sweep (rebuilt from incident events). */
export const incidentsProjection: Projection = {
  name: 'audit.incidents.v1',
  typePrefixes: ['audit.Incident', 'audit.BreachDeadlineAlerted'],
  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = upcastAuditEvent(recorded) as IncidentEvent;
    const d = event.data;
    switch (event.type) {
      case 'audit.IncidentOpened':
        await manager.query(
          `INSERT INTO audit.incidents (incident_id, tenant_id, kind, severity, status, detected_at, deadline, updated_at) VALUES ($1,$2,$3,$4,'open',$5,$6,$7) ON CONFLICT (incident_id) DO NOTHING`,
          [d.incidentId, d.tenantId, event.data.kind, event.data.severity, event.data.detectedAt, event.data.notificationDeadline, event.data.at],
        );
        return;
      case 'audit.IncidentEntryAdded':
        await manager.query(`UPDATE audit.incidents SET entries = entries + 1, notified = notified OR $2, updated_at = $3 WHERE incident_id = $1`, [d.incidentId, event.data.kind === 'notification_sent', event.data.at]);
        return;
      case 'audit.IncidentStatusChanged':
        await manager.query('UPDATE audit.incidents SET status = $2, updated_at = $3 WHERE incident_id = $1', [d.incidentId, event.data.to, event.data.at]);
        return;
      case 'audit.IncidentSeverityChanged':
        await manager.query('UPDATE audit.incidents SET severity = $2, updated_at = $3 WHERE incident_id = $1', [d.incidentId, event.data.to, event.data.at]);
        return;
      case 'audit.BreachDeadlineAlerted':
        return;
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query('DELETE FROM audit.incidents');
  },
};

function reader(meta: RequestMeta): ModuleCaller {
  const caller = ModuleCaller.of(meta, 'security');
  caller.requireTenantWide('read');
  return caller;
}

function writer(meta: RequestMeta): ModuleCaller {
  const caller = ModuleCaller.of(meta, 'security');
  caller.requireTenantWide('write');
  return caller;
}
