import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { parseMasterKey } from '@custodian/crypto';
import { cleanerStreamId, shiftStreamId } from '@custodian/scheduling/contracts';
import { testDatabaseUrl, testMasterKey } from '@custodian/testing';
import { http, startGateway, startIdentity, startScheduling, uniqueName, type RunningGateway, type RunningIdentity, type RunningScheduling } from './platform.harness';

type Res = Awaited<ReturnType<typeof http>>;

/**
 * Scheduling end to end through the gateway: locations with areas and scan points, versioned
 * checklists pinned by shifts, shifts with cleaners who are never double-booked, location
 * scope (a supervisor of site A cannot see or touch site B: 404), daylight-saving wall clocks,
 * bad input that writes nothing.
 */
describe('scheduling', () => {
  let identity: RunningIdentity;
  let scheduling: RunningScheduling;
  let gw: RunningGateway;
  let db: Client;
  const password = 'correct horse battery';

  beforeAll(async () => {
    const masterKey = parseMasterKey(testMasterKey());
    identity = await startIdentity(masterKey);
    scheduling = await startScheduling(masterKey);
    gw = await startGateway(identity.port, undefined, [], { schedulingPort: scheduling.port });
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await gw?.close();
    await scheduling?.close();
    await identity?.close();
    await db?.end();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const email = (who: string) => `${who}-${randomBytes(4).toString('hex')}@example.com`;
  function expectError(res: Res, status: number, code?: string) {
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code: code ?? res.body?.error?.code });
    expect(typeof res.body.error.requestId).toBe('string');
  }
  function ok(res: Res, status = 200) {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
  /** A day in the future, as a local date (YYYY-MM-DD), `days` from now. */
  const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  async function tenant() {
    const ownerEmail = email('owner');
    const t = ok(await http('POST', `${gw.url}/v1/tenants`, { headers: bearer(gw.bootstrapToken), body: { name: uniqueName(), owner: { email: ownerEmail, name: 'Owner', password } } }), 201);
    const token = ok(await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: ownerEmail, password } })).accessToken as string;
    return { tenantId: t.tenantId as string, ownerId: t.ownerId as string, token };
  }
  async function user(t: { tenantId: string; token: string }, grants: Record<string, { access: string; locations: 'all' | string[] }>) {
    const address = email('user');
    const userId = ok(await http('POST', `${gw.url}/v1/users`, { headers: bearer(t.token), body: { email: address, name: 'Person', password } }), 201).userId as string;
    for (const [module, g] of Object.entries(grants)) ok(await http('PUT', `${gw.url}/v1/users/${userId}/grants/${module}`, { headers: bearer(t.token), body: g }));
    const token = ok(await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: address, password } })).accessToken as string;
    return { userId, token };
  }
  const location = async (token: string, name = uniqueName('Site'), timezone = 'Europe/London') =>
    ok(
      await http('POST', `${gw.url}/v1/locations`, {
        headers: bearer(token),
        body: { name, address: '1 Hospital Rd', timezone, sensitivity: 'healthcare', geofence: { lat: 51.5, lon: -0.12, radiusMeters: 150 }, clockInPolicy: 'refuse' },
      }),
      201,
    ) as { locationId: string };
  const checklist = async (token: string, tasks = [{ title: 'Empty bins' }, { title: 'Mop floor' }]) =>
    ok(await http('POST', `${gw.url}/v1/checklists`, { headers: bearer(token), body: { name: 'Restroom', areaKind: 'restroom', tasks } }), 201) as { checklistId: string; version: number; tasks: Array<{ taskId: string; title: string }> };
  const schedule = (token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => http('POST', `${gw.url}/v1/shifts`, { headers: { ...bearer(token), ...headers }, body });
  const eventCount = async (streamId: string) => (await db.query('SELECT count(*)::int AS n FROM event_store.events WHERE stream_id = $1', [streamId])).rows[0].n as number;

  describe('locations', () => {
    it('registers a site with areas and scan points; rotation replaces the code', async () => {
      const t = await tenant();
      const site = await location(t.token, 'St. Mary East Wing');
      const area = ok(await http('POST', `${gw.url}/v1/locations/${site.locationId}/areas`, { headers: bearer(t.token), body: { name: 'Ward 3 restrooms', kind: 'restroom' } }), 201);
      const point = ok(await http('POST', `${gw.url}/v1/locations/${site.locationId}/areas/${area.areaId}/scan-points`, { headers: bearer(t.token), body: { method: 'qr' } }), 201);
      expect(point.code).toMatch(/^[0-9A-F]{32}$/);
      const rotated = ok(await http('POST', `${gw.url}/v1/locations/${site.locationId}/areas/${area.areaId}/scan-points/${point.scanPointId}/rotate`, { headers: bearer(t.token) }));
      expect(rotated.code).not.toBe(point.code);
      const read = ok(await http('GET', `${gw.url}/v1/locations/${site.locationId}`, { headers: bearer(t.token) }));
      expect(read).toMatchObject({ name: 'St. Mary East Wing', timezone: 'Europe/London', sensitivity: 'healthcare', clockInPolicy: 'refuse', geofence: { lat: 51.5, lon: -0.12, radiusMeters: 150 } });
      expect(read.areas).toEqual([{ areaId: area.areaId, name: 'Ward 3 restrooms', kind: 'restroom', scanPoints: [expect.objectContaining({ scanPointId: point.scanPointId, method: 'qr', code: rotated.code })] }]);
      expectError(await http('POST', `${gw.url}/v1/locations/${site.locationId}/areas`, { headers: bearer(t.token), body: { name: 'ward 3 RESTROOMS', kind: 'restroom' } }), 409, 'area_exists');
    });

    it('refuses an unknown time zone (400) and a site admin registering sites (403), writing nothing', async () => {
      const t = await tenant();
      const res = await http('POST', `${gw.url}/v1/locations`, {
        headers: bearer(t.token),
        body: { name: 'X', address: 'Y', timezone: 'Mars/Olympus_Mons', sensitivity: 'standard', geofence: { lat: 0, lon: 0, radiusMeters: 10 }, clockInPolicy: 'flag' },
      });
      expectError(res, 400, 'unknown_timezone');
      const site = await location(t.token);
      const siteAdmin = await user(t, { scheduling: { access: 'manage', locations: [site.locationId] } });
      expectError(
        await http('POST', `${gw.url}/v1/locations`, { headers: bearer(siteAdmin.token), body: { name: 'Z', address: 'Y', timezone: 'Europe/London', sensitivity: 'standard', geofence: { lat: 0, lon: 0, radiusMeters: 10 }, clockInPolicy: 'flag' } }),
        403,
        'tenant_wide_access_required',
      );
      const listed = ok(await http('GET', `${gw.url}/v1/locations`, { headers: bearer(t.token) }));
      expect(listed.items.map((l: { locationId: string }) => l.locationId)).toEqual([site.locationId]);
    });
  });

  describe('checklists', () => {
    it('a shift pins the checklist version it was scheduled with; later revisions never change it', async () => {
      const t = await tenant();
      const site = await location(t.token);
      const v1 = await checklist(t.token);
      expect(v1.version).toBe(1);
      const shift = ok(await schedule(t.token, { locationId: site.locationId, start: `${day(3)}T08:00`, end: `${day(3)}T12:00`, checklistId: v1.checklistId }), 201).shifts[0];
      expect(shift.checklist).toEqual({ checklistId: v1.checklistId, version: 1 });
      const v2 = ok(
        await http('PUT', `${gw.url}/v1/checklists/${v1.checklistId}`, { headers: bearer(t.token), body: { name: 'Restroom', areaKind: 'restroom', tasks: [{ taskId: v1.tasks[0].taskId, title: 'Empty bins' }, { title: 'Restock soap' }] } }),
      );
      expect(v2.version).toBe(2);
      expect(v2.tasks[0].taskId).toBe(v1.tasks[0].taskId);
      expect(ok(await http('GET', `${gw.url}/v1/shifts/${shift.shiftId}`, { headers: bearer(t.token) })).checklist).toEqual({ checklistId: v1.checklistId, version: 1 });
      const old = ok(await http('GET', `${gw.url}/v1/checklists/${v1.checklistId}?version=1`, { headers: bearer(t.token) }));
      expect(old.tasks.map((x: { title: string }) => x.title)).toEqual(['Empty bins', 'Mop floor']);
      const next = ok(await schedule(t.token, { locationId: site.locationId, start: `${day(4)}T08:00`, end: `${day(4)}T12:00`, checklistId: v1.checklistId }), 201).shifts[0];
      expect(next.checklist.version).toBe(2);
    });
  });

  describe('shifts', () => {
    it('never double-books a cleaner: an overlapping shift is 409 and nothing is written', async () => {
      const t = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      const cleaner = await user(t, { records: { access: 'write', locations: [site.locationId] } });
      const first = ok(await schedule(t.token, { locationId: site.locationId, start: `${day(5)}T22:00`, end: `${day(6)}T06:00`, checklistId: list.checklistId, cleanerIds: [cleaner.userId] }), 201).shifts[0];
      expect(first.cleanerIds).toEqual([cleaner.userId]);
      const before = await db.query(`SELECT count(*)::int AS n FROM event_store.events WHERE stream_id LIKE 'scheduling-shift-%' AND tenant_id = $1`, [t.tenantId]);
      expectError(await schedule(t.token, { locationId: site.locationId, start: `${day(6)}T05:00`, end: `${day(6)}T09:00`, checklistId: list.checklistId, cleanerIds: [cleaner.userId] }), 409, 'cleaner_double_booked');
      const after = await db.query(`SELECT count(*)::int AS n FROM event_store.events WHERE stream_id LIKE 'scheduling-shift-%' AND tenant_id = $1`, [t.tenantId]);
      expect(after.rows[0].n).toBe(before.rows[0].n);
      expect(await eventCount(cleanerStreamId(t.tenantId, cleaner.userId))).toBe(1);
      // Touching ends do not overlap; assigning to an unstaffed overlapping shift is refused the same way.
      ok(await schedule(t.token, { locationId: site.locationId, start: `${day(6)}T06:00`, end: `${day(6)}T10:00`, checklistId: list.checklistId, cleanerIds: [cleaner.userId] }), 201);
      const open = ok(await schedule(t.token, { locationId: site.locationId, start: `${day(6)}T01:00`, end: `${day(6)}T03:00`, checklistId: list.checklistId }), 201).shifts[0];
      expectError(await http('POST', `${gw.url}/v1/shifts/${open.shiftId}/assignments`, { headers: bearer(t.token), body: { cleanerId: cleaner.userId } }), 409, 'cleaner_double_booked');
      const mine = ok(await http('GET', `${gw.url}/v1/me/shifts`, { headers: bearer(cleaner.token) }));
      expect(mine.items).toHaveLength(2);
    });

    it('lets two supervisors race for one cleaner: exactly one wins', async () => {
      const t = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      const cleaner = await user(t, { records: { access: 'write', locations: 'all' } });
      const shifts = await Promise.all(
        [0, 1].map(async () => ok(await schedule(t.token, { locationId: site.locationId, start: `${day(8)}T08:00`, end: `${day(8)}T12:00`, checklistId: list.checklistId }), 201).shifts[0].shiftId as string),
      );
      const results = await Promise.all(shifts.map((id) => http('POST', `${gw.url}/v1/shifts/${id}/assignments`, { headers: bearer(t.token), body: { cleanerId: cleaner.userId } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await eventCount(cleanerStreamId(t.tenantId, cleaner.userId))).toBe(1);
    });

    it('a supervisor of site A cannot see or touch site B: 404, and lists show only A', async () => {
      const t = await tenant();
      const a = await location(t.token);
      const b = await location(t.token);
      const list = await checklist(t.token);
      const supervisor = await user(t, { scheduling: { access: 'write', locations: [a.locationId] } });
      const atA = ok(await schedule(supervisor.token, { locationId: a.locationId, start: `${day(2)}T08:00`, end: `${day(2)}T10:00`, checklistId: list.checklistId }), 201).shifts[0];
      const atB = ok(await schedule(t.token, { locationId: b.locationId, start: `${day(2)}T08:00`, end: `${day(2)}T10:00`, checklistId: list.checklistId }), 201).shifts[0];
      expectError(await http('GET', `${gw.url}/v1/shifts/${atB.shiftId}`, { headers: bearer(supervisor.token) }), 404, 'shift_not_found');
      expectError(await http('POST', `${gw.url}/v1/shifts/${atB.shiftId}/cancel`, { headers: bearer(supervisor.token), body: { reason: 'no' } }), 404, 'shift_not_found');
      expectError(await http('POST', `${gw.url}/v1/shifts/${atB.shiftId}/reschedule`, { headers: bearer(supervisor.token), body: { start: `${day(2)}T09:00`, end: `${day(2)}T11:00` } }), 404, 'shift_not_found');
      expectError(await schedule(supervisor.token, { locationId: b.locationId, start: `${day(2)}T08:00`, end: `${day(2)}T10:00`, checklistId: list.checklistId }), 404, 'location_not_found');
      expectError(await http('GET', `${gw.url}/v1/locations/${b.locationId}`, { headers: bearer(supervisor.token) }), 404, 'location_not_found');
      expectError(await http('GET', `${gw.url}/v1/shifts?locationId=${b.locationId}`, { headers: bearer(supervisor.token) }), 404, 'location_not_found');
      const visible = ok(await http('GET', `${gw.url}/v1/shifts`, { headers: bearer(supervisor.token) }));
      expect(visible.items.map((s: { shiftId: string }) => s.shiftId)).toEqual([atA.shiftId]);
      expect(Object.keys(visible).sort()).toEqual(['items', 'nextCursor']);
      const sites = ok(await http('GET', `${gw.url}/v1/locations`, { headers: bearer(supervisor.token) }));
      expect(sites.items.map((l: { locationId: string }) => l.locationId)).toEqual([a.locationId]);
      // A tenant-wide caller naming an absent or another tenant's location gets the same 404.
      const other = await tenant();
      const foreign = await location(other.token);
      expectError(await http('GET', `${gw.url}/v1/shifts?locationId=${foreign.locationId}`, { headers: bearer(t.token) }), 404, 'location_not_found');
      expectError(await http('GET', `${gw.url}/v1/shifts?locationId=00000000-0000-4000-8000-000000000000`, { headers: bearer(t.token) }), 404, 'location_not_found');
    });

    it('refuses bad input with the error shape and writes nothing', async () => {
      const t = await tenant();
      const other = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      const foreignList = await checklist(other.token);
      const elsewhere = await location(t.token);
      const outsider = await user(t, { records: { access: 'write', locations: [elsewhere.locationId] } });
      const reader = await user(t, { records: { access: 'read', locations: 'all' } });
      const foreignCleaner = await user(other, { records: { access: 'write', locations: 'all' } });
      const count = async () => (await db.query(`SELECT count(*)::int AS n FROM event_store.events WHERE tenant_id = $1 AND stream_id LIKE 'scheduling-%'`, [t.tenantId])).rows[0].n as number;
      const before = await count();
      const base = { locationId: site.locationId, start: `${day(3)}T08:00`, end: `${day(3)}T12:00`, checklistId: list.checklistId };
      expectError(await schedule(t.token, { ...base, end: `${day(3)}T07:00` }), 400, 'end_before_start');
      expectError(await schedule(t.token, { ...base, end: `${day(5)}T07:00` }), 400, 'shift_too_long');
      expectError(await schedule(t.token, { ...base, start: 'tomorrow' }), 400, 'validation_failed');
      expectError(await schedule(t.token, { ...base, checklistId: foreignList.checklistId }), 404, 'checklist_not_found');
      expectError(await schedule(t.token, { ...base, cleanerIds: [outsider.userId] }), 400, 'cleaner_lacks_location_access');
      expectError(await schedule(t.token, { ...base, cleanerIds: [reader.userId] }), 400, 'cleaner_lacks_location_access');
      expectError(await schedule(t.token, { ...base, cleanerIds: [foreignCleaner.userId] }), 404, 'cleaner_not_found');
      expectError(await schedule(t.token, { ...base, locationId: (await location(other.token)).locationId }), 404, 'location_not_found');
      expectError(await schedule(t.token, { ...base, start: '2020-01-01T08:00', end: '2020-01-01T10:00' }), 422, 'starts_in_the_past');
      expectError(await schedule(t.token, { ...base, repeatWeekly: 27 }), 400);
      expectError(await schedule(t.token, { ...base, extra: 1 }), 400, 'validation_failed');
      expect(await count()).toBe(before);
    });

    it('keeps a weekly shift at its local wall-clock times across a daylight-saving change', async () => {
      const t = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      // Next year's last Sunday of March: London moves from GMT to BST.
      const year = new Date().getUTCFullYear() + 1;
      const lastSunday = new Date(Date.UTC(year, 2, 31 - new Date(Date.UTC(year, 2, 31)).getUTCDay()));
      const weekBefore = new Date(lastSunday.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
      const saturday = new Date(lastSunday.getTime() - 86_400_000).toISOString().slice(0, 10);
      const mondayAfter = new Date(lastSunday.getTime() - 6 * 86_400_000).toISOString().slice(0, 10);
      const series = ok(await schedule(t.token, { locationId: site.locationId, start: `${weekBefore}T22:00`, end: `${mondayAfter}T06:00`, checklistId: list.checklistId, repeatWeekly: 3 }), 201).shifts;
      expect(series).toHaveLength(3);
      expect(new Set(series.map((s: { seriesId: string }) => s.seriesId)).size).toBe(1);
      for (const s of series) {
        expect(s.localStart.slice(11)).toBe('22:00:00');
        expect(s.localEnd.slice(11)).toBe('06:00:00');
      }
      expect(series.map((s: { start: string }) => s.start.slice(11, 16))).toEqual(['22:00', '21:00', '21:00']);
      // The night of the change itself is an hour shorter: 22:00 GMT to 06:00 BST.
      const night = ok(await schedule(t.token, { locationId: site.locationId, start: `${saturday}T22:00`, end: `${lastSunday.toISOString().slice(0, 10)}T06:00`, checklistId: list.checklistId }), 201).shifts[0];
      expect((Date.parse(night.end) - Date.parse(night.start)) / 3_600_000).toBe(7);
    });

    it('reschedules with its cleaners (or not at all), cancels with an encrypted reason and frees the cleaners', async () => {
      const t = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      const cleaner = await user(t, { records: { access: 'write', locations: 'all' } });
      const a = ok(await schedule(t.token, { locationId: site.locationId, start: `${day(9)}T08:00`, end: `${day(9)}T12:00`, checklistId: list.checklistId, cleanerIds: [cleaner.userId] }), 201).shifts[0];
      const b = ok(await schedule(t.token, { locationId: site.locationId, start: `${day(9)}T13:00`, end: `${day(9)}T17:00`, checklistId: list.checklistId, cleanerIds: [cleaner.userId] }), 201).shifts[0];
      expectError(await http('POST', `${gw.url}/v1/shifts/${a.shiftId}/reschedule`, { headers: bearer(t.token), body: { start: `${day(9)}T10:00`, end: `${day(9)}T14:00` } }), 409, 'cleaner_double_booked');
      expect(ok(await http('GET', `${gw.url}/v1/shifts/${a.shiftId}`, { headers: bearer(t.token) })).localStart).toBe(`${day(9)}T08:00:00`);
      const moved = ok(await http('POST', `${gw.url}/v1/shifts/${a.shiftId}/reschedule`, { headers: bearer(t.token), body: { start: `${day(9)}T07:00`, end: `${day(9)}T11:00` } }));
      expect(moved.localStart).toBe(`${day(9)}T07:00:00`);
      const cancelled = ok(await http('POST', `${gw.url}/v1/shifts/${b.shiftId}/cancel`, { headers: bearer(t.token), body: { reason: 'Ana is off sick' } }));
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.cancellation.reason).toBe('Ana is off sick');
      const stored = await db.query(`SELECT data FROM event_store.events WHERE stream_id = $1 AND type = 'scheduling.ShiftCancelled'`, [shiftStreamId(b.shiftId)]);
      expect(JSON.stringify(stored.rows)).not.toContain('Ana');
      // b's time is free again for the cleaner.
      ok(await schedule(t.token, { locationId: site.locationId, start: `${day(9)}T13:00`, end: `${day(9)}T17:00`, checklistId: list.checklistId, cleanerIds: [cleaner.userId] }), 201);
      const listed = ok(await http('GET', `${gw.url}/v1/shifts?locationId=${site.locationId}&cleanerId=${cleaner.userId}`, { headers: bearer(t.token) }));
      expect(listed.items.map((s: { status: string }) => s.status).sort()).toEqual(['cancelled', 'scheduled', 'scheduled']);
      expect(listed.items.find((s: { shiftId: string }) => s.shiftId === b.shiftId).cancellation.reason).toBe('Ana is off sick');
    });

    it('a shift that has started cannot be rescheduled, cancelled or lose its cleaner', async () => {
      const t = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      const cleaner = await user(t, { records: { access: 'write', locations: 'all' } });
      const start = new Date(Date.now() + 1_500).toISOString();
      const end = new Date(Date.now() + 3_600_000).toISOString();
      const shift = ok(await schedule(t.token, { locationId: site.locationId, start, end, checklistId: list.checklistId, cleanerIds: [cleaner.userId] }), 201).shifts[0];
      await new Promise((r) => setTimeout(r, 2_000));
      expectError(await http('POST', `${gw.url}/v1/shifts/${shift.shiftId}/reschedule`, { headers: bearer(t.token), body: { start: `${day(3)}T08:00`, end: `${day(3)}T10:00` } }), 422, 'shift_started');
      expectError(await http('POST', `${gw.url}/v1/shifts/${shift.shiftId}/cancel`, { headers: bearer(t.token), body: { reason: 'late' } }), 422, 'shift_started');
      expectError(await http('DELETE', `${gw.url}/v1/shifts/${shift.shiftId}/assignments/${cleaner.userId}`, { headers: bearer(t.token) }), 422, 'shift_started');
      expect(ok(await http('GET', `${gw.url}/v1/shifts/${shift.shiftId}`, { headers: bearer(t.token) })).cleanerIds).toEqual([cleaner.userId]);
    });

    it('a retried schedule with the same Idempotency-Key returns the same shifts and writes them once', async () => {
      const t = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      const cleaner = await user(t, { records: { access: 'write', locations: 'all' } });
      const key = { 'idempotency-key': `shift-${randomBytes(6).toString('hex')}` };
      const body = { locationId: site.locationId, start: `${day(11)}T08:00`, end: `${day(11)}T10:00`, checklistId: list.checklistId, cleanerIds: [cleaner.userId], repeatWeekly: 2 };
      const first = ok(await schedule(t.token, body, key), 201);
      const again = ok(await schedule(t.token, body, key), 201);
      expect(again.shifts.map((s: { shiftId: string }) => s.shiftId)).toEqual(first.shifts.map((s: { shiftId: string }) => s.shiftId));
      expect(await eventCount(cleanerStreamId(t.tenantId, cleaner.userId))).toBe(2);
      for (const s of first.shifts) expect(await eventCount(shiftStreamId(s.shiftId))).toBe(2);
    });

    it("follows identity: a cleaner whose records access was revoked cannot be assigned", async () => {
      const t = await tenant();
      const site = await location(t.token);
      const list = await checklist(t.token);
      const cleaner = await user(t, { records: { access: 'write', locations: 'all' } });
      const shift = ok(await schedule(t.token, { locationId: site.locationId, start: `${day(12)}T08:00`, end: `${day(12)}T10:00`, checklistId: list.checklistId }), 201).shifts[0];
      ok(await http('DELETE', `${gw.url}/v1/users/${cleaner.userId}/grants/records`, { headers: bearer(t.token) }));
      expectError(await http('POST', `${gw.url}/v1/shifts/${shift.shiftId}/assignments`, { headers: bearer(t.token), body: { cleanerId: cleaner.userId } }), 400, 'cleaner_lacks_location_access');
    });
  });
});
