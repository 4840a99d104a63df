import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import { UnauthorizedError } from '@custodian/kernel';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, IDENTITY_PATTERNS } from '@custodian/identity/contracts';
import { IdentityClient } from '../identity/identity.client';

const JWKS_REFRESH_MIN_MS = 1_000;

/** The identity a valid access token names; what it may do is the principal's business. */
export type TokenClaims = { userId: string; tenantId: string; sessionId: string };

/**
 * Verifies EdDSA access tokens against the identity service's JWKS, held in memory and
 * re-fetched when a token names an unknown key id (at most every second), so a rotated key is
 * picked up without restarts. Every failure is the same 401.
 */
@Injectable()
export class AccessTokenVerifier {
  private keys: ReturnType<typeof createLocalJWKSet> | undefined;
  private fetchedAt = 0;

  constructor(private readonly identity: IdentityClient) {}

  async verify(token: string): Promise<TokenClaims> {
    try {
      return await this.verifyWith(await this.keySet(false), token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey && Date.now() - this.fetchedAt > JWKS_REFRESH_MIN_MS) {
        return this.verifyWith(await this.keySet(true), token).catch(() => {
          throw invalid();
        });
      }
      throw error instanceof UnauthorizedError ? error : invalid();
    }
  }

  private async verifyWith(keys: ReturnType<typeof createLocalJWKSet>, token: string): Promise<TokenClaims> {
    const { payload } = await jwtVerify(token, keys, { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE, algorithms: ['EdDSA'], typ: 'at+jwt' });
    const tenantId = payload['tid'];
    const sessionId = payload['sid'];
    if (typeof payload.sub !== 'string' || typeof tenantId !== 'string' || typeof sessionId !== 'string') throw invalid();
    return { userId: payload.sub, tenantId, sessionId };
  }

  private async keySet(refresh: boolean): Promise<ReturnType<typeof createLocalJWKSet>> {
    if (!this.keys || refresh) {
      const jwks = await this.identity.send(IDENTITY_PATTERNS.jwks, {}, { requestId: 'jwks-refresh' });
      this.keys = createLocalJWKSet(jwks as unknown as JSONWebKeySet);
      this.fetchedAt = Date.now();
    }
    return this.keys;
  }
}

function invalid(): UnauthorizedError {
  return new UnauthorizedError('The access token is invalid or expired', 'invalid_token');
}
