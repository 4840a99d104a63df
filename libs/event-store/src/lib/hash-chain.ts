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

/** A copy of `o` without its undefined members (they are absent from JSON and from the hash). */
export function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Checks a stream's events one by one, in version order, and remembers the first broken link:
 * a missing or out-of-order version, a prevHash that is not the previous event's hash, or a
 * hash that does not match the event's content. Feed it page by page to bound memory.
 */
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private nextVersion = 1;
  private count = 0;
  private broken: { brokenAtVersion: number; reason: string } | undefined;

  constructor(private readonly streamId: string) {}

  /** Returns false once the chain is broken (later events are not examined). */
  push(e: RecordedEvent): boolean {
    if (this.broken) return false;
    this.count++;
    if (e.streamId !== this.streamId) this.broken = { brokenAtVersion: this.nextVersion, reason: 'event belongs to another stream' };
    else if (e.version !== this.nextVersion) this.broken = { brokenAtVersion: this.nextVersion, reason: `version ${this.nextVersion} is missing` };
    else if (e.prevHash !== this.prev) this.broken = { brokenAtVersion: e.version, reason: 'prevHash does not match the previous event' };
    else if (computeEventHash(e) !== e.hash) this.broken = { brokenAtVersion: e.version, reason: 'hash does not match the event content' };
    if (this.broken) return false;
    this.prev = e.hash;
    this.nextVersion++;
    return true;
  }

  result(): { ok: true; events: number; headHash: string } | { ok: false; events: number; brokenAtVersion: number; reason: string } {
    return this.broken ? { ok: false, events: this.count, ...this.broken } : { ok: true, events: this.count, headHash: this.prev };
  }
}

/** Verifies a whole stream held in memory (the offline verifier uses this on an export). */
export function verifyChain(streamId: string, events: Iterable<RecordedEvent>): ReturnType<ChainVerifier['result']> {
  const verifier = new ChainVerifier(streamId);
  for (const e of events) if (!verifier.push(e)) break;
  return verifier.result();
}
