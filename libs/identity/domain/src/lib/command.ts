import type { EventMetadata } from '@custodian/kernel';

/**
 * A command as deciders see it: plain data. Everything `decide` needs — ids, the time, the
 * actor's inputs — is in `data` and required; a decider never reads a clock or a random source.
 * `metadata` (who, from where, which request) rides along for the handler that stores the
 * events; deciders do not read it.
 */
export type Command<TType extends string, TData> = {
  type: TType;
  data: TData;
  metadata?: EventMetadata;
};
