import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { isRecordsEventType } from '@custodian/records/contracts';
import { checkCloudEvent, RECORDS_TOPIC, type IncomingRecord } from './cloud-event';
import { isPayrollEventType, Payroll, type PayrollSummary } from './payroll';

/** A record that failed the checks: where it is and why. */
export interface InvalidMessage {
  topic: string;
  partition: number;
  offset: string;
  reason: string;
}

export interface MessageStats {
  /** Every record consumed. */
  received: number;
  /** Valid events the payroll used. */
  applied: number;
  /** Valid events of a records type the payroll does not need (tasks, issues, inspections). */
  ignored: number;
  /** Valid events whose `ce_id` was seen before (the relay delivers at least once): counted once. */
  duplicates: number;
  /** Records that failed the CloudEvents checks, or whose data lacks what the payroll needs. */
  invalid: number;
  /** Valid events of a type or schema version this consumer does not know, by `<type> v<version>`: skipped. */
  skipped: Record<string, number>;
  /** The first invalid records (at most MAX_INVALID_KEPT), with why. */
  invalidMessages: InvalidMessage[];
}

export interface PayrollReport {
  payroll: PayrollSummary;
  messages: MessageStats;
}

export interface PayrollConsumerOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Consumer group id. */
  groupId: string;
  /** @defaultValue [`custodian.records.v1`] */
  topics?: string[];
  /** @defaultValue 'custodian-payroll-example' */
  clientId?: string;
  /** Longest wait of one fetch for new records, ms. @defaultValue 500 */
  maxWaitTimeMs?: number;
  /** kafkajs's own logging. @defaultValue logLevel.WARN */
  kafkaLogLevel?: logLevel;
  /** Told about each invalid record as it arrives (they are also kept in the report). */
  onInvalid?: (message: InvalidMessage) => void;
}

const MAX_INVALID_KEPT = 100;

/**
 * Reads the records context's events from Kafka and keeps a payroll summary of completed
 * shifts. Every record is checked (`checkCloudEvent`); one that fails is counted and reported,
 * never silently dropped. Events are deduplicated by `ce_id`. Events of an unknown type or
 * schema version are skipped and counted by type.
 *
 * State (the summary, the ids seen) lives in memory, so the consumer commits no offsets: each
 * run reads its topics from the beginning (as far as the topic's retention goes). A production
 * integrator would store its state, the ids it processed and its offsets together.
 */
export class PayrollConsumer {
  private readonly payroll = new Payroll();
  private readonly seen = new Set<string>();
  private readonly stats: MessageStats = { received: 0, applied: 0, ignored: 0, duplicates: 0, invalid: 0, skipped: {}, invalidMessages: [] };
  private consumer: Consumer | undefined;

  constructor(private readonly options: PayrollConsumerOptions) {}

  /** Connects, joins the group and starts consuming; resolves once consumption runs. */
  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: this.options.clientId ?? 'custodian-payroll-example', brokers: this.options.brokers, logLevel: this.options.kafkaLogLevel ?? logLevel.WARN });
    const consumer = kafka.consumer({ groupId: this.options.groupId, maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 500 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics ?? [RECORDS_TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => this.handle({ topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers }),
    });
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  /** One consumed record: check, deduplicate, fold into the payroll. */
  handle(record: IncomingRecord): void {
    this.stats.received++;
    const checked = checkCloudEvent(record);
    if (!checked.ok) return this.reject(record, checked.reason);
    const event = checked.event;
    if (this.seen.has(event.id)) {
      this.stats.duplicates++;
      return;
    }
    this.seen.add(event.id);
    if (!isRecordsEventType(event.type) || event.schemaVersion !== 1) {
      const key = `${event.type} v${event.schemaVersion}`;
      this.stats.skipped[key] = (this.stats.skipped[key] ?? 0) + 1;
      return;
    }
    if (!isPayrollEventType(event.type)) {
      this.stats.ignored++;
      return;
    }
    const problem = this.payroll.apply({ ...event, type: event.type });
    if (problem) return this.reject(record, problem);
    this.stats.applied++;
  }

  report(): PayrollReport {
    return { payroll: this.payroll.summary(), messages: { ...this.stats, skipped: { ...this.stats.skipped }, invalidMessages: [...this.stats.invalidMessages] } };
  }

  private reject(record: IncomingRecord, reason: string): void {
    this.stats.invalid++;
    const invalid = { topic: record.topic, partition: record.partition, offset: record.offset, reason };
    if (this.stats.invalidMessages.length < MAX_INVALID_KEPT) this.stats.invalidMessages.push(invalid);
    this.options.onInvalid?.(invalid);
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The report as text: per tenant a table of cleaners, then what happened to the messages. */
export function formatSummary(report: PayrollReport): string {
  const lines = ['Payroll summary: completed shifts (clock-in and clock-out, sealed or not; corrected clock times applied)', ''];
  if (report.payroll.tenants.length === 0) lines.push('No records seen.', '');
  for (const tenant of report.payroll.tenants) {
    lines.push(`Tenant ${tenant.tenantId}: ${plural(tenant.shifts, 'shift')}, ${tenant.hours.toFixed(2)} h, ${plural(tenant.openRecords, 'open record')}`);
    if (tenant.cleaners.length > 0) {
      const width = Math.max(7, ...tenant.cleaners.map((c) => c.cleanerId.length));
      lines.push(`  ${'cleaner'.padEnd(width)}  shifts     hours  sealed  corrected`);
      for (const c of tenant.cleaners) {
        lines.push(`  ${c.cleanerId.padEnd(width)}  ${String(c.shifts).padStart(6)}  ${c.hours.toFixed(2).padStart(8)}  ${String(c.sealedShifts).padStart(6)}  ${String(c.correctedShifts).padStart(9)}`);
      }
    }
    for (const r of tenant.needsReview) lines.push(`  needs review: record ${r.recordId}: ${r.reason}`);
    lines.push('');
  }
  const m = report.messages;
  const skipped = Object.entries(m.skipped).sort(([a], [b]) => (a < b ? -1 : 1));
  const skippedCount = skipped.reduce((sum, [, n]) => sum + n, 0);
  lines.push(
    `Messages: ${m.received} received; ${m.applied} used, ${m.ignored} ignored (not needed for payroll), ${plural(m.duplicates, 'duplicate')} (ce_id seen before), ` +
      `${m.invalid} invalid, ${skippedCount} skipped (unknown type or version${skipped.length ? `: ${skipped.map(([k, n]) => `${k} ×${n}`).join(', ')}` : ''})`,
  );
  if (m.invalid > 0) {
    lines.push('Invalid messages:');
    for (const i of m.invalidMessages) lines.push(`  ${i.topic}[${i.partition}]@${i.offset}: ${i.reason}`);
    if (m.invalid > m.invalidMessages.length) lines.push(`  … and ${m.invalid - m.invalidMessages.length} more`);
  }
  return lines.join('\n');
}
