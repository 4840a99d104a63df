import type { PrivateFields } from '@custodian/kernel';
import type { IdentityEvent } from './identity.events';

/**
 * Identity's fields that never leave the platform (public topics, webhooks, AsyncAPI): a login's
 * client address and user agent are personal data; credential hashes are nobody's business
 * outside. Internal consumers (the security monitor) read them from the event store's log.
 */
export const IDENTITY_PRIVATE_FIELDS = {
  'identity.LoginSucceeded': ['ip', 'userAgent'],
  'identity.LoginFailed': ['ip', 'userAgent'],
  'identity.LoginBlocked': ['ip', 'userAgent'],
  'identity.UnknownAccountLoginFailed': ['ip', 'userAgent'],
  'identity.UserInvited': ['activationTokenHash'],
  'identity.ApiKeyCreated': ['secretHash'],
  'identity.ApiKeyRotated': ['secretHash', 'previousSecretHash'],
} as const satisfies Partial<Record<IdentityEvent['type'], readonly string[]>> & PrivateFields;
