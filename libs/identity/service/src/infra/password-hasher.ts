import * as argon2 from 'argon2';

/**
 * Argon2id with OWASP's minimum profile (19 MiB, 2 passes, 1 lane): ~tens of ms per hash here.
 * `verifyOrBurn` spends the same work when there is no stored hash, so a wrong email and a
 * wrong password cannot be told apart by timing.
 */
export class PasswordHasher {
  private readonly options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
  private dummy: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verifyOrBurn(storedHash: string | undefined, password: string): Promise<boolean> {
    if (!storedHash) {
      this.dummy ??= this.hash('custodian-timing-equaliser');
      await argon2.verify(await this.dummy, password).catch(() => false);
      return false;
    }
    return argon2.verify(storedHash, password).catch(() => false);
  }
}
