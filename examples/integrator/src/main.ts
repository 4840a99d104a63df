/*
 * Example integrator: reads custodian.records.v1 until SIGINT (Ctrl-C) or SIGTERM, then prints
 * the payroll summary.
 *
 *   KAFKA_BROKERS=localhost:9092 GROUP_ID=payroll-example \
 *     node -r ./tools/register.cjs examples/integrator/src/main.ts
 *
 * KAFKA_BROKERS  comma-separated bootstrap brokers (required)
 * GROUP_ID       consumer group id (default custodian-payroll-example)
 * TOPICS         comma-separated topics (default custodian.records.v1)
 */
import { RECORDS_TOPIC } from './cloud-event';
import { formatSummary, PayrollConsumer } from './payroll-consumer';

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function main(): Promise<void> {
  const brokers = list(process.env['KAFKA_BROKERS']);
  if (brokers.length === 0) {
    process.stderr.write('KAFKA_BROKERS is not set (e.g. KAFKA_BROKERS=localhost:9092)\n');
    process.exit(2);
  }
  const topics = list(process.env['TOPICS']);
  const groupId = process.env['GROUP_ID'] || 'custodian-payroll-example';
  const consumer = new PayrollConsumer({
    brokers,
    groupId,
    topics: topics.length > 0 ? topics : [RECORDS_TOPIC],
    onInvalid: (m) => process.stderr.write(`invalid message ${m.topic}[${m.partition}]@${m.offset}: ${m.reason}\n`),
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.stop().catch((error: unknown) => process.stderr.write(`while disconnecting: ${String(error)}\n`));
    process.stdout.write(`${formatSummary(consumer.report())}\n`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  await consumer.start();
  process.stderr.write(`consuming ${(topics.length > 0 ? topics : [RECORDS_TOPIC]).join(', ')} from ${brokers.join(', ')} as group ${groupId}; Ctrl-C prints the summary\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
