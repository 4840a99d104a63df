export { parseMasterKey, generateMasterKey, MASTER_KEY_ENV } from './lib/master-key';
export type { SubjectKeyRecord, SubjectKeyStore } from './lib/subject-key-store.port';
export { PostgresSubjectKeyStore } from './lib/postgres-subject-key-store';
export { InMemorySubjectKeyStore } from './lib/in-memory-subject-key-store';
export { cryptoMigrations } from './lib/crypto.migrations';
export { PersonalDataCipher, type PersonalDataCipherOptions, type DecryptedFields } from './lib/personal-data-cipher';
export { isEncrypted, PERSONAL_DATA_PREFIX } from './lib/personal-data-format';
export { blindIndex, normalizeEmail } from './lib/blind-index';
