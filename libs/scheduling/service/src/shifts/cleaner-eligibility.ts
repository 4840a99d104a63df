import { NotFoundError, ValidationError } from '@custodian/kernel';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import type { DataSource } from 'typeorm';

type Person = { user_id: string; disabled: boolean; records_access: string | null; records_locations: 'all' | string[] | null };

/**
 * Who may be put on a shift at a location, from scheduling's view of identity's events: an
 * enabled user of the tenant holding `records:write` (or manage) at that location — the access
 * they need to record the cleaning. Unknown or another tenant's user: NotFoundError
 * `cleaner_not_found`; a user of the tenant without that access: ValidationError
 * `cleaner_lacks_location_access`.
 */
export class CleanerEligibility {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
  ) {}

  async require(tenantId: string, locationId: string, cleanerIds: readonly string[]): Promise<void> {
    if (cleanerIds.length === 0) return;
    await readModelAt(this.projection, await this.committedHead());
    const rows = (await this.dataSource.query('SELECT user_id, disabled, records_access, records_locations FROM scheduling_rm.people WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])', [
      tenantId,
      cleanerIds,
    ])) as Person[];
    for (const cleanerId of cleanerIds) {
      const p = rows.find((r) => r.user_id === cleanerId);
      if (!p) throw new NotFoundError(`Cleaner ${cleanerId} not found`, 'cleaner_not_found');
      const writes = p.records_access === 'write' || p.records_access === 'manage';
      const here = p.records_locations === 'all' || (Array.isArray(p.records_locations) && p.records_locations.includes(locationId));
      if (p.disabled || !writes || !here) {
        throw new ValidationError(`Cleaner ${cleanerId} cannot record cleaning at this location (needs an enabled account with records:write there)`, { field: 'cleanerIds', cleanerId }, 'cleaner_lacks_location_access');
      }
    }
  }
}
