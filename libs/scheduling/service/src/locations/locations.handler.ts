import { randomBytes } from 'node:crypto';
import { commandContextOf, NotFoundError, type RequestMeta, type ServiceRequest } from '@custodian/kernel';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import {
  locationStreamId,
  type AddAreaRequest,
  type AreaView,
  type CreateLocationRequest,
  type IssueScanPointRequest,
  type ListLocationsRequest,
  type LocationRef,
  type LocationView,
  type Page,
  type RotateScanPointRequest,
  type ScanPointView,
} from '@custodian/scheduling/contracts';
import type { DataSource } from 'typeorm';
import { Caller, uuidOrUndefined } from '../infra/caller';
import { newId } from '../infra/ids';
import { decodeCursor, encodeCursor, pageLimit } from '@custodian/platform';
import type { SchedulingCommands } from '../infra/scheduling-store';

type LocationRow = {
  location_id: string;
  name: string;
  address: string;
  timezone: string;
  sensitivity: LocationView['sensitivity'];
  geofence: LocationView['geofence'];
  clock_in_policy: LocationView['clockInPolicy'];
  registered_at: Date;
};

/**
 * Client sites, their areas and scan points. Registering a location needs scheduling:manage on
 * all locations; everything else about a location needs the location in the caller's scope
 * (404 otherwise) at manage (changes) or read (reads).
 */
export class LocationsHandler {
  constructor(
    private readonly commands: SchedulingCommands,
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create({ meta, body }: ServiceRequest<CreateLocationRequest>): Promise<LocationView> {
    const caller = Caller.of(meta);
    caller.requireTenantWide('manage');
    const now = this.clock();
    const locationId = newId(caller.tenantId, 'location', meta.idempotencyKey);
    await this.commands.locations.handle(locationStreamId(locationId), { type: 'RegisterLocation', data: { tenantId: caller.tenantId, locationId, ...body, at: now.toISOString() } }, this.ctx(meta, caller, now));
    return this.view(caller, locationId);
  }

  async list({ meta, body }: ServiceRequest<ListLocationsRequest>): Promise<Page<LocationView>> {
    const caller = Caller.of(meta);
    caller.requireLevel('read');
    const limit = pageLimit(body.limit);
    await readModelAt(this.projection, await this.committedHead());
    const params: unknown[] = [caller.tenantId];
    const where = ['tenant_id = $1'];
    if (caller.locations !== 'all') where.push(`location_id = ANY($${params.push(caller.locations)}::uuid[])`);
    if (body.cursor) {
      const [at, id] = decodeCursor(body.cursor);
      where.push(`(registered_at, location_id) > ($${params.push(at)}::timestamptz, $${params.push(id)}::uuid)`);
    }
    const rows = (await this.dataSource.query(`SELECT * FROM scheduling_rm.locations WHERE ${where.join(' AND ')} ORDER BY registered_at, location_id LIMIT $${params.push(limit + 1)}`, params)) as LocationRow[];
    const page = rows.slice(0, limit);
    const items = await this.withAreas(page);
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.registered_at, last.location_id) : null };
  }

  async get({ meta, body }: ServiceRequest<LocationRef>): Promise<LocationView> {
    const caller = Caller.of(meta);
    const locationId = this.inScope(caller, body.locationId, 'read');
    await readModelAt(this.projection, await this.committedHead());
    return this.view(caller, locationId);
  }

  async addArea({ meta, body }: ServiceRequest<AddAreaRequest>): Promise<AreaView> {
    const caller = Caller.of(meta);
    const locationId = this.inScope(caller, body.locationId, 'manage');
    const now = this.clock();
    const areaId = newId(caller.tenantId, `area\u0000${locationId}`, meta.idempotencyKey);
    const outcome = await this.commands.locations.handle(
      locationStreamId(locationId),
      { type: 'AddArea', data: { tenantId: caller.tenantId, locationId, areaId, name: body.name, kind: body.kind, at: now.toISOString() } },
      this.ctx(meta, caller, now),
    );
    const area = outcome.state.status === 'registered' ? outcome.state.areas[areaId] : undefined;
    if (!area) throw new NotFoundError('Location not found', 'location_not_found');
    return { areaId, name: area.name, kind: area.kind, scanPoints: [] };
  }

  async issueScanPoint({ meta, body }: ServiceRequest<IssueScanPointRequest>): Promise<ScanPointView> {
    const caller = Caller.of(meta);
    const locationId = this.inScope(caller, body.locationId, 'manage');
    const areaId = uuidOrUndefined(body.areaId);
    if (!areaId) throw new NotFoundError('Area not found', 'area_not_found');
    const now = this.clock();
    const scanPointId = newId(caller.tenantId, `scan-point\u0000${areaId}`, meta.idempotencyKey);
    const outcome = await this.commands.locations.handle(
      locationStreamId(locationId),
      { type: 'IssueScanPoint', data: { tenantId: caller.tenantId, locationId, areaId, scanPointId, method: body.method, code: scanCode(), at: now.toISOString() } },
      this.ctx(meta, caller, now),
    );
    const issued = outcome.events.find((e) => e.type === 'scheduling.ScanPointIssued');
    if (!issued) throw new NotFoundError('Scan point not found', 'scan_point_not_found');
    return { scanPointId, method: String(issued.data['method']) as ScanPointView['method'], code: String(issued.data['code']), issuedAt: String(issued.data['issuedAt']), rotatedAt: null };
  }

  /** A new code for the scan point; the old one stops belonging to the area. Not idempotent by design: each call rotates. */
  async rotateScanPoint({ meta, body }: ServiceRequest<RotateScanPointRequest>): Promise<ScanPointView> {
    const caller = Caller.of(meta);
    const locationId = this.inScope(caller, body.locationId, 'manage');
    const areaId = uuidOrUndefined(body.areaId);
    const scanPointId = uuidOrUndefined(body.scanPointId);
    if (!areaId || !scanPointId) throw new NotFoundError('Scan point not found', 'scan_point_not_found');
    const now = this.clock();
    const outcome = await this.commands.locations.handle(
      locationStreamId(locationId),
      { type: 'RotateScanPoint', data: { tenantId: caller.tenantId, locationId, areaId, scanPointId, code: scanCode(), at: now.toISOString() } },
      { ...this.ctx(meta, caller, now), idempotencyKey: undefined },
    );
    const state = outcome.state;
    const point = state.status === 'registered' ? state.areas[areaId]?.scanPoints[scanPointId] : undefined;
    if (!point) throw new NotFoundError('Scan point not found', 'scan_point_not_found');
    await readModelAt(this.projection, await this.committedHead());
    const row = (await this.dataSource.query('SELECT issued_at FROM scheduling_rm.scan_points WHERE scan_point_id = $1', [scanPointId])) as Array<{ issued_at: Date }>;
    return { scanPointId, method: point.method, code: point.code, issuedAt: row[0] ? row[0].issued_at.toISOString() : now.toISOString(), rotatedAt: now.toISOString() };
  }

  /** The location id when well formed and in the caller's scope at `level`; 404 otherwise. */
  private inScope(caller: Caller, raw: string, level: 'read' | 'manage'): string {
    const locationId = uuidOrUndefined(raw);
    if (!locationId) throw new NotFoundError('Location not found', 'location_not_found');
    caller.requireAt(locationId, level);
    return locationId;
  }

  private async view(caller: Caller, locationId: string): Promise<LocationView> {
    await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query('SELECT * FROM scheduling_rm.locations WHERE tenant_id = $1 AND location_id = $2', [caller.tenantId, locationId])) as LocationRow[];
    const [view] = await this.withAreas(rows);
    if (!view) throw new NotFoundError('Location not found', 'location_not_found');
    return view;
  }

  private async withAreas(rows: LocationRow[]): Promise<LocationView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.location_id);
    const areas = (await this.dataSource.query('SELECT area_id, location_id, name, kind FROM scheduling_rm.areas WHERE location_id = ANY($1::uuid[]) ORDER BY added_at, area_id', [ids])) as Array<{ area_id: string; location_id: string; name: string; kind: string }>;
    const points = (await this.dataSource.query('SELECT * FROM scheduling_rm.scan_points WHERE location_id = ANY($1::uuid[]) ORDER BY issued_at, scan_point_id', [ids])) as Array<{
      scan_point_id: string;
      area_id: string;
      method: ScanPointView['method'];
      code: string;
      issued_at: Date;
      rotated_at: Date | null;
    }>;
    return rows.map((r) => ({
      locationId: r.location_id,
      name: r.name,
      address: r.address,
      timezone: r.timezone,
      sensitivity: r.sensitivity,
      geofence: r.geofence,
      clockInPolicy: r.clock_in_policy,
      registeredAt: r.registered_at.toISOString(),
      areas: areas
        .filter((a) => a.location_id === r.location_id)
        .map((a) => ({
          areaId: a.area_id,
          name: a.name,
          kind: a.kind,
          scanPoints: points
            .filter((p) => p.area_id === a.area_id)
            .map((p) => ({ scanPointId: p.scan_point_id, method: p.method, code: p.code, issuedAt: p.issued_at.toISOString(), rotatedAt: p.rotated_at ? p.rotated_at.toISOString() : null })),
        })),
    }));
  }

  private ctx(meta: RequestMeta, caller: Caller, now: Date) {
    return commandContextOf(meta, caller.tenantId, now, caller.actorId);
  }
}

/** 128 random bits, upper-case hex: printed on a QR sticker or written to an NFC tag. */
function scanCode(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

