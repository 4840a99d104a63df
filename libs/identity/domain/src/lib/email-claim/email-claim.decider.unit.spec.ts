import type { EmailClaimed } from '@custodian/identity/contracts';
import { ConflictError, ValidationError } from '@custodian/kernel';
import { deciderSpec } from '@custodian/testing';
import type { ClaimEmail } from './claim-email.command';
import { emailClaimDecider } from './email-claim.decider';

const spec = deciderSpec(emailClaimDecider);
const emailIndex = 'a3f1c0de'.repeat(8);

const claim = (userId: string, index = emailIndex): ClaimEmail => ({
  type: 'ClaimEmail',
  data: { tenantId: 'tenant-1', userId, emailIndex: index },
});
const claimed = (userId: string): EmailClaimed => ({
  type: 'identity.EmailClaimed',
  schemaVersion: 1,
  data: { tenantId: 'tenant-1', userId, emailIndex },
});

describe('email claim decider', () => {
  it('claims a free email for the user', () => {
    spec.given([]).when(claim('user-1')).then([claimed('user-1')]);
  });

  it('refuses an email another user holds', () => {
    spec.given([claimed('user-1')]).when(claim('user-2')).thenThrows(ConflictError, 'email_taken');
  });

  it('accepts a repeated claim by the same user without new events', () => {
    spec.given([claimed('user-1')]).when(claim('user-1')).thenNothing();
  });

  it('refuses an index that is not lower-case hex (never a plaintext email)', () => {
    spec.given([]).when(claim('user-1', 'ana@example.com')).thenThrows(ValidationError, 'validation_failed');
    spec.given([]).when(claim('user-1', '')).thenThrows(ValidationError, 'validation_failed');
  });

  it('keeps the holder in state', () => {
    spec.given([]).when(claim('user-1')).thenState({ status: 'claimed', tenantId: 'tenant-1', userId: 'user-1', emailIndex });
  });
});
