import { v5 as uuidV5 } from 'uuid';
import type { EntityManager } from 'typeorm';
import type { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import type { ActivityEntry } from '@custodian/audit/contracts';
import { normalizeIp } from '@custodian/audit/contracts';
import { IDENTITY_PATTERNS, type IdentityMessages } from '@custodian/identity/contracts';
import { isCustodianError, type RequestMeta } from '@custodian/kernel';
import { WakeableSleep, type ServiceClient } from '@custodian/platform';
import { topicFor, type BusConsumer, type BusMessage, type MessageBus } from '@custodian/messaging';
import type { IncidentAction, IncidentsHandler } from '../incidents/incidents.handler';
import type { BlocklistHandler } from './blocklist.handler';

/** Thresholds of the monitor's rules (configuration: see docs/operations.md). */
export interface SecurityRules {
  /** ≥ threshold failed logins from one address in windowSeconds → block it for blockSeconds. */
  failedLoginsPerIp: { threshold: number; windowSeconds: number; blockSeconds: number };
  /** ≥ threshold failed logins on one account in windowSeconds → suspend it, notify its admins. */
  failedLoginsPerAccount: { threshold: number; windowSeconds: number };
  /** ≥ threshold denied requests (401/403, logins excepted) from one address in windowSeconds → incident. */
  deniedBurst: { threshold: number; windowSeconds: number };
}

export const DEFAULT_SECURITY_RULES: SecurityRules = {
  failedLoginsPerIp: { threshold: 10, windowSeconds: 300, blockSeconds: 3_600 },
  failedLoginsPerAccount: { threshold: 20, windowSeconds: 3_600 },
  deniedBurst: { threshold: 30, windowSeconds: 60 },
};

type Rule = 'failed-logins-per-ip' | 'failed-logins-per-account' | 'denied-burst' | 'api-key-from-blocked-ip';
type ActionKind = 'block_ip' | 'suspend_account' | 'open_incident' | 'revoke_api_key';
type ActionRow = { action_id: string; tenant_id: string; rule: Rule; kind: ActionKind; subject: string; detail: { count?: number; windowSeconds?: number; ip?: string }; decided_at: Date; attempts: number };

const ACTION_IDS = '0f3b8d52-9e41-4a7c-b6d2-1c5e7a9f3b20';
/** A failing action is retried with exponential backoff (2, 4, … s) this many times, then left with its error. */
const MAX_ATTEMPTS = 8;
const LOGIN_ACTION = 'POST /v1/auth/login';
const LOGIN_FAILURE_TYPES = new Set(['identity.LoginFailed', 'identity.LoginBlocked', 'identity.UnknownAccountLoginFailed']);

/**
 * The security monitor: rules over the event flow that act on their own.
 * - Signals come from identity's published login events (failed, blocked, unknown account —
 *   with the client address) consumed from the bus, and from the activity log (denied
 *   requests, an API key refused as coming from a blocked address).
 * - A rule that fires records an action in audit.security_actions in the same transaction as
 *   the signal (so a replay or restart never decides twice), at most once per subject per window.
 * - A worker carries actions out: block the address (every gateway within a second through the
 *   blocklist feed), suspend the account and notify the tenant's security admins, revoke the key,
 *   open an incident and write its timeline. Each step is idempotent, so a crash mid-way retries
 *   safely; failures are retried with backoff and kept with their error.
 */
export class SecurityMonitor {
  private running = false;
  private consumer: BusConsumer | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;
  private readonly pause = new WakeableSleep();

  constructor(
    private readonly pool: Pool,
    private readonly dataSource: DataSource,
    private readonly rules: SecurityRules,
    private readonly blocklist: BlocklistHandler,
    private readonly incidents: IncidentsHandler,
    private readonly identity: ServiceClient<IdentityMessages>,
    private readonly log: { warn(msg: string, detail?: Record<string, unknown>): void; error(msg: string, detail?: Record<string, unknown>): void },
    private readonly clock: () => Date = () => new Date(),
    /** Its consumer group; monitors with another group (other rules) count their own signals. */
    private readonly group = 'audit.security-monitor',
  ) {}

  /**
   * Identity's login events, consumed from the bus by consumer group `audit.security-monitor`
   * (the platform's own log: public topics withhold the client address): deduplicated by event id, the group's
   * position committed only after the handler's transaction. A redelivered event finds its
   * signals already stored (unique per event) and decides nothing again.
   */
  async followLogins(bus: MessageBus, onError: (error: unknown) => void): Promise<void> {
    this.consumer = await bus.subscribe({
      topic: topicFor('identity'),
      group: this.group,
      handler: async (message) => {
        if (!LOGIN_FAILURE_TYPES.has(message.type)) return;
        await this.dataSource.transaction((manager) => this.onLoginEvent(message, manager));
        this.wake();
      },
      onError,
      onDeadLetter: (dead) => this.log.error('security monitor gave up on a login event (dead letter)', { eventId: dead.message.id, type: dead.message.type, err: dead.error }),
    });
  }

  start(): void {
    this.running = true;
    this.loop = this.work();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.running = false;
    this.pause.wake();
    await this.loop;
  }

  /** Signals from newly stored activity, in the activity log's insert transaction (`manager`). */
  async onActivity(entries: ActivityEntry[], manager: EntityManager): Promise<void> {
    const relevant = entries.filter((e) => e.tenantId && (e.result === 'denied' || e.errorCode === 'ip_blocked'));
    if (relevant.length === 0) return;
    for (const e of relevant) {
      const tenantId = e.tenantId as string;
      if (e.errorCode === 'ip_blocked' && e.actor.kind === 'api_key') {
        await this.decide(manager, tenantId, 'api-key-from-blocked-ip', 'revoke_api_key', e.actor.keyId, { ip: e.ip }, new Date(e.at), null);
      }
      if (e.result === 'denied' && e.action !== LOGIN_ACTION) {
        const ip = normalizeIp(e.ip) ?? e.ip;
        const { threshold, windowSeconds } = this.rules.deniedBurst;
        const count = await this.signal(manager, tenantId, 'denied', ip, new Date(e.at), windowSeconds, e.activityId);
        if (count >= threshold) await this.decide(manager, tenantId, 'denied-burst', 'open_incident', ip, { count, windowSeconds }, new Date(e.at), windowSeconds);
      }
    }
  }

  /** Tells the worker a decision may have been committed (call after the deciding transaction commits). */
  wake(): void {
    this.woken = true;
    this.pause.wake();
  }

  private async onLoginEvent(event: BusMessage, manager: EntityManager): Promise<void> {
    const d = event.data as { tenantId: string; userId?: string; ip?: string | null; at: string };
    const at = new Date(d.at);
    const ip = d.ip ? (normalizeIp(d.ip) ?? d.ip) : undefined;
    if (ip) {
      const { threshold, windowSeconds } = this.rules.failedLoginsPerIp;
      const count = await this.signal(manager, d.tenantId, 'login_failure_ip', ip, at, windowSeconds, event.id);
      if (count >= threshold) await this.decide(manager, d.tenantId, 'failed-logins-per-ip', 'block_ip', ip, { count, windowSeconds }, at, windowSeconds);
    }
    if (d.userId && event.type !== 'identity.UnknownAccountLoginFailed') {
      const { threshold, windowSeconds } = this.rules.failedLoginsPerAccount;
      const count = await this.signal(manager, d.tenantId, 'login_failure_account', d.userId, at, windowSeconds, event.id);
      if (count >= threshold) await this.decide(manager, d.tenantId, 'failed-logins-per-account', 'suspend_account', d.userId, { count, windowSeconds, ...(ip ? { ip } : {}) }, at, windowSeconds);
    }
  }

  /**
   * Stores a signal and answers how many of its kind and subject fall in the window ending at
   * `at` — or 0 when this source (event or activity id) was already counted (a redelivery).
   */
  private async signal(manager: EntityManager, tenantId: string, kind: string, subject: string, at: Date, windowSeconds: number, sourceId: string): Promise<number> {
    const inserted: unknown[] = await manager.query(
      'INSERT INTO audit.security_signals (monitor, tenant_id, kind, subject, at, source_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (monitor, kind, source_id) DO NOTHING RETURNING signal_id',
      [this.group, tenantId, kind, subject, at, sourceId],
    );
    if (inserted.length === 0) return 0;
    const rows: Array<{ n: string }> = await manager.query(
      `SELECT count(*) AS n FROM audit.security_signals WHERE monitor = $6 AND tenant_id = $1 AND kind = $2 AND subject = $3 AND at > $4 AND at <= $5`,
      [tenantId, kind, subject, new Date(at.getTime() - windowSeconds * 1000), at, this.group],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Records a decided action unless the same rule already acted on this subject within the window (null: ever). */
  private async decide(manager: EntityManager, tenantId: string, rule: Rule, kind: ActionKind, subject: string, detail: ActionRow['detail'], at: Date, windowSeconds: number | null): Promise<void> {
    // A burst whose window closed before now is history (a first start reading the whole log, a
    // long outage): it is counted, but nobody is blocked or suspended today for it.
    if (windowSeconds !== null && this.clock().getTime() - at.getTime() > windowSeconds * 1000) return;
    const since = windowSeconds === null ? new Date(0) : new Date(at.getTime() - windowSeconds * 1000);
    const earlier: unknown[] = await manager.query('SELECT 1 FROM audit.security_actions WHERE tenant_id = $1 AND rule = $2 AND subject = $3 AND decided_at > $4 LIMIT 1', [tenantId, rule, subject, since]);
    if (earlier.length > 0) return;
    const actionId = uuidV5(`${tenantId}\u0000${rule}\u0000${subject}\u0000${at.toISOString()}`, ACTION_IDS);
    await manager.query(
      `INSERT INTO audit.security_actions (action_id, tenant_id, rule, kind, subject, detail, decided_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (action_id) DO NOTHING`,
      [actionId, tenantId, rule, kind, subject, JSON.stringify(detail), at],
    );
  }

  private async work(): Promise<void> {
    while (this.running) {
      let n = 0;
      // A wake that arrives while a step runs (a decision committed just after its query) must
      // not wait out the next pause.
      this.woken = false;
      try {
        n = await this.step();
      } catch (error) {
        this.log.error('security monitor step failed; retrying', { err: error instanceof Error ? error.message : String(error) });
      }
      if (n === 0 && !this.woken) await this.pause.sleep(200);
    }
  }

  /** Takes due actions (skipping ones another instance holds) and carries each out. */
  private async step(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const due = await client.query<ActionRow>(
        `SELECT action_id, tenant_id, rule, kind, subject, detail, decided_at, attempts FROM audit.security_actions
         WHERE done_at IS NULL AND attempts < $1 AND next_attempt_at <= clock_timestamp()
         ORDER BY decided_at LIMIT 10 FOR UPDATE SKIP LOCKED`,
        [MAX_ATTEMPTS],
      );
      for (const action of due.rows) {
        try {
          await this.carryOut(action);
          await client.query('UPDATE audit.security_actions SET done_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL WHERE action_id = $1', [action.action_id]);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.log.warn('security action failed; it will be retried', { actionId: action.action_id, rule: action.rule, kind: action.kind, attempt: action.attempts + 1, err: message });
          await client.query(`UPDATE audit.security_actions SET attempts = attempts + 1, last_error = $2, next_attempt_at = clock_timestamp() + make_interval(secs => power(2, attempts + 1)) WHERE action_id = $1`, [action.action_id, message.slice(0, 1000)]);
        }
      }
      await client.query('COMMIT');
      return due.rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async carryOut(a: ActionRow): Promise<void> {
    const meta = (step: string): RequestMeta => ({ requestId: `security-${a.action_id}`, actor: { id: `rule:${a.rule}` }, idempotencyKey: `${a.action_id}:${step}` });
    const incident = (step: string, action: IncidentAction) => this.incidents.act(meta(step), a.tenant_id, a.action_id, { kind: 'rule', id: a.rule }, action);
    const detectedAt = a.decided_at.toISOString();
    const now = this.clock();
    switch (a.kind) {
      case 'block_ip': {
        const until = new Date(now.getTime() + this.rules.failedLoginsPerIp.blockSeconds * 1000).toISOString();
        const what = `${a.detail.count} failed logins from ${a.subject} within ${a.detail.windowSeconds} s`;
        await this.blocklist.blockByRule(a.tenant_id, a.subject, until, `${a.rule}: ${what}`, a.rule);
        await incident('open', { type: 'open', kind: 'security', severity: 'high', title: `Brute-force login attempts from ${a.subject}`, description: null, detectedAt });
        await incident('detected', { type: 'entry', kind: 'detected', text: what });
        await incident('action', { type: 'entry', kind: 'action', text: `Address ${a.subject} blocked until ${until} at every gateway` });
        return;
      }
      case 'suspend_account': {
        const what = `${a.detail.count} failed logins on account ${a.subject} within ${a.detail.windowSeconds} s${a.detail.ip ? ` (last from ${a.detail.ip})` : ''}`;
        let outcome: string;
        try {
          const res = await this.identity.send(IDENTITY_PATTERNS.securitySuspendUser, { tenantId: a.tenant_id, userId: a.subject, rule: a.rule }, meta('suspend'));
          outcome = res.changed ? `Account ${a.subject} suspended (disabled): its sessions and keys stop at once` : `Account ${a.subject} was already disabled`;
        } catch (error) {
          if (!isCustodianError(error) || error.kind === 'infrastructure') throw error;
          outcome = `Account ${a.subject} could not be suspended: ${error.message} (${error.code})`;
        }
        await incident('open', { type: 'open', kind: 'security', severity: 'high', title: `Repeated failed logins on account ${a.subject}`, description: null, detectedAt });
        await incident('detected', { type: 'entry', kind: 'detected', text: what });
        await incident('action', { type: 'entry', kind: 'action', text: outcome });
        await this.notify(a, 'account_suspended', `${outcome}. ${what}.`);
        await incident('notified', { type: 'entry', kind: 'action', text: "The account's security admins were notified (GET /v1/security/notifications)" });
        return;
      }
      case 'revoke_api_key': {
        const res = await this.identity.send(IDENTITY_PATTERNS.securityRevokeApiKey, { tenantId: a.tenant_id, keyId: a.subject, rule: a.rule }, meta('revoke'));
        const outcome = res.changed ? `API key ${a.subject} revoked` : `API key ${a.subject} was already revoked`;
        await incident('open', { type: 'open', kind: 'security', severity: 'high', title: `API key ${a.subject} used from blocked address ${a.detail.ip ?? ''}`.trim(), description: null, detectedAt });
        await incident('detected', { type: 'entry', kind: 'detected', text: `API key ${a.subject} presented from blocked address ${a.detail.ip ?? 'unknown'}` });
        await incident('action', { type: 'entry', kind: 'action', text: outcome });
        await this.notify(a, 'api_key_revoked', `${outcome}: it was used from blocked address ${a.detail.ip ?? 'unknown'}.`);
        return;
      }
      case 'open_incident': {
        await incident('open', { type: 'open', kind: 'security', severity: 'medium', title: `Burst of denied requests from ${a.subject}`, description: null, detectedAt });
        await incident('detected', { type: 'entry', kind: 'detected', text: `${a.detail.count} denied requests (401/403) from ${a.subject} within ${a.detail.windowSeconds} s` });
        return;
      }
    }
  }

  private async notify(a: ActionRow, kind: string, text: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit.notifications (notification_id, tenant_id, at, audience, kind, text, incident_id) VALUES ($1, $2, clock_timestamp(), 'account_admins', $3, $4, $5) ON CONFLICT (notification_id) DO NOTHING`,
      [uuidV5(`${a.action_id}\u0000notify`, ACTION_IDS), a.tenant_id, kind, text, a.action_id],
    );
  }
}
