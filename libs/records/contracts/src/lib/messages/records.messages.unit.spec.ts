import { RECORDS_PATTERNS, type RecordsMessages } from './records.messages';

// Patterns are the wire contract between the gateway and the records service: stable strings.
describe('RECORDS_PATTERNS', () => {
  it('keeps the published pattern strings', () => {
    expect(RECORDS_PATTERNS).toEqual({
      health: 'records.health',
      start: 'records.start',
      completeTask: 'records.tasks.complete',
      reportIssue: 'records.issues.report',
      clockOut: 'records.clock-out',
      inspect: 'records.inspect',
      signOff: 'records.sign-off',
      correct: 'records.correct',
      get: 'records.get',
      history: 'records.history',
      list: 'records.list',
      verify: 'records.verify',
      export: 'records.export',
      complianceReport: 'records.reports.compliance',
    });
  });

  it('gives every operation its own pattern in the records namespace', () => {
    const patterns = Object.values(RECORDS_PATTERNS);
    expect(new Set(patterns).size).toBe(patterns.length);
    expect(patterns.filter((p) => !/^records\.[a-z-]+(\.[a-z-]+)?$/.test(p))).toEqual([]);
  });
});

// ---- Compile-time: every pattern has a request/response pair, and no pair lacks a pattern. ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Pattern = (typeof RECORDS_PATTERNS)[keyof typeof RECORDS_PATTERNS];
const _everyPatternHasMessages: Equal<keyof RecordsMessages, Pattern> = true;
void _everyPatternHasMessages;
