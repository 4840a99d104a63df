import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DeadLetter } from '../lib/bus.port';
import { DeadLetterHeaders, fromKafkaRecord, headerText } from '../lib/cloudevents';
import { deadLetterTopicFor } from '../lib/topics';

/**
 * Reads `<topic>.dlq` from the beginning (a throw-away consumer group) until `count` dead letters
 * of `group` are seen or `timeoutMs` passed; returns those seen.
 */
export async function readKafkaDeadLetters(kafka: Kafka, topic: string, group: string, count: number, timeoutMs = 20_000): Promise<DeadLetter[]> {
  const found: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}`, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [deadLetterTopicFor(topic)], fromBeginning: true });
    let done: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (headerText(message.headers, DeadLetterHeaders.group) !== group) return;
        found.push({
          group,
          message: fromKafkaRecord(topic, message),
          error: headerText(message.headers, DeadLetterHeaders.error) ?? '',
          attempts: Number(headerText(message.headers, DeadLetterHeaders.attempts)),
          failedAt: headerText(message.headers, DeadLetterHeaders.failedAt) ?? '',
        });
        if (found.length >= count) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([enough, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return found;
  } finally {
    await consumer.disconnect();
  }
}
