import type { EmailClaimed } from '@custodian/identity/contracts';
import { ConflictError, type Decider } from '@custodian/kernel';
import { assertNever } from '@custodian/kernel';
import { requireHex, requireText } from '@custodian/kernel';
import type { ClaimEmail } from './claim-email.command';

/** State of stream `identity-email-<tenantId>-<emailIndex>`. */
export type EmailClaimState =
  | { status: 'unclaimed' }
  | { status: 'claimed'; tenantId: string; userId: string; emailIndex: string };

export type EmailClaimCommand = ClaimEmail;
export type EmailClaimEvent = EmailClaimed;

/**
 * Uniqueness of an email within a tenant. Claiming again for the same user is a no-op (a
 * retried registration resumes); for another user it is ConflictError `email_taken`.
 */
export const emailClaimDecider: Decider<EmailClaimState, EmailClaimCommand, EmailClaimEvent> = {
  initialState: () => ({ status: 'unclaimed' }),

  decide(command, state) {
    switch (command.type) {
      case 'ClaimEmail': {
        const tenantId = requireText(command.data.tenantId, 'tenantId');
        const userId = requireText(command.data.userId, 'userId');
        const emailIndex = requireHex(command.data.emailIndex, 'emailIndex');
        switch (state.status) {
          case 'unclaimed':
            return [{ type: 'identity.EmailClaimed', schemaVersion: 1, data: { tenantId, userId, emailIndex } }];
          case 'claimed':
            if (state.userId === userId) return [];
            throw new ConflictError('This email is already in use', 'email_taken');
          default:
            return assertNever(state, 'state');
        }
      }
      default:
        return assertNever(command.type, 'command');
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case 'identity.EmailClaimed':
        return { status: 'claimed', ...event.data };
      default:
        return assertNever(event.type, 'event');
    }
  },
};
