import { runEventStoreContract } from '@custodian/event-store/testing';
import { createEventStoreDbStore } from './eventstoredb-event-store';

/**
 * The EventStore contract against a real EventStoreDB/KurrentDB server, e.g.
 *   docker run -d -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=None
 *   EVENTSTORE_URL='esdb://localhost:2113?tls=false' npx jest libs/event-store/src/lib/eventstoredb
 * Tests isolate by unique stream ids, so a shared server is fine.
 */
const url = process.env.EVENTSTORE_URL;

if (url) {
  runEventStoreContract('EventStoreDB', async () => {
    const store = createEventStoreDbStore(url);
    return { store, teardown: () => store.close() };
  });
} else {
  const reason = 'EventStoreDB contract suite skipped: set EVENTSTORE_URL=esdb://… to run it';
  process.stdout.write(`${reason} (e.g. EVENTSTORE_URL='esdb://localhost:2113?tls=false')\n`);
  describe.skip(reason, () => {
    it('runs runEventStoreContract against the server at EVENTSTORE_URL', () => undefined);
  });
}
