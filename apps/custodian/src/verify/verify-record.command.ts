import { readFileSync } from 'node:fs';
import { verifyChain } from '@custodian/event-store';
import type { RecordedEvent } from '@custodian/kernel';

export type VerifyRecordOutcome =
  | { verify: 'record'; ok: true; recordId: string; events: number; headHash: string }
  | { verify: 'record'; ok: false; recordId: string | null; events: number; brokenAtVersion?: number; reason: string };

/**
 * `custodian verify record <file>`: checks a record export (GET /v1/records/{id}/export) offline,
 * with nothing but the file: every event's hash is recomputed from its content and its
 * prevHash, the chain must run from version 1 without gaps, and the last hash must equal the
 * export's `headHash` (docs/verification.md). Exit code 0 when it verifies, 1 when it does not,
 * 2 when the file cannot be read as an export.
 */
export function verifyRecordExport(json: unknown): VerifyRecordOutcome {
  const doc = json as { format?: unknown; recordId?: unknown; streamId?: unknown; headHash?: unknown; events?: unknown } | null;
  const recordId = typeof doc?.recordId === 'string' ? doc.recordId : null;
  if (!doc || doc.format !== 'custodian.record-export.v1' || typeof doc.streamId !== 'string' || !Array.isArray(doc.events) || typeof doc.headHash !== 'string') {
    return { verify: 'record', ok: false, recordId, events: 0, reason: 'not a custodian.record-export.v1 document' };
  }
  if (doc.events.length === 0) return { verify: 'record', ok: false, recordId, events: 0, reason: 'the export holds no events' };
  const result = verifyChain(doc.streamId, doc.events as RecordedEvent[]);
  if (!result.ok) return { verify: 'record', ok: false, recordId, events: result.events, brokenAtVersion: result.brokenAtVersion, reason: result.reason };
  if (result.headHash !== doc.headHash) return { verify: 'record', ok: false, recordId, events: result.events, reason: 'the last event is not the head the export names (events missing at the end?)' };
  return { verify: 'record', ok: true, recordId: recordId ?? doc.streamId, events: result.events, headHash: result.headHash };
}

export function verifyRecordCommand(file: string): void {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ verify: 'record', ok: false, recordId: null, events: 0, reason: `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}` })}\n`);
    process.exitCode = 2;
    return;
  }
  const outcome = verifyRecordExport(json);
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exitCode = outcome.ok ? 0 : outcome.reason.startsWith('not a custodian') ? 2 : 1;
}
