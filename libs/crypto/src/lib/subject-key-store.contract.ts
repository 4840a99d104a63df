import { randomBytes, randomUUID } from 'node:crypto';
import type { SubjectKeyStore } from './subject-key-store.port';

/**
 * The behaviour every SubjectKeyStore adapter must show (STYLE.md habit 6). Call inside a test
 * file; `getStore` is read per test so adapters may build the store in beforeAll.
 */
export function runSubjectKeyStoreContract(name: string, getStore: () => SubjectKeyStore): void {
  describe(`SubjectKeyStore contract: ${name}`, () => {
    const ids = () => ({ tenantId: `t-${randomUUID()}`, subjectId: `s-${randomUUID()}` });
    const wrapped = () => randomBytes(60);

    it('finds nothing for a subject never seen', async () => {
      const { tenantId, subjectId } = ids();
      expect(await getStore().find(tenantId, subjectId)).toBeNull();
    });

    it('stores the first key and returns it', async () => {
      const { tenantId, subjectId } = ids();
      const key = wrapped();
      const created = await getStore().createIfAbsent(tenantId, subjectId, 1, key);
      expect(created).toMatchObject({ status: 'active', keyVersion: 1, wrappedKey: key });
      expect(await getStore().find(tenantId, subjectId)).toMatchObject({ status: 'active', keyVersion: 1, wrappedKey: key });
    });

    it('keeps the first writer’s key when another is offered later', async () => {
      const { tenantId, subjectId } = ids();
      const first = wrapped();
      await getStore().createIfAbsent(tenantId, subjectId, 1, first);
      const second = await getStore().createIfAbsent(tenantId, subjectId, 1, wrapped());
      expect(second).toMatchObject({ status: 'active', wrappedKey: first });
    });

    it('converges concurrent first writers on one key', async () => {
      const { tenantId, subjectId } = ids();
      const offered = Array.from({ length: 10 }, wrapped);
      const results = await Promise.all(offered.map((k) => getStore().createIfAbsent(tenantId, subjectId, 1, k)));
      const stored = await getStore().find(tenantId, subjectId);
      if (stored?.status !== 'active') throw new Error('expected an active record');
      expect(offered.some((k) => k.equals(stored.wrappedKey))).toBe(true);
      for (const r of results) expect(r).toMatchObject({ status: 'active', wrappedKey: stored.wrappedKey });
    });

    it('separates tenants holding the same subject id', async () => {
      const { subjectId } = ids();
      const a = wrapped();
      const b = wrapped();
      await getStore().createIfAbsent('tenant-a-' + subjectId, subjectId, 1, a);
      await getStore().createIfAbsent('tenant-b-' + subjectId, subjectId, 1, b);
      await getStore().erase('tenant-a-' + subjectId, subjectId);
      expect(await getStore().find('tenant-b-' + subjectId, subjectId)).toMatchObject({ status: 'active', wrappedKey: b });
    });

    it('erases for good: the key is gone and no new key can be created', async () => {
      const { tenantId, subjectId } = ids();
      await getStore().createIfAbsent(tenantId, subjectId, 1, wrapped());
      await getStore().erase(tenantId, subjectId);
      const erased = await getStore().find(tenantId, subjectId);
      expect(erased).toEqual({ status: 'erased', erasedAt: expect.any(Date) });
      expect(await getStore().createIfAbsent(tenantId, subjectId, 1, wrapped())).toMatchObject({ status: 'erased' });
    });

    it('erases idempotently, keeping the first erasure time', async () => {
      const { tenantId, subjectId } = ids();
      await getStore().createIfAbsent(tenantId, subjectId, 1, wrapped());
      await getStore().erase(tenantId, subjectId);
      const first = await getStore().find(tenantId, subjectId);
      await new Promise((r) => setTimeout(r, 5));
      await getStore().erase(tenantId, subjectId);
      const second = await getStore().find(tenantId, subjectId);
      if (first?.status !== 'erased' || second?.status !== 'erased') throw new Error('expected erased records');
      expect(second.erasedAt.getTime()).toBe(first.erasedAt.getTime());
    });

    it('leaves a tombstone when erasing a subject that never had a key', async () => {
      const { tenantId, subjectId } = ids();
      await getStore().erase(tenantId, subjectId);
      expect(await getStore().find(tenantId, subjectId)).toMatchObject({ status: 'erased' });
      expect(await getStore().createIfAbsent(tenantId, subjectId, 1, wrapped())).toMatchObject({ status: 'erased' });
    });
  });
}
