import { InMemorySubjectKeyStore } from './in-memory-subject-key-store';
import { runSubjectKeyStoreContract } from './subject-key-store.contract';

const store = new InMemorySubjectKeyStore();
runSubjectKeyStoreContract('in memory', () => store);
