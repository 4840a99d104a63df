import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { webhookEventTypeMatches } from '@custodian/audit/contracts';
import type { PersonalDataCipher } from '@custodian/crypto';
import type { PostgresEventStore } from '@custodian/event-store';
import type { RecordedEvent } from '@custodian/kernel';
import { SessionLock, WakeableSleep } from '@custodian/platform';
import { postWebhook, type WebhookPostOutcome } from './webhook-http';
import { typePrefixesOf, webhookBackoffMs, webhookHeadersOf, webhookPayloadOf } from './webhook-request';
import { webhookSecretSubject } from './webhook-rows';

export interface WebhookDispatcherOptions {
  /** Attempts per delivery, the first included; then the delivery is `failed`. @defaultValue 8 */
  maxAttempts?: number;
  /** Wait after the first failed attempt (ms); doubles per attempt, ±20 % jitter. @defaultValue 1_000 */
  initialBackoffMs?: number;
  /** Longest wait between two attempts (ms). @defaultValue 60_000 */
  maxBackoffMs?: number;
  /** One attempt's deadline: connect, send, status line and headers (ms). @defaultValue 5_000 */
  timeoutMs?: number;
  /** Events read from the log per query. @defaultValue 100 */
  batchSize?: number;
  /**
   * How often the dispatcher reads the set of webhooks and the log's head (ms); caught-up
   * workers sleep until the head moves (or 20 × idleMs at most). @defaultValue 250
   */
  idleMs?: number;
  log?: { warn(msg: string, detail?: Record<string, unknown>): void; error(msg: string, detail?: Record<string, unknown>): void };
  clock?: () => Date;
  random?: () => number;
}

/** Session advisory lock: one dispatcher per database; other instances stand by. */
const AUDIT_LOCK_SPACE = 0x61756474; // 'audt' (the ledger's sequencer lock is in the same space)

type HookRow = {
  webhook_id: string;
  tenant_id: string;
  url: string;
  event_types: string[];
  secret_encrypted: string;
  status: string;
  position: number;
  generation: number;
  replay_until: number;
};

type Outcome = 'done' | 'superseded' | 'stopped';

/** One active webhook's loop. */
class HookWorker {
  running = true;
  /** Caught up: woken when the log's head moves or the webhook changes. */
  readonly idle = new WakeableSleep();
  /** Between attempts: woken only when the webhook changes or the worker stops. */
  readonly backoff = new WakeableSleep();
  readonly abort = new AbortController();
  /** The log's final head when this worker last read the log. */
  scannedHead = 0;
  done: Promise<void> = Promise.resolve();

  constructor(readonly webhookId: string) {}

  wake(): void {
    this.idle.wake();
    this.backoff.wake();
  }

  stop(): void {
    this.running = false;
    this.abort.abort();
    this.wake();
  }
}

/**
 * Delivers the platform's events to webhooks (audit.webhooks), signed, one event per POST.
 *
 * - One dispatcher per database (advisory lock); every active webhook gets a worker that reads
 *   the global log after the webhook's durable `position`, keeps the events of the webhook's
 *   tenant (never another's) whose type matches, and delivers them one at a time, in log order.
 * - A delivery is attempted up to `maxAttempts` times with exponential backoff; a 2xx ends it
 *   (`delivered`), so does the last failed attempt (`failed`: the webhook goes on with the next
 *   event; a replay re-delivers it). Any other status, a redirect (never followed), a timeout or
 *   a network error is a failed attempt. Each attempt is recorded before the next starts.
 * - The position moves past an event only in the transaction that ends its delivery (or past
 *   events the webhook does not take): a crash or shutdown re-delivers at most the event in
 *   flight — its pending delivery resumes with the same delivery id and its attempt count.
 * - At-least-once: a receiver may see an event twice (a crash after its 2xx, a lock handover,
 *   a replay). Every delivery of an event carries the same event id.
 * - A replay or deletion bumps the webhook's generation: an attempt in flight ends, but can no
 *   longer end its delivery nor move the position.
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pause = new WakeableSleep();
  private readonly lock: SessionLock;
  private readonly workers = new Map<string, HookWorker>();
  /** The log's final head as the dispatcher last read it. */
  private head = 0;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly clock: () => Date;
  private readonly random: () => number;

  constructor(
    private readonly pool: Pool,
    private readonly store: Pick<PostgresEventStore, 'readAll' | 'safeHeadPosition'>,
    private readonly cipher: PersonalDataCipher,
    private readonly options: WebhookDispatcherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.batchSize = options.batchSize ?? 100;
    this.idleMs = options.idleMs ?? 250;
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
    // The lock lives with the session: if the session is cut, stop delivering at once.
    this.lock = new SessionLock(pool, AUDIT_LOCK_SPACE, 'webhook-dispatcher', {
      onLost: (error) => {
        this.options.log?.warn('webhook dispatcher lost its lock session; stopping deliveries', { err: error.message });
        void this.stopWorkers();
      },
    });
  }

  /** True while this instance holds the dispatcher lock (it is the one delivering). */
  get isDispatching(): boolean {
    return this.lock.held;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops every worker (an attempt in flight is aborted and recorded; its delivery stays pending) and releases the lock. */
  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
    await this.stopWorkers();
    await this.lock.release();
  }

  /** A webhook was created, changed, replayed or deleted: look again now rather than at the next poll. */
  changed(webhookId: string): void {
    this.workers.get(webhookId)?.wake();
    this.pause.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!this.lock.held) await this.lock.tryAcquire();
        if (this.lock.held) {
          await this.reconcile();
          await this.wakeOnNewEvents();
        }
      } catch (error) {
        this.options.log?.error('webhook dispatcher step failed; retrying', { err: errorText(error) });
        await this.stopWorkers();
        await this.lock.release(true);
      }
      await this.pause.sleep(this.idleMs);
    }
  }

  /** Starts a worker for each active webhook that has none; workers of other webhooks end on their own. */
  private async reconcile(): Promise<void> {
    await this.lock.query('SELECT 1'); // the lock session is alive
    const active = await this.pool.query<{ webhook_id: string }>(`SELECT webhook_id FROM audit.webhooks WHERE status = 'active' AND deleted_at IS NULL`);
    for (const { webhook_id: id } of active.rows) {
      if (!this.running || !this.lock.held) return;
      if (this.workers.has(id)) continue;
      const worker = new HookWorker(id);
      this.workers.set(id, worker);
      worker.done = this.work(worker).finally(() => {
        if (this.workers.get(id) === worker) this.workers.delete(id);
      });
    }
  }

  /** One head read per round wakes every caught-up worker, instead of each polling the log. */
  private async wakeOnNewEvents(): Promise<void> {
    const head = await this.store.safeHeadPosition();
    if (head <= this.head) return;
    this.head = head;
    for (const w of this.workers.values()) w.idle.wake();
  }

  private async stopWorkers(): Promise<void> {
    const workers = [...this.workers.values()];
    for (const w of workers) w.stop();
    await Promise.all(workers.map((w) => w.done));
  }

  private async work(worker: HookWorker): Promise<void> {
    while (worker.running && this.running && this.lock.held) {
      let progressed = false;
      try {
        progressed = await this.step(worker);
      } catch (error) {
        this.options.log?.error('webhook worker step failed; retrying', { webhookId: worker.webhookId, err: errorText(error) });
        await worker.backoff.sleep(Math.max(1_000, this.idleMs));
        continue;
      }
      // Checked and slept in the same turn: a head that moved after this worker's read is never missed.
      if (!progressed && worker.running && this.head <= worker.scannedHead) await worker.idle.sleep(20 * this.idleMs);
    }
  }

  /** One batch of the log for one webhook; false when there was nothing to do. */
  private async step(worker: HookWorker): Promise<boolean> {
    const hook = await this.load(worker.webhookId);
    if (!hook || hook.status !== 'active') {
      worker.running = false;
      return false;
    }
    // Every event at or below `head` is final: when the (type-filtered) read comes back short,
    // nothing the webhook takes lies between its position and `head` any more.
    const head = await this.store.safeHeadPosition();
    worker.scannedHead = head;
    const events = await this.store.readAll({ after: hook.position, limit: this.batchSize, typePrefixes: typePrefixesOf(hook.event_types) });
    for (const event of events) {
      if (event.tenantId.toLowerCase() !== hook.tenant_id || !webhookEventTypeMatches(hook.event_types, event.type)) continue;
      const outcome = await this.deliver(worker, hook, event);
      if (outcome !== 'done') return true;
    }
    const last = events[events.length - 1]?.globalPosition ?? hook.position;
    const through = events.length < this.batchSize ? Math.max(head, last) : last;
    if (through > hook.position) await this.pool.query('UPDATE audit.webhooks SET position = $2 WHERE webhook_id = $1 AND generation = $3 AND position < $2', [hook.webhook_id, through, hook.generation]);
    return events.length > 0;
  }

  private async deliver(worker: HookWorker, hook: HookRow, event: RecordedEvent): Promise<Outcome> {
    const secret = await this.cipher.decrypt(hook.tenant_id, webhookSecretSubject(hook.webhook_id), hook.secret_encrypted);
    if (secret === null) return 'superseded'; // erased: the webhook was deleted
    const delivery = await this.openDelivery(hook, event);
    const body = JSON.stringify(webhookPayloadOf(event));
    for (let attempt = delivery.attempts + 1; ; attempt++) {
      if (!worker.running || !this.lock.held) return 'stopped';
      if (!(await this.isCurrent(hook))) return 'superseded';
      const at = this.clock();
      const headers = webhookHeadersOf({ secret, deliveryId: delivery.deliveryId, eventId: event.eventId, timestamp: Math.floor(at.getTime() / 1000), body });
      const started = performance.now();
      const outcome = await postWebhook(hook.url, body, headers, { timeoutMs: this.timeoutMs, signal: worker.abort.signal });
      const durationMs = Math.round(performance.now() - started);
      const succeeded = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
      const stopping = worker.abort.signal.aborted && !succeeded;
      const state = succeeded ? 'delivered' : stopping || attempt < this.maxAttempts ? 'pending' : 'failed';
      await this.recordAttempt(hook, event, delivery.deliveryId, { attempt, at, outcome, durationMs, state });
      if (state === 'failed') this.options.log?.warn('webhook delivery failed; going on with the next event', { webhookId: hook.webhook_id, eventId: event.eventId, attempts: attempt });
      if (state !== 'pending') return 'done';
      if (stopping) return 'stopped';
      await worker.backoff.sleep(webhookBackoffMs(attempt, { initialBackoffMs: this.initialBackoffMs, maxBackoffMs: this.maxBackoffMs }, this.random));
    }
  }

  /** The event's pending delivery for this webhook (resumed after a restart), or a new one. */
  private async openDelivery(hook: HookRow, event: RecordedEvent): Promise<{ deliveryId: string; attempts: number }> {
    const pending = await this.pool.query<{ delivery_id: string; attempts: number }>(
      `SELECT delivery_id, attempts FROM audit.webhook_deliveries WHERE webhook_id = $1 AND event_id = $2 AND state = 'pending' ORDER BY created_at DESC LIMIT 1`,
      [hook.webhook_id, event.eventId],
    );
    if (pending.rows[0]) return { deliveryId: pending.rows[0].delivery_id, attempts: pending.rows[0].attempts };
    const deliveryId = randomUUID();
    const now = this.clock();
    await this.pool.query(
      `INSERT INTO audit.webhook_deliveries (delivery_id, webhook_id, event_id, event_type, position, replay, state, attempts, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)`,
      [deliveryId, hook.webhook_id, event.eventId, event.type, event.globalPosition, event.globalPosition <= Number(hook.replay_until), now],
    );
    return { deliveryId, attempts: 0 };
  }

  /**
   * Records one attempt; when it ends the delivery, also moves the webhook's position past the
   * event — in one transaction, and only if no replay or deletion happened meanwhile.
   */
  private async recordAttempt(
    hook: HookRow,
    event: RecordedEvent,
    deliveryId: string,
    a: { attempt: number; at: Date; outcome: WebhookPostOutcome; durationMs: number; state: 'pending' | 'delivered' | 'failed' },
  ): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Locks in the handler's order (webhook row, then its deliveries): a concurrent replay or
      // deletion waits for this transaction, or this one for it — never a deadlock.
      await client.query('SELECT 1 FROM audit.webhooks WHERE webhook_id = $1 FOR NO KEY UPDATE', [hook.webhook_id]);
      await client.query('INSERT INTO audit.webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)', [
        deliveryId,
        a.attempt,
        a.at,
        a.outcome.statusCode,
        a.outcome.error ?? (a.state === 'delivered' ? null : `HTTP ${a.outcome.statusCode}`),
        a.durationMs,
      ]);
      const ended = await client.query(`UPDATE audit.webhook_deliveries SET attempts = $2, state = $3, updated_at = $4 WHERE delivery_id = $1 AND state = 'pending'`, [deliveryId, a.attempt, a.state, this.clock()]);
      if (a.state !== 'pending' && ended.rowCount === 1) {
        await client.query('UPDATE audit.webhooks SET position = $2 WHERE webhook_id = $1 AND generation = $3 AND position < $2', [hook.webhook_id, event.globalPosition, hook.generation]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async load(webhookId: string): Promise<HookRow | undefined> {
    const res = await this.pool.query<HookRow>(
      `SELECT webhook_id, tenant_id, url, event_types, secret_encrypted, status, position, generation, replay_until
         FROM audit.webhooks WHERE webhook_id = $1 AND deleted_at IS NULL`,
      [webhookId],
    );
    const row = res.rows[0];
    return row && { ...row, position: Number(row.position), replay_until: Number(row.replay_until) };
  }

  /** Still active, not deleted, not replayed since `hook` was loaded. */
  private async isCurrent(hook: HookRow): Promise<boolean> {
    const res = await this.pool.query(`SELECT 1 FROM audit.webhooks WHERE webhook_id = $1 AND generation = $2 AND status = 'active' AND deleted_at IS NULL`, [hook.webhook_id, hook.generation]);
    return res.rowCount === 1;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
