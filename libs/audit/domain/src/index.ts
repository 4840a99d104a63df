export * from './lib/ledger/merkle';
export * from './lib/ledger/checkpoint';
export * from './lib/ledger/ledger-proofs';
export * from './lib/blocklist/blocklist.commands';
export * from './lib/blocklist/blocklist.decider';
export * from './lib/incidents/incident.commands';
export * from './lib/incidents/incident.decider';
