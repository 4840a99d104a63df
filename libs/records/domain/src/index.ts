export * from './lib/evidence/evidence';
export * from './lib/record/record.context';
export * from './lib/record/record.commands';
export * from './lib/record/record.decider';
