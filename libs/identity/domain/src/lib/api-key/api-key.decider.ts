import type { ApiKeyEvent, ApiKeyGrant } from '@custodian/identity/contracts';
import { isAccessLevel, isModule } from '@custodian/identity/contracts';
import { ConflictError, NotFoundError, type Decider } from '@custodian/kernel';
import { requireHolds } from '../authority/actor-authority';
import { assertNever } from '@custodian/kernel';
import { invalid, requireHex, requireText, requireTimestamp } from '@custodian/kernel';
import type { CreateApiKey, RevokeApiKey, RotateApiKey } from './api-key.commands';

export type ApiKeyCommand = CreateApiKey | RotateApiKey | RevokeApiKey;

export type ApiKeyState = { status: 'none' } | ExistingApiKey;

export type ExistingApiKey = {
      status: 'active' | 'revoked';
      tenantId: string;
      keyId: string;
      name: string;
      createdBy: string;
      grants: ApiKeyGrant[];
      createdAt: string;
      expiresAt: string | null;
      secretHash: string;
      /** The secret before the last rotation, accepted until `until`. */
      previous: { secretHash: string; until: string } | null;
};

export const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;

/**
 * API keys for integrators, one stream each.
 * - A key's grants must each be held by its creator when created (ForbiddenError
 *   `grant_exceeds_own_access`); at use time the app layer also caps them by what the creator
 *   holds then, so a key never acts beyond its creator.
 * - Rotation needs the key's grants too (the rotator learns the new secret).
 * - Revocation is final and idempotent; a revoked key cannot be rotated (IllegalState-free:
 *   NotFoundError `api_key_not_found`, as for another tenant's key).
 */
export const apiKeyDecider: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'CreateApiKey':
        return create(command, state);
      case 'RotateApiKey':
        return rotate(command, state);
      case 'RevokeApiKey':
        return revoke(command, state);
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'identity.ApiKeyCreated': {
        const d = event.data;
        return { status: 'active', tenantId: d.tenantId, keyId: d.keyId, name: d.name, createdBy: d.createdBy, grants: d.grants, createdAt: d.at, expiresAt: d.expiresAt, secretHash: d.secretHash, previous: null };
      }
      case 'identity.ApiKeyRotated':
        if (state.status === 'none') return state;
        return {
          ...state,
          secretHash: event.data.secretHash,
          previous: event.data.previousValidUntil ? { secretHash: event.data.previousSecretHash, until: event.data.previousValidUntil } : null,
        };
      case 'identity.ApiKeyRevoked':
        return state.status === 'none' ? state : { ...state, status: 'revoked', previous: null };
      default:
        return assertNever(event, 'event');
    }
  },
};

function create({ data }: CreateApiKey, state: ApiKeyState): ApiKeyEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const name = requireText(typeof data.name === 'string' ? data.name.trim() : data.name, 'name');
  if (name.length > 200) throw invalid('name', 'name must be at most 200 characters');
  const expiresAt = data.expiresAt === null ? null : requireTimestamp(data.expiresAt, 'expiresAt');
  if (expiresAt !== null && Date.parse(expiresAt) <= Date.parse(at)) throw invalid('expiresAt', 'expiresAt must be in the future');
  const grants = validGrants(data.grants);
  for (const g of grants) requireHolds(data.actor, g);
  if (state.status !== 'none') throw new ConflictError('The API key already exists', 'api_key_exists');
  return [
    {
      type: 'identity.ApiKeyCreated',
      schemaVersion: 1,
      data: {
        tenantId: requireText(data.tenantId, 'tenantId'),
        keyId: requireText(data.keyId, 'keyId'),
        name,
        createdBy: data.actor.userId,
        grants,
        secretHash: requireHex(data.secretHash, 'secretHash', 64),
        expiresAt,
        at,
      },
    },
  ];
}

function rotate({ data }: RotateApiKey, state: ApiKeyState): ApiKeyEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const secretHash = requireHex(data.secretHash, 'secretHash', 64);
  const overlap = data.overlapSeconds;
  if (typeof overlap !== 'number' || !Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_SECONDS) {
    throw invalid('overlapSeconds', `overlapSeconds must be an integer from 0 to ${MAX_OVERLAP_SECONDS}`);
  }
  const key = activeOf(state, data.tenantId);
  for (const g of key.grants) requireHolds(data.actor, g);
  const previousValidUntil = overlap > 0 ? new Date(Date.parse(at) + overlap * 1000).toISOString() : null;
  return [
    { type: 'identity.ApiKeyRotated', schemaVersion: 1, data: { tenantId: key.tenantId, keyId: key.keyId, secretHash, previousSecretHash: key.secretHash, previousValidUntil, at } },
  ];
}

function revoke({ data }: RevokeApiKey, state: ApiKeyState): ApiKeyEvent[] {
  const at = requireTimestamp(data.at, 'at');
  if (state.status === 'none' || state.tenantId !== data.tenantId) throw new NotFoundError('API key not found', 'api_key_not_found');
  if (state.status === 'revoked') return [];
  return [{ type: 'identity.ApiKeyRevoked', schemaVersion: 1, data: { tenantId: state.tenantId, keyId: state.keyId, at } }];
}

function activeOf(state: ApiKeyState, tenantId: string): ExistingApiKey {
  if (state.status !== 'active' || state.tenantId !== tenantId) throw new NotFoundError('API key not found', 'api_key_not_found');
  return state;
}

/** True when `secretHash` opens the key at `now`: active, unexpired, current secret or previous one inside its overlap. */
export function apiKeyAccepts(state: ApiKeyState, secretHash: string, now: Date): boolean {
  if (state.status !== 'active') return false;
  if (state.expiresAt !== null && now.getTime() >= Date.parse(state.expiresAt)) return false;
  if (secretHash === state.secretHash) return true;
  return state.previous !== null && secretHash === state.previous.secretHash && now.getTime() < Date.parse(state.previous.until);
}

function validGrants(value: unknown): ApiKeyGrant[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('grants', 'grants must be a non-empty list');
  const seen = new Set<string>();
  return value.map((g: unknown, i) => {
    const grant = g as Partial<ApiKeyGrant> | null;
    if (!grant || !isModule(grant.module)) throw invalid(`grants[${i}].module`, `Unknown module ${String(grant?.module)}`);
    if (!isAccessLevel(grant.access)) throw invalid(`grants[${i}].access`, `Unknown access level ${String(grant.access)}`);
    if (seen.has(grant.module)) throw invalid(`grants[${i}].module`, `Module ${grant.module} is listed twice`);
    seen.add(grant.module);
    const locations = grant.locations;
    if (locations !== 'all' && (!Array.isArray(locations) || locations.length === 0 || locations.length > 500 || !locations.every((l) => typeof l === 'string' && l.length > 0 && l.length <= 128))) {
      throw invalid(`grants[${i}].locations`, "locations must be 'all' or a non-empty list of location ids");
    }
    return { module: grant.module, access: grant.access, locations: locations === 'all' ? 'all' : [...new Set(locations)].sort() };
  });
}
