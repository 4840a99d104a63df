import type { JsonObject } from './events';

/**
 * Fields of published events that stay inside the platform: per event type, the top-level data
 * fields that never leave on a public topic or a webhook (client IP addresses and user agents,
 * hashes of credentials). Each context's contracts declare theirs; the relay, the webhooks and
 * the AsyncAPI generator apply the same rules, so what the contract documents is what leaves.
 */
export type PrivateFields = Readonly<Record<string, readonly string[]>>;

/** The event data an outsider receives: `data` without the type's private fields (a copy when any is removed). */
export function publicPayloadOf(rules: PrivateFields, type: string, data: JsonObject): JsonObject {
  const hidden = rules[type];
  if (!hidden || hidden.length === 0) return data;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(data)) if (!hidden.includes(key)) out[key] = value;
  return out;
}
