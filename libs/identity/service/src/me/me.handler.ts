import { NotFoundError } from '@custodian/kernel';
import type { PersonalDataCipher } from '@custodian/crypto';
import { MODULES, userStreamId, type MeRequest, type MeResponse, type ModuleGrant, type ServiceRequest } from '@custodian/identity/contracts';
import type { DataSource } from 'typeorm';
import type { EventStore } from '@custodian/kernel';
import type { ProjectionRunner } from '@custodian/projections';
import { GrantView, UserView } from '../read-model/identity.entities';
import { readModelAt } from '@custodian/projections';

/**
 * The caller's profile and grants, from the read model. Read-your-writes: when the user's
 * stream is ahead of the projection (a login right after sign-up), waits for the projection
 * to reach the stream's last event before answering.
 */
export class MeHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly projection: ProjectionRunner,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async handle({ body }: ServiceRequest<MeRequest>): Promise<MeResponse> {
    // Only the stream's last event is needed (its position): two indexed reads, not the history.
    const stream = userStreamId(body.userId);
    const version = await this.store.streamVersion(stream);
    const [last] = version > 0 ? await this.store.readStream(stream, { fromVersion: version, limit: 1 }) : [];
    if (!last || last.tenantId !== body.tenantId) throw new NotFoundError('User not found', 'user_not_found');
    await readModelAt(this.projection, last.globalPosition);
    const user = await this.dataSource.getRepository(UserView).findOneBy({ userId: body.userId, tenantId: body.tenantId });
    if (!user) throw new NotFoundError('User not found', 'user_not_found');
    const grants = await this.dataSource.getRepository(GrantView).findBy({ userId: body.userId });
    const [email, name] = await Promise.all([
      this.cipher.decrypt(user.tenantId, user.userId, user.emailEncrypted),
      this.cipher.decrypt(user.tenantId, user.userId, user.nameEncrypted),
    ]);
    return {
      userId: user.userId,
      tenantId: user.tenantId,
      email: email ?? '[erased]',
      name: name ?? '[erased]',
      grants: grants
        .map((g): ModuleGrant => ({ module: g.module as ModuleGrant['module'], access: g.access as ModuleGrant['access'], locations: g.locations }))
        .sort((a, b) => MODULES.indexOf(a.module) - MODULES.indexOf(b.module)),
    };
  }
}
