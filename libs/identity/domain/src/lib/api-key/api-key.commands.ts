import type { ApiKeyGrant } from '@custodian/identity/contracts';
import type { Command } from '@custodian/kernel';
import type { ActorAuthority } from '../authority/actor-authority';

/** A new key acting with `grants`, each of which the actor must hold. `secretHash` is the SHA-256 (hex) of the secret. */
export type CreateApiKey = Command<
  'CreateApiKey',
  { tenantId: string; keyId: string; name: string; grants: ApiKeyGrant[]; secretHash: string; expiresAt: string | null; at: string; actor: ActorAuthority }
>;

/** A new secret; the old one keeps working for `overlapSeconds` (0: stops at once). The actor must hold the key's grants. */
export type RotateApiKey = Command<'RotateApiKey', { tenantId: string; keyId: string; secretHash: string; overlapSeconds: number; at: string; actor: ActorAuthority }>;

/** The key stops working, with every secret it had. */
export type RevokeApiKey = Command<'RevokeApiKey', { tenantId: string; keyId: string; at: string; actor: ActorAuthority }>;
