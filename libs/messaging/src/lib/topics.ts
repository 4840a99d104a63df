import { ValidationError } from '@custodian/kernel';

/** The bounded contexts that publish integration events, one topic each (DESIGN.md "Bounded contexts"). */
export const BUS_CONTEXTS = ['identity', 'scheduling', 'records', 'audit'] as const;
export type BusContext = (typeof BUS_CONTEXTS)[number];

const CONTEXT_NAME = /^[a-z][a-z0-9]{0,62}$/;
const TOPIC = /^custodian\.([a-z][a-z0-9]{0,62})\.v(\d+)$/;

/** `custodian.<context>.v1`: the topic a context's events are published to. */
export function topicFor(context: string): string {
  if (!CONTEXT_NAME.test(context)) throw new ValidationError(`bus context must be lowercase letters and digits (got ${JSON.stringify(context)})`);
  return `custodian.${context}.v1`;
}

/** `<topic>.dlq`: where a consumer group parks a message that kept failing (Kafka adapter). */
export function deadLetterTopicFor(topic: string): string {
  return `${topic}.dlq`;
}

/** The context a topic belongs to: `custodian.records.v1` → `records`. */
export function contextOf(topic: string): string {
  const match = TOPIC.exec(topic);
  if (!match) throw new ValidationError(`not a custodian event topic: ${JSON.stringify(topic)} (expected custodian.<context>.v<n>)`);
  return match[1];
}

/** The event-type prefix (category) of a topic's events: `custodian.records.v1` → `records.`. */
export function categoryOf(topic: string): string {
  return `${contextOf(topic)}.`;
}

/** CloudEvents `source` of a context's events: `/custodian/<context>`. */
export function sourceFor(context: string): string {
  return `/custodian/${context}`;
}
