import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { parseMasterKey } from '@custodian/crypto';
import { recordStreamId } from '@custodian/records/contracts';
import { testDatabaseUrl, testMasterKey } from '@custodian/testing';
import { http, startGateway, startIdentity, startRecords, startScheduling, uniqueName, type RunningGateway, type RunningIdentity, type RunningRecords, type RunningScheduling } from './platform.harness';

type Res = Awaited<ReturnType<typeof http>>;
const ROOT = join(__dirname, '../../..');

/**
 * Cleaning records end to end: evidence judged at capture, a record per cleaner per shift,
 * tasks against the pinned checklist, sign-off sealing, corrections as events, history as of
 * any instant, verification online and offline, and a row altered behind the store's back.
 */
describe('records', () => {
  let identity: RunningIdentity;
  let scheduling: RunningScheduling;
  let records: RunningRecords;
  let gw: RunningGateway;
  let db: Client;
  const password = 'correct horse battery';

  beforeAll(async () => {
    const masterKey = parseMasterKey(testMasterKey());
    identity = await startIdentity(masterKey);
    scheduling = await startScheduling(masterKey);
    records = await startRecords(masterKey);
    gw = await startGateway(identity.port, undefined, [], { schedulingPort: scheduling.port, recordsPort: records.port });
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await gw?.close();
    await records?.close();
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
  const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
  const count = async (recordId: string) => (await db.query('SELECT count(*)::int AS n FROM event_store.events WHERE stream_id = $1', [recordStreamId(recordId)])).rows[0].n as number;

  /** A tenant with a site (restroom area with a QR point, and an office area), a 2-task restroom checklist, a cleaner, a supervisor and a shift starting in 2 minutes. */
  async function world(policy: 'flag' | 'refuse' = 'flag') {
    const ownerEmail = email('owner');
    const t = ok(await http('POST', `${gw.url}/v1/tenants`, { headers: bearer(gw.bootstrapToken), body: { name: uniqueName(), owner: { email: ownerEmail, name: 'Owner', password } } }), 201);
    const owner = ok(await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: ownerEmail, password } })).accessToken as string;
    const site = ok(
      await http('POST', `${gw.url}/v1/locations`, {
        headers: bearer(owner),
        body: { name: uniqueName('Site'), address: '1 Hospital Rd', timezone: 'Europe/London', sensitivity: 'healthcare', geofence: { lat: 51.5, lon: -0.12, radiusMeters: 100 }, clockInPolicy: policy },
      }),
      201,
    );
    const restroom = ok(await http('POST', `${gw.url}/v1/locations/${site.locationId}/areas`, { headers: bearer(owner), body: { name: 'Restroom 1', kind: 'restroom' } }), 201);
    const office = ok(await http('POST', `${gw.url}/v1/locations/${site.locationId}/areas`, { headers: bearer(owner), body: { name: 'Office 1', kind: 'office' } }), 201);
    const qr = ok(await http('POST', `${gw.url}/v1/locations/${site.locationId}/areas/${restroom.areaId}/scan-points`, { headers: bearer(owner), body: { method: 'qr' } }), 201);
    const checklist = ok(await http('POST', `${gw.url}/v1/checklists`, { headers: bearer(owner), body: { name: 'Restroom', areaKind: 'restroom', tasks: [{ title: 'Empty bins' }, { title: 'Mop floor' }] } }), 201);
    const person = async (grants: Record<string, { access: string; locations: 'all' | string[] }>) => {
      const address = email('person');
      const userId = ok(await http('POST', `${gw.url}/v1/users`, { headers: bearer(owner), body: { email: address, name: 'Person', password } }), 201).userId as string;
      for (const [module, g] of Object.entries(grants)) ok(await http('PUT', `${gw.url}/v1/users/${userId}/grants/${module}`, { headers: bearer(owner), body: g }));
      return { userId, token: ok(await http('POST', `${gw.url}/v1/auth/login`, { body: { tenantId: t.tenantId, email: address, password } })).accessToken as string };
    };
    const cleaner = await person({ records: { access: 'write', locations: [site.locationId] } });
    const supervisor = await person({ records: { access: 'manage', locations: [site.locationId] } });
    const shift = ok(await http('POST', `${gw.url}/v1/shifts`, { headers: bearer(owner), body: { locationId: site.locationId, start: inMinutes(2), end: inMinutes(120), checklistId: checklist.checklistId, cleanerIds: [cleaner.userId] } }), 201).shifts[0];
    return { tenantId: t.tenantId as string, owner, site, restroom, office, qr, checklist, cleaner, supervisor, shift, person };
  }
  const clockIn = (w: Awaited<ReturnType<typeof world>>, token: string, clock: Record<string, unknown>) => http('POST', `${gw.url}/v1/records`, { headers: bearer(token), body: { shiftId: w.shift.shiftId, clockIn: clock } });

  it('records a shift from QR clock-in to sign-off; corrections append and never edit', async () => {
    const w = await world();
    const started = ok(await clockIn(w, w.cleaner.token, { at: new Date().toISOString(), method: 'qr', scanCode: w.qr.code }), 201);
    expect(started).toMatchObject({ status: 'in_progress', cleanerId: w.cleaner.userId, shiftId: w.shift.shiftId, checklist: { checklistId: w.checklist.checklistId, version: 1 }, flags: [] });
    expect(started.clockIn.areaId).toBe(w.restroom.areaId);
    const id = started.recordId as string;
    expectError(await clockIn(w, w.cleaner.token, { at: new Date().toISOString(), method: 'manual' }), 409, 'already_clocked_in');
    const task = w.checklist.tasks[0].taskId;
    ok(await http('POST', `${gw.url}/v1/records/${id}/tasks`, { headers: bearer(w.cleaner.token), body: { taskId: task, areaId: w.restroom.areaId, completedAt: new Date().toISOString(), notes: 'Bin by the sink was overflowing' } }));
    ok(await http('POST', `${gw.url}/v1/records/${id}/issues`, { headers: bearer(w.cleaner.token), body: { category: 'broken-fixture', description: 'Tap drips', areaId: w.restroom.areaId, reportedAt: new Date().toISOString() } }));
    expectError(await http('POST', `${gw.url}/v1/records/${id}/sign-off`, { headers: bearer(w.supervisor.token) }), 422, 'not_clocked_out');
    ok(await http('POST', `${gw.url}/v1/records/${id}/clock-out`, { headers: bearer(w.cleaner.token), body: { at: new Date().toISOString(), method: 'qr', scanCode: w.qr.code } }));
    expectError(await http('POST', `${gw.url}/v1/records/${id}/inspection`, { headers: bearer(w.cleaner.token), body: { score: 100, method: { name: 'APPA', version: '3' }, items: [] } }), 403, 'cannot_inspect_own_record');
    const inspected = ok(await http('POST', `${gw.url}/v1/records/${id}/inspection`, { headers: bearer(w.supervisor.token), body: { score: 88, method: { name: 'APPA', version: '3' }, items: [{ label: 'Floors', score: 90 }] } }));
    expect(inspected.inspections[0]).toMatchObject({ score: 88, method: { name: 'APPA', version: '3' } });
    expectError(await http('POST', `${gw.url}/v1/records/${id}/sign-off`, { headers: bearer(w.cleaner.token) }), 403);
    const sealed = ok(await http('POST', `${gw.url}/v1/records/${id}/sign-off`, { headers: bearer(w.supervisor.token) }));
    expect(sealed.status).toBe('sealed');
    expectError(await http('POST', `${gw.url}/v1/records/${id}/tasks`, { headers: bearer(w.cleaner.token), body: { taskId: w.checklist.tasks[1].taskId, areaId: w.restroom.areaId, completedAt: new Date().toISOString() } }), 422, 'record_sealed');

    // The inspection (version 5) had the wrong score: a sealed record takes corrections from records:manage only.
    const correction = { target: { version: 5, field: 'score' }, value: 92, reason: 'Mis-keyed on the tablet' };
    expectError(await http('POST', `${gw.url}/v1/records/${id}/corrections`, { headers: bearer(w.cleaner.token), body: correction }), 403, 'sealed_record_needs_manage');
    const corrected = ok(await http('POST', `${gw.url}/v1/records/${id}/corrections`, { headers: bearer(w.supervisor.token), body: correction }));
    expect(corrected.inspections[0].score).toBe(92);
    expect(corrected.corrections).toEqual([expect.objectContaining({ target: { version: 5, field: 'score' }, value: 92, reason: 'Mis-keyed on the tablet', correctedBy: w.supervisor.userId, afterSeal: true })]);
    expectError(await http('POST', `${gw.url}/v1/records/${id}/corrections`, { headers: bearer(w.supervisor.token), body: { target: { version: 1, field: 'cleanerId' }, value: 'x', reason: 'no' } }), 400, 'uncorrectable_target');

    const history = ok(await http('GET', `${gw.url}/v1/records/${id}/history`, { headers: bearer(w.supervisor.token) }));
    expect(history.events.map((e: { type: string }) => e.type)).toEqual([
      'records.CleaningStarted',
      'records.TaskCompleted',
      'records.IssueReported',
      'records.ClockedOut',
      'records.InspectionRecorded',
      'records.RecordSealed',
      'records.RecordCorrected',
    ]);
    expect(history.events[4].data.score).toBe(88); // the original stays
    expect(history.events[1]).toMatchObject({ actorId: `user:${w.cleaner.userId}`, actorIp: '127.0.0.1', decrypted: { notes: 'Bin by the sink was overflowing' } });
    expect(history.events[1].data.notesEncrypted).not.toContain('overflowing');
    for (let i = 1; i < history.events.length; i++) expect(history.events[i].prevHash).toBe(history.events[i - 1].hash);
    expect(ok(await http('GET', `${gw.url}/v1/records/${id}/verify`, { headers: bearer(w.supervisor.token) }))).toEqual({ ok: true, events: 7, headHash: history.events[6].hash });
  });

  it('shows the record as it stood at any instant', async () => {
    const w = await world();
    const id = ok(await clockIn(w, w.cleaner.token, { at: new Date().toISOString(), method: 'manual' }), 201).recordId as string;
    await new Promise((r) => setTimeout(r, 30));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 30));
    ok(await http('POST', `${gw.url}/v1/records/${id}/tasks`, { headers: bearer(w.cleaner.token), body: { taskId: w.checklist.tasks[0].taskId, areaId: w.restroom.areaId, completedAt: new Date().toISOString() } }));
    const then = ok(await http('GET', `${gw.url}/v1/records/${id}?asOf=${encodeURIComponent(between)}`, { headers: bearer(w.cleaner.token) }));
    expect(then).toMatchObject({ version: 1, tasks: [], asOf: between });
    expect(then.flags).toEqual([{ code: 'no_location_evidence', detail: expect.any(String), version: 1 }]);
    expect(ok(await http('GET', `${gw.url}/v1/records/${id}`, { headers: bearer(w.cleaner.token) })).tasks).toHaveLength(1);
    expectError(await http('GET', `${gw.url}/v1/records/${id}?asOf=2020-01-01T00:00:00Z`, { headers: bearer(w.cleaner.token) }), 404, 'record_not_found');
  });

  it('judges evidence at capture: geofence with accuracy, refuse policy, scan codes, the future', async () => {
    const strict = await world('refuse');
    const far = { lat: 51.52, lon: -0.12, accuracyMeters: 10 }; // ~2.2 km north
    expectError(await clockIn(strict, strict.cleaner.token, { at: new Date().toISOString(), method: 'gps', geo: far }), 422, 'outside_geofence');
    const straddling = { lat: 51.5009, lon: -0.12, accuracyMeters: 50 }; // ~100 m out, 50 m accuracy
    expectError(await clockIn(strict, strict.cleaner.token, { at: new Date().toISOString(), method: 'gps', geo: straddling }), 422, 'outside_geofence');
    expectError(await clockIn(strict, strict.cleaner.token, { at: new Date().toISOString(), method: 'qr', scanCode: 'F'.repeat(32) }), 400, 'unknown_scan_code');
    expectError(await clockIn(strict, strict.cleaner.token, { at: inMinutes(30), method: 'manual' }), 400, 'time_in_future');
    const lenient = await world('flag');
    const flagged = ok(await clockIn(lenient, lenient.cleaner.token, { at: new Date().toISOString(), method: 'gps', geo: straddling }), 201);
    expect(flagged.flags.map((f: { code: string }) => f.code)).toEqual(['geofence_uncertain']);
    const listed = ok(await http('GET', `${gw.url}/v1/records?locationId=${lenient.site.locationId}&flagged=true`, { headers: bearer(lenient.supervisor.token) }));
    expect(listed.items.map((r: { recordId: string }) => r.recordId)).toEqual([flagged.recordId]);
  });

  it('refuses bad input and changes nothing already stored', async () => {
    const w = await world();
    const other = await world();
    const id = ok(await clockIn(w, w.cleaner.token, { at: new Date().toISOString(), method: 'manual' }), 201).recordId as string;
    const before = await count(id);
    const task = (body: Record<string, unknown>) => http('POST', `${gw.url}/v1/records/${id}/tasks`, { headers: bearer(w.cleaner.token), body: { taskId: w.checklist.tasks[0].taskId, areaId: w.restroom.areaId, completedAt: new Date().toISOString(), ...body } });
    expectError(await task({ areaId: w.office.areaId }), 400, 'area_not_in_checklist');
    expectError(await task({ taskId: 'not-a-task' }), 400, 'task_not_in_checklist');
    expectError(await task({ completedAt: inMinutes(30) }), 400, 'time_in_future');
    expectError(await task({ photoSha256: 'abc' }), 400, 'validation_failed');
    expectError(await http('POST', `${gw.url}/v1/records/${id}/tasks`, { headers: bearer(w.supervisor.token), body: { taskId: w.checklist.tasks[0].taskId, areaId: w.restroom.areaId, completedAt: new Date().toISOString() } }), 403, 'not_record_cleaner');
    expect(await count(id)).toBe(before);
    // Another tenant's shift, and a shift at a location outside the caller's records scope: 404.
    expectError(await http('POST', `${gw.url}/v1/records`, { headers: bearer(w.cleaner.token), body: { shiftId: other.shift.shiftId, clockIn: { at: new Date().toISOString(), method: 'manual' } } }), 404, 'shift_not_found');
    const elsewhere = ok(
      await http('POST', `${gw.url}/v1/locations`, { headers: bearer(w.owner), body: { name: uniqueName('Far'), address: 'X', timezone: 'Europe/London', sensitivity: 'standard', geofence: { lat: 0, lon: 0, radiusMeters: 10 }, clockInPolicy: 'flag' } }),
      201,
    );
    const farShift = ok(await http('POST', `${gw.url}/v1/shifts`, { headers: bearer(w.owner), body: { locationId: elsewhere.locationId, start: inMinutes(2), end: inMinutes(60), checklistId: w.checklist.checklistId } }), 201).shifts[0];
    expectError(await http('POST', `${gw.url}/v1/records`, { headers: bearer(w.cleaner.token), body: { shiftId: farShift.shiftId, clockIn: { at: new Date().toISOString(), method: 'manual' } } }), 404, 'shift_not_found');
    expectError(await http('GET', `${gw.url}/v1/records/${id}`, { headers: bearer(other.supervisor.token) }), 404, 'record_not_found');
    // A cleaner of this site who is not on the shift.
    const stranger = await w.person({ records: { access: 'write', locations: [w.site.locationId] } });
    expectError(await clockIn(w, stranger.token, { at: new Date().toISOString(), method: 'manual' }), 403, 'not_assigned');
  });

  it('detects a row altered in PostgreSQL behind the store, online and offline', async () => {
    const w = await world();
    const id = ok(await clockIn(w, w.cleaner.token, { at: new Date().toISOString(), method: 'qr', scanCode: w.qr.code }), 201).recordId as string;
    ok(await http('POST', `${gw.url}/v1/records/${id}/tasks`, { headers: bearer(w.cleaner.token), body: { taskId: w.checklist.tasks[0].taskId, areaId: w.restroom.areaId, completedAt: new Date().toISOString() } }));
    ok(await http('POST', `${gw.url}/v1/records/${id}/clock-out`, { headers: bearer(w.cleaner.token), body: { at: new Date().toISOString(), method: 'manual' } }));
    const dir = mkdtempSync(join(tmpdir(), 'custodian-export-'));
    const cli = (file: string) => spawnSync(process.execPath, [join(ROOT, 'tools/custodian-cli.cjs'), 'verify', 'record', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

    const intact = ok(await http('GET', `${gw.url}/v1/records/${id}/export`, { headers: bearer(w.supervisor.token) }));
    writeFileSync(join(dir, 'intact.json'), JSON.stringify(intact));
    const good = cli(join(dir, 'intact.json'));
    expect({ status: good.status, out: JSON.parse(good.stdout) }).toEqual({ status: 0, out: { verify: 'record', ok: true, recordId: id, events: 3, headHash: intact.headHash } });

    // A DBA, as superuser with triggers off, "fixes" the completion time of the task (version 2).
    const su = new Client({ connectionString: testDatabaseUrl() });
    await su.connect();
    try {
      await su.query('SET session_replication_role = replica');
      await su.query(`UPDATE event_store.events SET data = jsonb_set(data, '{completedAt}', '"2020-01-01T00:00:00.000Z"') WHERE stream_id = $1 AND version = 2`, [recordStreamId(id)]);
    } finally {
      await su.end();
    }
    expect(ok(await http('GET', `${gw.url}/v1/records/${id}/verify`, { headers: bearer(w.supervisor.token) }))).toEqual({ ok: false, events: 2, brokenAtVersion: 2, reason: 'hash does not match the event content' });
    const tampered = ok(await http('GET', `${gw.url}/v1/records/${id}/export`, { headers: bearer(w.supervisor.token) }));
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
    const bad = cli(join(dir, 'tampered.json'));
    expect({ status: bad.status, out: JSON.parse(bad.stdout) }).toMatchObject({ status: 1, out: { ok: false, brokenAtVersion: 2 } });
  });

  it('reports compliance per shift as JSON and CSV', async () => {
    const w = await world();
    const id = ok(await clockIn(w, w.cleaner.token, { at: new Date().toISOString(), method: 'manual' }), 201).recordId as string;
    ok(await http('POST', `${gw.url}/v1/records/${id}/tasks`, { headers: bearer(w.cleaner.token), body: { taskId: w.checklist.tasks[0].taskId, areaId: w.restroom.areaId, completedAt: new Date().toISOString() } }));
    const q = `locationId=${w.site.locationId}&from=${encodeURIComponent(inMinutes(-60))}&to=${encodeURIComponent(inMinutes(24 * 60))}`;
    const report = ok(await http('GET', `${gw.url}/v1/reports/compliance?${q}`, { headers: bearer(w.supervisor.token) }));
    expect(report.shifts).toEqual([
      expect.objectContaining({
        shiftId: w.shift.shiftId,
        recordIds: [id],
        tasksExpected: 2,
        tasksDone: 1,
        tasksMissed: [{ taskId: w.checklist.tasks[1].taskId, areaId: w.restroom.areaId }],
        flags: [expect.objectContaining({ recordId: id, code: 'no_location_evidence' })],
        corrections: 0,
      }),
    ]);
    const csv = await fetch(`${gw.url}/v1/reports/compliance?${q}`, { headers: { ...bearer(w.supervisor.token), accept: 'text/csv' }, signal: AbortSignal.timeout(15_000) });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toContain('"tasksMissed"');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"${w.shift.shiftId}"`);
    expectError(await http('GET', `${gw.url}/v1/reports/compliance?locationId=${w.site.locationId}&from=${encodeURIComponent(inMinutes(0))}&to=${encodeURIComponent(inMinutes(-10))}`, { headers: bearer(w.supervisor.token) }), 400);
  });
});
