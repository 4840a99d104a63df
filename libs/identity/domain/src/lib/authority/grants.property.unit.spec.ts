import {
  ACCESS_LEVELS,
  MODULES,
  grantCovers,
  grantOn,
  type AccessLevel,
  type LocationScope,
  type Module,
  type ModuleGrant,
  type UserEvent,
} from '@custodian/identity/contracts';
import { CustodianError, type Decider } from '@custodian/kernel';
import fc from 'fast-check';
import { userDecider, type UserCommand } from '../user/user.decider';
import { grantsOf, type UserState } from '../user/user.state';
import type { ActorAuthority } from './actor-authority';

/*
 * Property: "nobody can grant more than they hold", over random administration of one tenant.
 *
 * A tenant has an owner (u0), three registered members and one pending invitee. Random
 * operations by random actors on random targets go through `decide`; refused ones
 * (CustodianError) change nothing, accepted ones are folded with `evolve`. Each actor's
 * authority is read from its own current state, as the app layer does. After every step:
 *  (a) a ModuleAccessGranted from GrantModuleAccess is covered by the actor's grant on that module;
 *  (b) a ModuleAccessRevoked removes a grant the actor covered;
 *  (c) grants change only through those events: every user's grants equal a shadow fold of
 *      the checked events, and each one is covered by what its granter held (or by ownership);
 *  (d) there is exactly one owner (transfers run both steps), holding manage/all on every module.
 * A focused property then pins the rule for one admin and one module from both sides (accepted
 * exactly when covered), since random tenants reach "replace a wider grant" only rarely.
 * The checkers are pure and are themselves tested to flag violations (bottom of this file).
 */

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4'] as const;
type UserId = (typeof USERS)[number];
const LOCATIONS = ['loc-a', 'loc-b', 'loc-c'] as const;
const tenantId = 'tenant-1';
const at = '2025-03-14T10:00:00.000Z';
const NUM_RUNS = 1000;

type Op =
  | { kind: 'grant'; actor: UserId; target: UserId; viaKey: boolean; module: Module; access: AccessLevel; locations: LocationScope }
  | { kind: 'revoke'; actor: UserId; target: UserId; viaKey: boolean; module: Module }
  | { kind: 'disable' | 'enable' | 'transfer'; actor: UserId; target: UserId; viaKey: boolean };

/** Where a user's grant on a module came from: ownership, or an actor who held `covering` then. */
type Provenance = { kind: 'ownership' } | { kind: 'grant'; by: string; covering: ModuleGrant | undefined };
type Shadow = Partial<Record<Module, { grant: Pick<ModuleGrant, 'access' | 'locations'>; from: Provenance }>>;

type Tenant = { users: Record<UserId, UserState>; shadow: Record<UserId, Shadow> };
type Stats = { acceptedByNonOwner: number; revokedByNonOwner: number; refused: Record<string, number>; transfers: number };

// ---- arbitraries ----
const userId = fc.constantFrom(...USERS);
const moduleArb = fc.oneof({ arbitrary: fc.constant<Module>('users'), weight: 1 }, { arbitrary: fc.constantFrom(...MODULES), weight: 3 });
const accessArb = fc.constantFrom(...ACCESS_LEVELS);
const scopeArb: fc.Arbitrary<LocationScope> = fc.oneof(
  { arbitrary: fc.constant<LocationScope>('all'), weight: 1 },
  { arbitrary: fc.uniqueArray(fc.constantFrom(...LOCATIONS), { minLength: 1, maxLength: LOCATIONS.length }), weight: 3 },
);
const who = { actor: fc.oneof({ arbitrary: fc.constant<UserId>('u0'), weight: 1 }, { arbitrary: userId, weight: 3 }), target: userId, viaKey: fc.boolean() };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('grant' as const), ...who, module: moduleArb, access: accessArb, locations: scopeArb }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('revoke' as const), ...who, module: moduleArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constantFrom('disable' as const, 'enable' as const), ...who }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('transfer' as const), ...who }), weight: 1 },
);
/** The owner first hands out some access (often `users`), so that other actors have something to give. */
const setupArb: fc.Arbitrary<Op[]> = fc.array(
  fc.record({
    kind: fc.constant('grant' as const),
    actor: fc.constant<UserId>('u0'),
    target: fc.constantFrom<UserId>('u1', 'u2', 'u3', 'u4'),
    viaKey: fc.constant(false),
    module: fc.oneof(fc.constant<Module>('users'), moduleArb),
    access: fc.oneof(fc.constant<AccessLevel>('manage'), accessArb),
    locations: scopeArb,
  }),
  { maxLength: 10 },
);
const opsArb = fc.tuple(setupArb, fc.array(opArb, { minLength: 1, maxLength: 50 })).map(([setup, ops]) => [...setup, ...ops]);

// ---- model ----
const everything = (): ModuleGrant[] => MODULES.map((module) => ({ module, access: 'manage', locations: 'all' }));

function authorityOf(state: UserState, id: UserId, viaKey: boolean): ActorAuthority {
  return { id: viaKey ? `apikey:key-of-${id}` : `user:${id}`, userId: id, isOwner: state.status === 'registered' && state.isOwner, grants: grantsOf(state) };
}

function newTenant(decider: Decider<UserState, UserCommand, UserEvent>): Tenant {
  const users = {} as Record<UserId, UserState>;
  const shadow = {} as Record<UserId, Shadow>;
  for (const id of USERS) {
    const common = { tenantId, userId: id, emailIndex: 'ab', emailEncrypted: `ct:${id}`, nameEncrypted: `ct:${id}` };
    const command: UserCommand =
      id === 'u4'
        ? { type: 'InviteUser', data: { ...common, activationTokenHash: 'cd'.repeat(32), activationExpiresAt: '2025-03-20T10:00:00.000Z', invitedAt: at } }
        : { type: 'RegisterUser', data: { ...common, passwordHashEncrypted: 'ct:hash', isOwner: id === 'u0', registeredAt: at } };
    const events = decider.decide(command, decider.initialState());
    users[id] = events.reduce(decider.evolve, decider.initialState());
    shadow[id] = {};
    for (const e of events) {
      if (e.type === 'identity.ModuleAccessGranted') shadow[id][e.data.module] = { grant: { access: e.data.access, locations: e.data.locations }, from: { kind: 'ownership' } };
    }
  }
  return { users, shadow };
}

function commandOf(op: Op, actor: ActorAuthority): UserCommand {
  const base = { tenantId, userId: op.target, actor };
  switch (op.kind) {
    case 'grant':
      return { type: 'GrantModuleAccess', data: { ...base, module: op.module, access: op.access, locations: op.locations, grantedAt: at } };
    case 'revoke':
      return { type: 'RevokeModuleAccess', data: { ...base, module: op.module, revokedAt: at } };
    case 'disable':
      return { type: 'DisableUser', data: { ...base, at } };
    case 'enable':
      return { type: 'EnableUser', data: { ...base, at } };
    case 'transfer':
      return { type: 'ReceiveOwnership', data: { ...base, fromUserId: op.actor, at } };
  }
}

/** Decides, or returns null when the command is refused with a domain error. */
function tryDecide(decider: Decider<UserState, UserCommand, UserEvent>, command: UserCommand, state: UserState, stats: Stats): UserEvent[] | null {
  try {
    return decider.decide(command, state);
  } catch (error) {
    if (!(error instanceof CustodianError)) throw error;
    stats.refused[error.code] = (stats.refused[error.code] ?? 0) + 1;
    return null;
  }
}

// ---- checkers (pure; each returns the violations it finds) ----

/** (a), (b) and the shape of what one accepted command may emit, judged against the state before it. */
function violationsOfStep(command: UserCommand, before: UserState, events: readonly UserEvent[]): string[] {
  const out: string[] = [];
  const target = command.data.userId;
  const heldBefore = before.status === 'registered' ? before.grants : {};
  for (const e of events) {
    if (e.data.userId !== target) out.push(`${command.type} emitted ${e.type} for ${e.data.userId}, not its target ${target}`);
  }
  switch (command.type) {
    case 'GrantModuleAccess': {
      const actorHolds = grantOn(command.data.actor.grants, command.data.module);
      for (const e of events) {
        if (e.type !== 'identity.ModuleAccessGranted' || e.data.module !== command.data.module) {
          out.push(`GrantModuleAccess emitted ${e.type}`);
        } else {
          if (!grantCovers(actorHolds, e.data)) out.push(`(a) ${command.data.actor.id} granted ${e.data.module}:${e.data.access}@${String(e.data.locations)} beyond its own`);
          const replaced = heldBefore[e.data.module];
          if (replaced && !grantCovers(actorHolds, replaced)) out.push(`(a) ${command.data.actor.id} replaced a wider ${e.data.module} grant`);
        }
      }
      break;
    }
    case 'RevokeModuleAccess':
      for (const e of events) {
        if (e.type !== 'identity.ModuleAccessRevoked' || e.data.module !== command.data.module) {
          out.push(`RevokeModuleAccess emitted ${e.type}`);
          continue;
        }
        const removed = heldBefore[e.data.module];
        if (!removed) out.push(`(b) revoked ${e.data.module}, which was not held`);
        else if (!grantCovers(grantOn(command.data.actor.grants, e.data.module), removed)) out.push(`(b) ${command.data.actor.id} took away more ${e.data.module} than it holds`);
      }
      break;
    case 'ReceiveOwnership':
      events.forEach((e, i) => {
        const ok = i === 0 ? e.type === 'identity.OwnershipReceived' : e.type === 'identity.ModuleAccessGranted' && e.data.access === 'manage' && e.data.locations === 'all';
        if (!ok) out.push(`ReceiveOwnership emitted ${e.type} at position ${i}`);
      });
      break;
    default:
      for (const e of events) {
        if (e.type === 'identity.ModuleAccessGranted' || e.type === 'identity.ModuleAccessRevoked') out.push(`${command.type} changed grants (${e.type})`);
      }
  }
  return out;
}

/** (c) and (d) over the whole tenant. */
function violationsOfTenant(tenant: Tenant): string[] {
  const out: string[] = [];
  const owners = USERS.filter((id) => {
    const s = tenant.users[id];
    return s.status === 'registered' && s.isOwner;
  });
  if (owners.length !== 1) out.push(`(d) ${owners.length} owners: ${owners.join(',')}`);
  for (const id of owners) {
    if (JSON.stringify(grantsOf(tenant.users[id])) !== JSON.stringify(everything())) out.push(`(d) owner ${id} does not hold manage/all on every module`);
  }
  for (const id of USERS) {
    const shadow = tenant.shadow[id];
    const expected = MODULES.flatMap((module) => {
      const entry = shadow[module];
      return entry ? [{ module, ...entry.grant }] : [];
    });
    if (JSON.stringify(grantsOf(tenant.users[id])) !== JSON.stringify(expected)) out.push(`(c) ${id}'s grants changed other than by checked grant events`);
    for (const [module, entry] of Object.entries(shadow)) {
      if (entry.from.kind === 'grant' && !grantCovers(entry.from.covering, entry.grant)) out.push(`(c) ${id} holds ${module} beyond what ${entry.from.by} held`);
      if (entry.from.kind === 'ownership' && !(entry.grant.access === 'manage' && entry.grant.locations === 'all')) out.push(`(c) ${id}'s ${module} from ownership is not manage/all`);
    }
  }
  return out;
}

/** Ownership for a transfer; the actor's grant on the module for a grant; nothing (so (c) flags it) for any other command. */
function provenanceOf(command: UserCommand): Provenance {
  switch (command.type) {
    case 'ReceiveOwnership':
      return { kind: 'ownership' };
    case 'GrantModuleAccess':
      return { kind: 'grant', by: command.data.actor.id, covering: grantOn(command.data.actor.grants, command.data.module) };
    default:
      return { kind: 'grant', by: command.type, covering: undefined };
  }
}

/** Applies one accepted command's events to the tenant: the user's state and the shadow fold. */
function apply(tenant: Tenant, decider: Decider<UserState, UserCommand, UserEvent>, command: UserCommand, events: readonly UserEvent[]): void {
  const id = command.data.userId as UserId;
  tenant.users[id] = events.reduce(decider.evolve, tenant.users[id]);
  const from = provenanceOf(command);
  for (const e of events) {
    if (e.type === 'identity.ModuleAccessGranted') tenant.shadow[id][e.data.module] = { grant: { access: e.data.access, locations: e.data.locations }, from };
    if (e.type === 'identity.ModuleAccessRevoked') delete tenant.shadow[id][e.data.module];
  }
}

/** Runs the operations; returns every violation found (empty when all properties hold). */
function runScenario(decider: Decider<UserState, UserCommand, UserEvent>, ops: readonly Op[], stats: Stats = newStats()): string[] {
  const tenant = newTenant(decider);
  const violations = violationsOfTenant(tenant);
  for (const op of ops) {
    const actor = authorityOf(tenant.users[op.actor], op.actor, op.viaKey);
    const command = commandOf(op, actor);
    const events = tryDecide(decider, command, tenant.users[op.target], stats);
    if (events === null) continue;
    violations.push(...violationsOfStep(command, tenant.users[op.target], events));
    apply(tenant, decider, command, events);
    if (!actor.isOwner && events.some((e) => e.type === 'identity.ModuleAccessGranted')) stats.acceptedByNonOwner++;
    if (!actor.isOwner && events.some((e) => e.type === 'identity.ModuleAccessRevoked')) stats.revokedByNonOwner++;

    if (command.type === 'ReceiveOwnership' && events.length > 0) {
      // Second step of the transfer, on the old owner's stream, with its authority re-read.
      const oldOwner = authorityOf(tenant.users[op.actor], op.actor, op.viaKey);
      const relinquish: UserCommand = { type: 'RelinquishOwnership', data: { tenantId, userId: op.actor, toUserId: op.target, at, actor: oldOwner } };
      const second = tryDecide(decider, relinquish, tenant.users[op.actor], stats);
      if (second === null) violations.push(`(d) ${op.actor} received-but-could-not-relinquish to ${op.target}`);
      else {
        violations.push(...violationsOfStep(relinquish, tenant.users[op.actor], second));
        apply(tenant, decider, relinquish, second);
        stats.transfers++;
      }
    }
    violations.push(...violationsOfTenant(tenant));
    if (violations.length > 0) break;
  }
  return violations;
}

const newStats = (): Stats => ({ acceptedByNonOwner: 0, revokedByNonOwner: 0, refused: {}, transfers: 0 });

describe('grants: nobody can grant more than they hold (property)', () => {
  it('holds (a)–(d) over random administration of a tenant', () => {
    const stats = newStats();
    fc.assert(
      fc.property(opsArb, (ops) => {
        expect(runScenario(userDecider, ops, stats)).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
    // The runs must exercise the rules, or passing proves little.
    expect(stats.acceptedByNonOwner).toBeGreaterThan(0);
    expect(stats.revokedByNonOwner).toBeGreaterThan(0);
    expect(stats.transfers).toBeGreaterThan(0);
    expect(Object.keys(stats.refused)).toEqual(
      expect.arrayContaining(['grant_exceeds_own_access', 'user_not_found', 'insufficient_access', 'owner_access_fixed', 'owner_only', 'owner_cannot_be_disabled']),
    );
  });

  it('accepts a grant or revocation by a user admin exactly when the actor covers both the new and the replaced grant', () => {
    const grantArb = fc.option(fc.record({ access: accessArb, locations: scopeArb }), { nil: undefined });
    fc.assert(
      fc.property(grantArb, grantArb, fc.record({ access: accessArb, locations: scopeArb }), (actorHolds, targetHolds, wanted) => {
        const events: UserEvent[] = [
          { type: 'identity.UserRegistered', schemaVersion: 1, data: { tenantId, userId: 'u2', emailIndex: 'ab', emailEncrypted: 'ct', nameEncrypted: 'ct', passwordHashEncrypted: 'ct', isOwner: false, registeredAt: at } },
        ];
        if (targetHolds) events.push({ type: 'identity.ModuleAccessGranted', schemaVersion: 1, data: { tenantId, userId: 'u2', module: 'records', ...targetHolds, grantedAt: at } });
        const target = events.reduce(userDecider.evolve, userDecider.initialState());
        const grants: ModuleGrant[] = [{ module: 'users', access: 'manage', locations: 'all' }, ...(actorHolds ? [{ module: 'records' as const, ...actorHolds }] : [])];
        const actor: ActorAuthority = { id: 'user:u1', userId: 'u1', isOwner: false, grants };
        const stats = newStats();

        const grant: UserCommand = { type: 'GrantModuleAccess', data: { tenantId, userId: 'u2', module: 'records', ...wanted, grantedAt: at, actor } };
        const granted = tryDecide(userDecider, grant, target, stats);
        const mayGrant = grantCovers(actorHolds, wanted) && (targetHolds === undefined || grantCovers(actorHolds, targetHolds));
        expect({ accepted: granted !== null, refusedWith: Object.keys(stats.refused) }).toEqual(mayGrant ? { accepted: true, refusedWith: [] } : { accepted: false, refusedWith: ['grant_exceeds_own_access'] });

        const revoke: UserCommand = { type: 'RevokeModuleAccess', data: { tenantId, userId: 'u2', module: 'records', revokedAt: at, actor } };
        const revoked = tryDecide(userDecider, revoke, target, newStats());
        const mayRevoke = targetHolds === undefined || grantCovers(actorHolds, targetHolds);
        expect(revoked !== null).toBe(mayRevoke);
        expect(revoked?.length ?? 0).toBe(targetHolds && mayRevoke ? 1 : 0);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  describe('the checkers catch violations', () => {
    const tenant = (): Tenant => newTenant(userDecider);
    const reader: ActorAuthority = { id: 'user:u1', userId: 'u1', isOwner: false, grants: [{ module: 'records', access: 'read', locations: ['loc-a'] }] };
    const grantEvent = (access: AccessLevel, locations: LocationScope): UserEvent => ({
      type: 'identity.ModuleAccessGranted',
      schemaVersion: 1,
      data: { tenantId, userId: 'u2', module: 'records', access, locations, grantedAt: at },
    });

    it('(a) flags a grant beyond the actor, in level or places, and a replaced wider grant', () => {
      const command: UserCommand = {
        type: 'GrantModuleAccess',
        data: { tenantId, userId: 'u2', module: 'records', access: 'write', locations: ['loc-a'], grantedAt: at, actor: reader },
      };
      const before = tenant().users.u2;
      expect(violationsOfStep(command, before, [grantEvent('read', ['loc-a'])])).toEqual([]);
      expect(violationsOfStep(command, before, [grantEvent('write', ['loc-a'])])).toHaveLength(1);
      expect(violationsOfStep(command, before, [grantEvent('read', ['loc-a', 'loc-b'])])).toHaveLength(1);
      const holdingWider = [grantEvent('manage', 'all')].reduce(userDecider.evolve, before);
      expect(violationsOfStep(command, holdingWider, [grantEvent('read', ['loc-a'])])).toHaveLength(1);
    });

    it('(b) flags taking away a grant the actor does not cover', () => {
      const before = [grantEvent('write', ['loc-a'])].reduce(userDecider.evolve, tenant().users.u2);
      const command: UserCommand = { type: 'RevokeModuleAccess', data: { tenantId, userId: 'u2', module: 'records', revokedAt: at, actor: reader } };
      const revoked: UserEvent = { type: 'identity.ModuleAccessRevoked', schemaVersion: 1, data: { tenantId, userId: 'u2', module: 'records', revokedAt: at } };
      expect(violationsOfStep(command, before, [revoked])).toHaveLength(1);
      expect(violationsOfStep(command, [grantEvent('read', ['loc-a'])].reduce(userDecider.evolve, tenant().users.u2), [revoked])).toEqual([]);
    });

    it('(c) flags grants that change through anything but a checked grant event', () => {
      const t = tenant();
      t.users.u2 = [grantEvent('read', 'all')].reduce(userDecider.evolve, t.users.u2);
      expect(violationsOfTenant(t)).toEqual(["(c) u2's grants changed other than by checked grant events"]);
      const disable: UserCommand = { type: 'DisableUser', data: { tenantId, userId: 'u2', at, actor: reader } };
      expect(violationsOfStep(disable, t.users.u2, [grantEvent('read', 'all')])).toHaveLength(1);
    });

    it('(d) flags a tenant without an owner, with two, or an owner short of manage/all', () => {
      const none = tenant();
      none.users.u0 = { ...(none.users.u0 as Extract<UserState, { status: 'registered' }>), isOwner: false };
      expect(violationsOfTenant(none)).toContain('(d) 0 owners: ');
      const two = tenant();
      two.users.u1 = { ...(two.users.u1 as Extract<UserState, { status: 'registered' }>), isOwner: true };
      expect(violationsOfTenant(two)).toContain('(d) 2 owners: u0,u1');
      const narrowed = tenant();
      const owner = narrowed.users.u0 as Extract<UserState, { status: 'registered' }>;
      narrowed.users.u0 = { ...owner, grants: { ...owner.grants, audit: { access: 'read', locations: 'all' } } };
      expect(violationsOfTenant(narrowed)).toContain('(d) owner u0 does not hold manage/all on every module');
    });

    it('finds a decider that lets anybody grant anything', () => {
      const lax: Decider<UserState, UserCommand, UserEvent> = {
        ...userDecider,
        decide: (command, state) =>
          command.type === 'GrantModuleAccess' && state.status === 'registered' && !state.isOwner
            ? [{ type: 'identity.ModuleAccessGranted', schemaVersion: 1, data: { tenantId, userId: state.userId, module: command.data.module, access: command.data.access, locations: command.data.locations, grantedAt: at } }]
            : userDecider.decide(command, state),
      };
      expect(fc.check(fc.property(opsArb, (ops) => runScenario(lax, ops).length === 0), { numRuns: NUM_RUNS }).failed).toBe(true);
    });

    it("finds a decider that lets the owner's access be narrowed", () => {
      const narrowing: Decider<UserState, UserCommand, UserEvent> = {
        ...userDecider,
        decide: (command, state) => {
          if (command.type === 'GrantModuleAccess' && state.status === 'registered' && state.isOwner) {
            const { module, access, locations } = command.data;
            return [{ type: 'identity.ModuleAccessGranted', schemaVersion: 1, data: { tenantId, userId: state.userId, module, access, locations, grantedAt: at } }];
          }
          return userDecider.decide(command, state);
        },
      };
      expect(fc.check(fc.property(opsArb, (ops) => runScenario(narrowing, ops).length === 0), { numRuns: NUM_RUNS }).failed).toBe(true);
    });

    it('finds a decider whose revocation ignores what the actor holds', () => {
      const lax: Decider<UserState, UserCommand, UserEvent> = {
        ...userDecider,
        decide: (command, state) =>
          command.type === 'RevokeModuleAccess' && state.status === 'registered' && !state.isOwner && state.grants[command.data.module]
            ? [{ type: 'identity.ModuleAccessRevoked', schemaVersion: 1, data: { tenantId, userId: state.userId, module: command.data.module, revokedAt: at } }]
            : userDecider.decide(command, state),
      };
      expect(fc.check(fc.property(opsArb, (ops) => runScenario(lax, ops).length === 0), { numRuns: NUM_RUNS }).failed).toBe(true);
    });
  });
});
