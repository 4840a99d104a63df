import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { GENESIS_HASH, type RecordedEvent } from '@custodian/kernel';

/**
 * The per-stream hash chain (docs/verification.md states it for re-implementers):
 *
 *   envelope = the recorded event without `hash` and without `globalPosition`
 *   hash     = lowercase hex of SHA-256( bytes(prevHash) ‖ UTF-8(JCS(envelope)) )
 *
 * where bytes(prevHash) is the 32 bytes the previous hash's hex denotes (32 zero bytes for
 * version 1) and JCS is RFC 8785 canonical JSON. globalPosition is left out because the store
 * assigns it at commit time and it differs between stores holding the same stream.
 */
export type HashableEvent = Omit<RecordedEvent, 'hash' | 'globalPosition'>;

export function hashableEnvelope(e: HashableEvent): Record<string, unknown> {
  return {
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    streamId: e.streamId,
    version: e.version,
    recordedAt: e.recordedAt,
    tenantId: e.tenantId,
    data: e.data,
    metadata: stripUndefined(e.metadata),
    prevHash: e.prevHash,
  };
}

export function computeEventHash(e: HashableEvent): string {
  const canonical = canonicalize(hashableEnvelope(e));
  if (canonical === undefined) throw new Error('event envelope is not serialisable as JSON');
  return createHash('sha256').update(Buffer.from(e.prevHash, 'hex')).update(canonical, 'utf8').digest('hex');
}

export { GENESIS_HASH };

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Walks a stream's events in version order and returns the first version whose link is
 * broken (wrong version number, wrong prevHash, or a hash that does not match its content).
 */
export function verifyChain(
  streamId: string,
  events: Iterable<RecordedEvent>,
): { ok: true; events: number; headHash: string } | { ok: false; events: number; brokenAtVersion: number; reason: string } {
  let prev = GENESIS_HASH;
  let expectedVersion = 1;
  let count = 0;
  for (const e of events) {
    count++;
    if (e.streamId !== streamId) return { ok: false, events: count, brokenAtVersion: expectedVersion, reason: 'event belongs to another stream' };
    if (e.version !== expectedVersion) return { ok: false, events: count, brokenAtVersion: expectedVersion, reason: `version ${expectedVersion} is missing` };
    if (e.prevHash !== prev) return { ok: false, events: count, brokenAtVersion: e.version, reason: 'prevHash does not match the previous event' };
    if (computeEventHash(e) !== e.hash) return { ok: false, events: count, brokenAtVersion: e.version, reason: 'hash does not match the event content' };
    prev = e.hash;
    expectedVersion++;
  }
  return { ok: true, events: count, headHash: prev };
}
