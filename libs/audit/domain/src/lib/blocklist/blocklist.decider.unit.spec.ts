import { ValidationError } from '@custodian/kernel';
import type { ActorRef, IpBlocked, IpUnblocked } from '@custodian/audit/contracts';
import { deciderSpec } from '@custodian/testing';
import type { BlockIp, UnblockIp } from './blocklist.commands';
import { activeBlock, activeBlocks, blocklistDecider, isBlocked, type BlocklistState } from './blocklist.decider';

const spec = deciderSpec(blocklistDecider);
const tenantId = 'tenant-1';
const admin: ActorRef = { kind: 'user', id: 'user-admin' };
const rule: ActorRef = { kind: 'rule', id: 'failed-logins-per-ip' };
const ip = '203.0.113.45';
const v6 = '2001:db8::1';

// ---- instants ----
const at = '2027-03-22T02:15:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const HOUR = 3_600_000;
const inAnHour = plus(at, HOUR);
const inTwoHours = plus(at, 2 * HOUR);

// ---- commands ----
const blockIp = (over: Partial<BlockIp['data']> = {}): BlockIp => ({ type: 'BlockIp', data: { tenantId, ip, until: inAnHour, reason: 'failed-logins', by: rule, at, ...over } });
const unblockIp = (over: Partial<UnblockIp['data']> = {}): UnblockIp => ({ type: 'UnblockIp', data: { tenantId, ip, by: admin, at: plus(at, 10 * 60_000), ...over } });

// ---- events ----
const blocked = (over: Partial<IpBlocked['data']> = {}): IpBlocked => ({ type: 'audit.IpBlocked', schemaVersion: 1, data: { tenantId, ip, until: inAnHour, reason: 'failed-logins', by: rule, at, ...over } });
const unblocked = (over: Partial<IpUnblocked['data']> = {}): IpUnblocked => ({ type: 'audit.IpUnblocked', schemaVersion: 1, data: { tenantId, ip, by: admin, at: plus(at, 10 * 60_000), ...over } });

describe('blocklistDecider', () => {
  describe('BlockIp', () => {
    it('blocks an address until the given time', () => {
      spec.given([]).when(blockIp()).then([blocked()]);
      spec
        .given([])
        .when(blockIp())
        .thenState({ [ip]: { until: inAnHour, reason: 'failed-logins', by: rule, since: at } });
    });

    it('blocks an address until unblocked', () => {
      spec.given([]).when(blockIp({ until: null, by: admin, reason: 'abuse report #1234' })).then([blocked({ until: null, by: admin, reason: 'abuse report #1234' })]);
    });

    it('stores the normalised address, whatever spelling the command used', () => {
      spec.given([]).when(blockIp({ ip: '::FFFF:203.0.113.45' })).then([blocked()]);
      spec.given([]).when(blockIp({ ip: '2001:0DB8:0:0:0:0:0:0001' })).then([blocked({ ip: v6 })]);
    });

    it('refuses what is not an address', () => {
      for (const bad of ['', 'localhost', '10.0.0.0/8', '01.2.3.4', 'fe80::1%eth0', ' 203.0.113.45', null as unknown as string]) {
        spec.given([]).when(blockIp({ ip: bad })).thenThrows(ValidationError, 'invalid_ip');
      }
    });

    it('refuses an end that is not after the block begins', () => {
      spec.given([]).when(blockIp({ until: at })).thenThrows(ValidationError, 'invalid_until');
      spec.given([]).when(blockIp({ until: plus(at, -1000) })).thenThrows(ValidationError, 'invalid_until');
      spec.given([]).when(blockIp({ until: 'in an hour' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses a blank or over-long reason, an unknown actor and a bad time', () => {
      spec.given([]).when(blockIp({ reason: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(blockIp({ reason: 'r'.repeat(201) })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(blockIp({ reason: 'r'.repeat(200) })).then([blocked({ reason: 'r'.repeat(200) })]);
      spec.given([]).when(blockIp({ by: { kind: 'system', id: 'x' } as unknown as ActorRef })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(blockIp({ by: { kind: 'user', id: '' } })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(blockIp({ at: 'now' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(blockIp({ tenantId: '' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('stores only the kind and id of the actor', () => {
      spec
        .given([])
        .when(blockIp({ by: { ...admin, name: 'Ada' } as ActorRef, until: null }))
        .then([blocked({ by: admin, until: null })]);
    });

    it('emits nothing for a repeat with the same end and reason, in any spelling', () => {
      spec.given([blocked()]).when(blockIp({ at: plus(at, 60_000) })).thenNothing();
      spec.given([blocked()]).when(blockIp({ ip: '::ffff:cb00:712d', until: '2027-03-22T04:15:00+01:00', at: plus(at, 60_000) })).thenNothing();
      spec.given([blocked({ until: null, by: admin })]).when(blockIp({ until: null, by: admin })).thenNothing();
    });

    it('re-blocks with another end, keeping when the block began', () => {
      const later = plus(at, 30 * 60_000);
      spec
        .given([blocked()])
        .when(blockIp({ by: admin, until: inTwoHours, at: later }))
        .then([blocked({ by: admin, until: inTwoHours, at: later })]);
      spec
        .given([blocked()])
        .when(blockIp({ by: admin, until: inTwoHours, at: later }))
        .thenState({ [ip]: { until: inTwoHours, reason: 'failed-logins', by: admin, since: at } });
    });

    it('re-blocks with another reason', () => {
      spec.given([blocked()]).when(blockIp({ by: admin, reason: 'credential stuffing' })).then([blocked({ by: admin, reason: 'credential stuffing' })]);
    });

    it('lets a user shorten a block', () => {
      spec.given([blocked({ until: null, by: admin })]).when(blockIp({ by: admin, until: inAnHour })).then([blocked({ by: admin, until: inAnHour })]);
    });

    it('lets a rule extend a block, never shorten it', () => {
      spec.given([blocked()]).when(blockIp({ until: inTwoHours, reason: 'failed-logins-again' })).then([blocked({ until: inTwoHours, reason: 'failed-logins-again' })]);
      spec.given([blocked({ until: null, by: admin })]).when(blockIp()).thenNothing();
      spec.given([blocked({ until: inTwoHours, by: admin })]).when(blockIp()).thenNothing();
      spec.given([blocked({ by: admin, reason: 'manual' })]).when(blockIp()).thenNothing();
    });

    it('blocks again, as a new block, once the last one has ended', () => {
      const afterwards = plus(inAnHour, 5 * 60_000);
      const until = plus(afterwards, HOUR);
      spec.given([blocked()]).when(blockIp({ at: afterwards, until })).then([blocked({ at: afterwards, until })]);
      spec
        .given([blocked()])
        .when(blockIp({ at: afterwards, until }))
        .thenState({ [ip]: { until, reason: 'failed-logins', by: rule, since: afterwards } });
    });

    it('keeps blocks of other addresses apart, dropping those that have ended', () => {
      const other = '198.51.100.7';
      spec
        .given([blocked({ ip: other, until: null, by: admin }), blocked({ ip: v6, until: plus(at, 60_000) })])
        .when(blockIp({ at: plus(at, 5 * 60_000), until: inTwoHours }))
        .thenState({
          [other]: { until: null, reason: 'failed-logins', by: admin, since: at },
          [ip]: { until: inTwoHours, reason: 'failed-logins', by: rule, since: plus(at, 5 * 60_000) },
        });
    });
  });

  describe('UnblockIp', () => {
    it('unblocks a blocked address', () => {
      spec.given([blocked()]).when(unblockIp()).then([unblocked()]);
      spec.given([blocked()]).when(unblockIp()).thenState({});
    });

    it('unblocks whatever spelling the command used', () => {
      spec.given([blocked({ ip: v6 })]).when(unblockIp({ ip: '2001:DB8:0::0:1' })).then([unblocked({ ip: v6 })]);
    });

    it('emits nothing for an address that is not blocked, already unblocked, or whose block has ended', () => {
      spec.given([]).when(unblockIp()).thenNothing();
      spec.given([blocked(), unblocked()]).when(unblockIp()).thenNothing();
      spec.given([blocked()]).when(unblockIp({ at: inAnHour })).thenNothing();
      spec.given([blocked({ ip: v6 })]).when(unblockIp()).thenNothing();
    });

    it('refuses what is not an address', () => {
      spec.given([blocked()]).when(unblockIp({ ip: '203.0.113' })).thenThrows(ValidationError, 'invalid_ip');
    });

    it('lets a later block follow an unblock', () => {
      const later = plus(at, 20 * 60_000);
      spec.given([blocked(), unblocked()]).when(blockIp({ at: later })).then([blocked({ at: later })]);
    });
  });
});

describe('blocklist queries', () => {
  const state: BlocklistState = {
    [ip]: { until: inAnHour, reason: 'failed-logins', by: rule, since: at },
    [v6]: { until: null, reason: 'manual', by: admin, since: at },
    '10.0.0.1': { until: plus(at, -1000), reason: 'expired', by: rule, since: plus(at, -HOUR) },
  };

  it('says an address is blocked from the block until its end (exclusive), in any spelling', () => {
    expect(isBlocked(state, ip, at)).toBe(true);
    expect(isBlocked(state, '::ffff:203.0.113.45', plus(inAnHour, -1))).toBe(true);
    expect(isBlocked(state, ip, inAnHour)).toBe(false);
    expect(isBlocked(state, '2001:DB8::0:1', '2099-01-01T00:00:00.000Z')).toBe(true);
    expect(isBlocked(state, '10.0.0.1', at)).toBe(false);
    expect(isBlocked(state, '192.0.2.1', at)).toBe(false);
  });

  it('never calls an unparsable address blocked, nor takes an inherited property for a block', () => {
    expect(isBlocked(state, 'not-an-ip', at)).toBe(false);
    expect(isBlocked(state, 'constructor', at)).toBe(false);
    expect(activeBlock(state, '__proto__', at)).toBeUndefined();
  });

  it('returns the block in force, for a caller that reports its end and reason', () => {
    expect(activeBlock(state, ip, at)).toEqual({ until: inAnHour, reason: 'failed-logins', by: rule, since: at });
    expect(activeBlock(state, ip, inAnHour)).toBeUndefined();
  });

  it('lists the blocks in force, ordered by address', () => {
    expect(activeBlocks(state, at)).toEqual([
      { ip: v6, until: null, reason: 'manual', by: admin, since: at },
      { ip, until: inAnHour, reason: 'failed-logins', by: rule, since: at },
    ]);
    expect(activeBlocks(state, inAnHour)).toEqual([{ ip: v6, until: null, reason: 'manual', by: admin, since: at }]);
    expect(activeBlocks({}, at)).toEqual([]);
  });
});
