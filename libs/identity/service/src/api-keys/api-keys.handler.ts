import { randomBytes, randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import {
  apiKeyStreamId,
  grantOn,
  type ApiKeyRef,
  type ApiKeyView,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type Empty,
  type ListApiKeysResponse,
  type RotateApiKeyRequest,
  type RotateApiKeyResponse,
  type ServiceRequest,
} from '@custodian/identity/contracts';
import type { ApiKeyState } from '@custodian/identity/domain';
import { ConflictError, ForbiddenError, NotFoundError } from '@custodian/kernel';
import type { DataSource } from 'typeorm';
import type { ProjectionRunner } from '@custodian/projections';
import { adminContext, type AdminContext } from '../infra/admin-context';
import { uuidOrUndefined } from '@custodian/platform';
import { formatApiKeySecret, sha256Hex, type AuthorityReader } from '../infra/authority';
import type { IdentityCommands } from '../infra/identity-store';
import { readModelAt } from '@custodian/projections';

const IDS_FROM_KEY = '7b0e5d3a-1f2c-4e8b-a6d9-5c3f1e2a4b60';

type KeyRow = { key_id: string; name: string; created_by: string; grants: ApiKeyView['grants']; created_at: Date; expires_at: Date | null; revoked_at: Date | null };

/**
 * API keys for integrators (`security:manage`, users only — a key cannot mint keys).
 * The secret is returned once (create, rotate); only its SHA-256 is stored. Creating or
 * rotating a key needs every grant the key carries (the decider checks it).
 */
export class ApiKeysHandler {
  constructor(
    private readonly commands: IdentityCommands,
    private readonly authority: AuthorityReader,
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create({ meta, body }: ServiceRequest<CreateApiKeyRequest>): Promise<CreateApiKeyResponse> {
    const admin = await this.manager(meta);
    const keyId = meta.idempotencyKey ? uuidV5(`${admin.tenantId}\u0000apikey\u0000${meta.idempotencyKey}`, IDS_FROM_KEY) : randomUUID();
    const secret = formatApiKeySecret(keyId, randomBytes(32).toString('base64url'));
    const outcome = await this.commands.apiKeys.handle(
      apiKeyStreamId(keyId),
      {
        type: 'CreateApiKey',
        data: { tenantId: admin.tenantId, keyId, name: body.name, grants: body.grants, secretHash: sha256Hex(secret), expiresAt: body.expiresAt ?? null, at: admin.now.toISOString(), actor: admin.authority },
      },
      admin.ctx,
    );
    // A replayed create cannot show the secret again: only its hash exists.
    if (outcome.replayed) {
      throw new ConflictError(
        'An earlier request with this Idempotency-Key created the key and showed its secret; it cannot be shown again. Rotate the key for a new secret.',
        'secret_already_shown',
        { keyId },
      );
    }
    return { ...viewOf(outcome.state, admin.now), secret };
  }

  async list({ meta }: ServiceRequest<Empty>): Promise<ListApiKeysResponse> {
    const admin = await this.manager(meta);
    await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query('SELECT * FROM identity_rm.api_keys WHERE tenant_id = $1 ORDER BY created_at, key_id LIMIT 1000', [admin.tenantId])) as KeyRow[];
    const now = admin.now.getTime();
    return {
      items: rows.map((r) => ({
        keyId: r.key_id,
        name: r.name,
        createdBy: r.created_by,
        grants: r.grants,
        createdAt: r.created_at.toISOString(),
        expiresAt: r.expires_at ? r.expires_at.toISOString() : null,
        status: r.revoked_at ? 'revoked' : r.expires_at && r.expires_at.getTime() <= now ? 'expired' : 'active',
      })),
    };
  }

  async rotate({ meta, body }: ServiceRequest<RotateApiKeyRequest>): Promise<RotateApiKeyResponse> {
    const admin = await this.manager(meta);
    const keyId = this.keyIdOf(body);
    const secret = formatApiKeySecret(keyId, randomBytes(32).toString('base64url'));
    const outcome = await this.commands.apiKeys.handle(
      apiKeyStreamId(keyId),
      { type: 'RotateApiKey', data: { tenantId: admin.tenantId, keyId, secretHash: sha256Hex(secret), overlapSeconds: body.overlapSeconds ?? 0, at: admin.now.toISOString(), actor: admin.authority } },
      { ...admin.ctx, idempotencyKey: undefined },
    );
    const state = outcome.state;
    return { keyId, secret, previousValidUntil: state.status === 'none' ? null : (state.previous?.until ?? null) };
  }

  /** Idempotent: revoking a revoked key answers its view again. */
  async revoke({ meta, body }: ServiceRequest<ApiKeyRef>): Promise<ApiKeyView> {
    const admin = await this.manager(meta);
    const keyId = this.keyIdOf(body);
    const outcome = await this.commands.apiKeys.handle(apiKeyStreamId(keyId), { type: 'RevokeApiKey', data: { tenantId: admin.tenantId, keyId, at: admin.now.toISOString(), actor: admin.authority } }, admin.ctx);
    return viewOf(outcome.state, admin.now);
  }

  private keyIdOf(body: { keyId: string }): string {
    const keyId = uuidOrUndefined(body.keyId);
    if (!keyId) throw new NotFoundError('API key not found', 'api_key_not_found');
    return keyId;
  }

  private async manager(meta: ServiceRequest<unknown>['meta']): Promise<AdminContext> {
    if (meta.actor?.principal?.kind !== 'user') throw new ForbiddenError('API keys are managed by users, not by other keys', 'users_only');
    const admin = await adminContext(this.authority, meta, this.clock());
    if (grantOn(admin.authority.grants, 'security')?.access !== 'manage') throw new ForbiddenError('security:manage is required', 'insufficient_access');
    return admin;
  }
}

function viewOf(state: ApiKeyState, now: Date): ApiKeyView {
  if (state.status === 'none') throw new NotFoundError('API key not found', 'api_key_not_found');
  const expired = state.expiresAt !== null && Date.parse(state.expiresAt) <= now.getTime();
  return {
    keyId: state.keyId,
    name: state.name,
    createdBy: state.createdBy,
    grants: state.grants,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
    status: state.status === 'revoked' ? 'revoked' : expired ? 'expired' : 'active',
  };
}
