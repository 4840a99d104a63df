import type { RequestMeta } from '@custodian/kernel';
import { ModuleCaller } from '@custodian/platform';

export { uuidOrUndefined } from '@custodian/platform';

/** The caller of a scheduling request, scoped by their `scheduling` grant (see ModuleCaller). */
export const Caller = {
  of: (meta: RequestMeta): ModuleCaller => ModuleCaller.of(meta, 'scheduling'),
};
export type Caller = ModuleCaller;
