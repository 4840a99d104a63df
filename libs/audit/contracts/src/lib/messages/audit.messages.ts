/*
 * The gateway ↔ audit message contract (envelope: the kernel's ServiceRequest/Reply).
 * - Activity, ledger and history requests are scoped by the caller's `audit` grant; incidents
 *   and blocked IPs by the `security` grant (both in `meta.actor.grants`). Audit data is
 *   tenant-wide: these modules need their grant on all locations.
 * - `recordActivity` and `blocklistFeed` are the gateways' own calls (no user principal).
 * - Proof documents are what an auditor verifies offline (docs/verification.md "Ledger").
 */
export const AUDIT_PATTERNS = {
  health: 'audit.health',
  recordActivity: 'audit.activity.record',
  listActivity: 'audit.activity.list',
  latestCheckpoint: 'audit.checkpoints.latest',
  checkpointAt: 'audit.checkpoints.at',
  inclusionProof: 'audit.proofs.inclusion',
  consistencyProof: 'audit.proofs.consistency',
  publicKey: 'audit.public-key',
  replayStream: 'audit.streams.replay',
  verifyLedger: 'audit.ledger.verify',
  blocklistFeed: 'audit.security.blocklist-feed',
  listBlockedIps: 'audit.security.blocked-ips.list',
  blockIp: 'audit.security.blocked-ips.block',
  unblockIp: 'audit.security.blocked-ips.unblock',
  listNotifications: 'audit.security.notifications.list',
  openIncident: 'audit.incidents.open',
  listIncidents: 'audit.incidents.list',
  getIncident: 'audit.incidents.get',
  addIncidentEntry: 'audit.incidents.entries.add',
  updateIncident: 'audit.incidents.update',
} as const;

/** How a request ended: below 400 ok; 401/403 denied; other 4xx rejected; 5xx error. */
export type ActivityResult = 'ok' | 'denied' | 'rejected' | 'error';
export const ACTIVITY_RESULTS: readonly ActivityResult[] = ['ok', 'denied', 'rejected', 'error'];

export function activityResultOf(status: number): ActivityResult {
  if (status >= 500) return 'error';
  if (status === 401 || status === 403) return 'denied';
  if (status >= 400) return 'rejected';
  return 'ok';
}

/** Who made a request, as far as the gateway could tell. */
export type ActivityActor =
  | { kind: 'user'; userId: string; sessionId: string | null }
  | { kind: 'api_key'; keyId: string; userId: string }
  | { kind: 'bootstrap' }
  | { kind: 'anonymous' };

/**
 * One API request, as the gateway saw it. `activityId` is the gateway's UUID for it (the
 * idempotency key of delivery: a batch delivered twice is stored once); `requestId` is the
 * X-Request-Id (client-supplied ones are not unique). `action` is "<METHOD> <route pattern>",
 * `operation` the handler's name; `targetIds` the route's path parameters.
 */
export type ActivityEntry = {
  activityId: string;
  at: string;
  requestId: string;
  tenantId: string | null;
  actor: ActivityActor;
  action: string;
  operation: string;
  targetIds: Record<string, string>;
  status: number;
  result: ActivityResult;
  errorCode: string | null;
  ip: string;
  userAgent: string | null;
  durationMs: number;
  gateway: string;
};

export type RecordActivityRequest = { entries: ActivityEntry[] };
export type RecordActivityResponse = { stored: number; duplicates: number };

export type ListActivityRequest = {
  userId?: string;
  action?: string;
  ip?: string;
  result?: ActivityResult;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
};
export type ActivityView = Omit<ActivityEntry, 'tenantId'> & { receivedAt: string };
export type ListActivityResponse = { items: ActivityView[]; nextCursor: string | null };

/** A signed tree head (docs/verification.md states the body serialisation and signature). */
export type CheckpointView = {
  version: 1;
  origin: string;
  treeSize: number;
  /** Lowercase hex of the 32-byte RFC 6962 root. */
  rootHash: string;
  timestamp: string;
  keyId: string;
  /** Base64 Ed25519 signature over the serialised body. */
  signature: string;
};
export type CheckpointAtRequest = { treeSize: number };

export type InclusionProofRequest = { eventId: string; treeSize?: number };
export type InclusionProofView = {
  kind: 'custodian.inclusion-proof/v1';
  eventId: string;
  /** The event's chain hash: the leaf's data. */
  eventHash: string;
  leafIndex: number;
  treeSize: number;
  auditPath: string[];
  checkpoint: CheckpointView;
};

export type ConsistencyProofRequest = { from: number; to: number };
export type ConsistencyProofView = {
  kind: 'custodian.consistency-proof/v1';
  from: CheckpointView;
  to: CheckpointView;
  proof: string[];
};

export type PublicKeyView = { keyId: string; algorithm: 'Ed25519'; publicKeyPem: string; origin: string };

export type ReplayStreamRequest = { streamId: string; asOf?: string };
/** One stored event as it is in the log (encrypted personal fields stay encrypted), with its place in the ledger. */
export type ReplayedEvent = {
  eventId: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  version: number;
  recordedAt: string;
  tenantId: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** Null while the event is newer than the latest checkpoint (`pending`). */
  inclusion: { leafIndex: number; auditPath: string[] } | null;
};
export type ReplayStreamResponse = {
  streamId: string;
  asOf: string | null;
  /** The checkpoint every inclusion proof is relative to (null before the first one). */
  checkpoint: CheckpointView | null;
  /** The stream's hash chain as stored now, recomputed (an edited event breaks it). */
  chain: { ok: true } | { ok: false; brokenAtVersion: number; reason: string };
  events: ReplayedEvent[];
};

/** A ledger sweep: every sequenced event re-read from the store and re-hashed. */
export type LedgerDiscrepancy = {
  eventId: string;
  streamId: string;
  version: number;
  leafIndex: number;
  problem: 'altered' | 'missing' | 'hash_mismatch';
  detail: string;
};
export type VerifyLedgerResponse = {
  ok: boolean;
  checked: number;
  treeSize: number;
  /** The rebuilt tree's root equals the latest signed checkpoint's (for its size). */
  checkpointRootMatches: boolean;
  discrepancies: LedgerDiscrepancy[];
};

export type BlockedIpView = { ip: string; until: string | null; reason: string; blockedBy: { kind: 'user' | 'rule'; id: string }; since: string };
export type ListBlockedIpsResponse = { items: BlockedIpView[] };
export type BlockIpRequest = { ip: string; until?: string | null; reason: string };
export type UnblockIpRequest = { ip: string };

/** Gateways long-poll this; a reply carries the whole active blocklist whenever its version moved. */
export type BlocklistFeedRequest = { after?: number; waitMs: number };
export type BlocklistFeedResponse = { version: number; blocks: Array<{ tenantId: string; ip: string; until: string | null }> };

export type SecurityNotificationView = { notificationId: string; at: string; audience: 'account_admins'; kind: string; text: string; incidentId: string | null };
export type ListNotificationsRequest = { limit?: number; cursor?: string };
export type ListNotificationsResponse = { items: SecurityNotificationView[]; nextCursor: string | null };

export type IncidentSeverityWire = 'low' | 'medium' | 'high' | 'critical';
export type IncidentStatusWire = 'open' | 'investigating' | 'contained' | 'resolved';
export type IncidentKindWire = 'security' | 'breach' | 'operational';

export type OpenIncidentRequest = { kind: IncidentKindWire; severity: IncidentSeverityWire; title: string; description?: string | null; detectedAt?: string };
export type AddIncidentEntryRequest = { incidentId: string; kind: 'note' | 'action' | 'notification_sent'; text: string };
export type UpdateIncidentRequest = { incidentId: string; status?: IncidentStatusWire; severity?: IncidentSeverityWire };
export type IncidentRef = { incidentId: string };
export type ListIncidentsRequest = { status?: IncidentStatusWire; kind?: IncidentKindWire; limit?: number; cursor?: string };

export type IncidentEntryView = { entryId: string | null; kind: string; text: string | null; by: { kind: 'user' | 'rule' | 'platform'; id: string }; at: string };
export type IncidentView = {
  incidentId: string;
  kind: IncidentKindWire;
  severity: IncidentSeverityWire;
  status: IncidentStatusWire;
  title: string | null;
  description: string | null;
  detectedAt: string;
  openedBy: { kind: 'user' | 'rule'; id: string };
  /** Breach incidents: detectedAt + 24 h; null otherwise. */
  notificationDeadline: string | null;
  /** Breach incidents: true once a notification_sent entry exists. */
  notified: boolean;
  timeline: IncidentEntryView[];
};
export type IncidentSummary = Omit<IncidentView, 'timeline' | 'description'> & { entries: number; updatedAt: string };
export type ListIncidentsResponse = { items: IncidentSummary[]; nextCursor: string | null };

export type AuditHealthResponse = { status: 'up' | 'down'; checks: Array<{ name: string; status: 'up' | 'down'; detail?: string }> };

export type AuditMessages = {
  [AUDIT_PATTERNS.health]: { request: Record<string, never>; response: AuditHealthResponse };
  [AUDIT_PATTERNS.recordActivity]: { request: RecordActivityRequest; response: RecordActivityResponse };
  [AUDIT_PATTERNS.listActivity]: { request: ListActivityRequest; response: ListActivityResponse };
  [AUDIT_PATTERNS.latestCheckpoint]: { request: Record<string, never>; response: CheckpointView };
  [AUDIT_PATTERNS.checkpointAt]: { request: CheckpointAtRequest; response: CheckpointView };
  [AUDIT_PATTERNS.inclusionProof]: { request: InclusionProofRequest; response: InclusionProofView };
  [AUDIT_PATTERNS.consistencyProof]: { request: ConsistencyProofRequest; response: ConsistencyProofView };
  [AUDIT_PATTERNS.publicKey]: { request: Record<string, never>; response: PublicKeyView };
  [AUDIT_PATTERNS.replayStream]: { request: ReplayStreamRequest; response: ReplayStreamResponse };
  [AUDIT_PATTERNS.verifyLedger]: { request: Record<string, never>; response: VerifyLedgerResponse };
  [AUDIT_PATTERNS.blocklistFeed]: { request: BlocklistFeedRequest; response: BlocklistFeedResponse };
  [AUDIT_PATTERNS.listBlockedIps]: { request: Record<string, never>; response: ListBlockedIpsResponse };
  [AUDIT_PATTERNS.blockIp]: { request: BlockIpRequest; response: BlockedIpView };
  [AUDIT_PATTERNS.unblockIp]: { request: UnblockIpRequest; response: ListBlockedIpsResponse };
  [AUDIT_PATTERNS.listNotifications]: { request: ListNotificationsRequest; response: ListNotificationsResponse };
  [AUDIT_PATTERNS.openIncident]: { request: OpenIncidentRequest; response: IncidentView };
  [AUDIT_PATTERNS.listIncidents]: { request: ListIncidentsRequest; response: ListIncidentsResponse };
  [AUDIT_PATTERNS.getIncident]: { request: IncidentRef; response: IncidentView };
  [AUDIT_PATTERNS.addIncidentEntry]: { request: AddIncidentEntryRequest; response: IncidentView };
  [AUDIT_PATTERNS.updateIncident]: { request: UpdateIncidentRequest; response: IncidentView };
};
