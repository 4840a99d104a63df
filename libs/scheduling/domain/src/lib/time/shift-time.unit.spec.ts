import { CustodianError, ValidationError } from '@custodian/kernel';
import type { ShiftTime } from '@custodian/scheduling/contracts';
import { MAX_WEEKLY_OCCURRENCES, overlaps, requireTimezone, shiftTimeOf, weeklyOccurrences } from './shift-time';

const HOUR = 3_600_000;
const hoursOf = (t: ShiftTime) => (Date.parse(t.end) - Date.parse(t.start)) / HOUR;

function refusal(run: () => unknown): { error: unknown; code: string | undefined } {
  try {
    run();
  } catch (error) {
    return { error, code: error instanceof CustodianError ? error.code : undefined };
  }
  throw new Error('expected a refusal, got none');
}

function expectValidation(run: () => unknown, code: string): void {
  const { error, code: actual } = refusal(run);
  expect(error).toBeInstanceOf(ValidationError);
  expect(actual).toBe(code);
}

describe('shiftTimeOf', () => {
  it('reads a time without an offset as wall-clock time at the location', () => {
    expect(shiftTimeOf('2027-06-01T22:00', '2027-06-02T06:00:00', 'Europe/London')).toEqual({
      start: '2027-06-01T21:00:00.000Z',
      end: '2027-06-02T05:00:00.000Z',
      localStart: '2027-06-01T22:00:00',
      localEnd: '2027-06-02T06:00:00',
      timezone: 'Europe/London',
    });
  });

  it('reads a time with Z or an offset as that instant, and shows it on the location clock', () => {
    expect(shiftTimeOf('2027-06-01T20:00:00Z', '2027-06-02T06:00:00+02:00', 'Europe/London')).toEqual({
      start: '2027-06-01T20:00:00.000Z',
      end: '2027-06-02T04:00:00.000Z',
      localStart: '2027-06-01T21:00:00',
      localEnd: '2027-06-02T05:00:00',
      timezone: 'Europe/London',
    });
  });

  it('takes the same instant whatever offset it is written with', () => {
    const a = shiftTimeOf('2027-01-10T08:00:00.000Z', '2027-01-10T12:00:00.000Z', 'Asia/Tokyo');
    const b = shiftTimeOf('2027-01-10T17:00:00+09:00', '2027-01-10T07:00:00-05:00', 'Asia/Tokyo');
    expect(b).toEqual(a);
    expect(a.localStart).toBe('2027-01-10T17:00:00');
  });

  it('refuses a wall-clock time skipped by the spring change rather than shifting it', () => {
    expectValidation(() => shiftTimeOf('2027-03-28T01:30', '2027-03-28T06:00', 'Europe/London'), 'nonexistent_local_time');
    expectValidation(() => shiftTimeOf('2027-03-27T22:00', '2027-03-28T01:00', 'Europe/London'), 'nonexistent_local_time');
    expectValidation(() => shiftTimeOf('2027-03-14T02:15', '2027-03-14T08:00', 'America/New_York'), 'nonexistent_local_time');
  });

  it('accepts the last wall-clock minute before the gap and the first one after it', () => {
    expect(shiftTimeOf('2027-03-28T00:59', '2027-03-28T02:00', 'Europe/London')).toMatchObject({
      start: '2027-03-28T00:59:00.000Z',
      end: '2027-03-28T01:00:00.000Z',
    });
  });

  it('refuses an end at or before the start', () => {
    expectValidation(() => shiftTimeOf('2027-06-01T22:00', '2027-06-01T21:00', 'Europe/London'), 'end_before_start');
    expectValidation(() => shiftTimeOf('2027-06-01T22:00', '2027-06-01T22:00', 'Europe/London'), 'end_before_start');
    // Local 07:00 (06:00Z) is before the instant 06:30Z (07:30 local).
    expectValidation(() => shiftTimeOf('2027-06-01T06:30:00Z', '2027-06-01T07:00', 'Europe/London'), 'end_before_start');
  });

  it('accepts exactly 24 hours and refuses longer', () => {
    expect(hoursOf(shiftTimeOf('2027-06-01T08:00', '2027-06-02T08:00', 'Europe/London'))).toBe(24);
    expectValidation(() => shiftTimeOf('2027-06-01T08:00', '2027-06-02T08:01', 'Europe/London'), 'shift_too_long');
    // 24 wall-clock hours across the autumn change are 25 real ones.
    expectValidation(() => shiftTimeOf('2027-10-30T12:00', '2027-10-31T12:00', 'Europe/London'), 'shift_too_long');
  });

  it('refuses an unknown time zone', () => {
    expectValidation(() => shiftTimeOf('2027-06-01T22:00', '2027-06-02T06:00', 'Europe/Atlantis'), 'unknown_timezone');
    expectValidation(() => shiftTimeOf('2027-06-01T22:00', '2027-06-02T06:00', ''), 'unknown_timezone');
  });

  it('refuses what is not an ISO date-time', () => {
    expectValidation(() => shiftTimeOf('tomorrow 10pm', '2027-06-02T06:00', 'Europe/London'), 'validation_failed');
    expectValidation(() => shiftTimeOf('2027-06-01', '2027-06-02T06:00', 'Europe/London'), 'validation_failed');
    expectValidation(() => shiftTimeOf('2027-02-30T22:00', '2027-03-01T06:00', 'Europe/London'), 'validation_failed');
    expectValidation(() => shiftTimeOf('2027-06-01T22:00', 1_800_000_000_000, 'Europe/London'), 'validation_failed');
  });

  // The night of the spring change: 22:00 GMT to 06:00 BST is 7 real hours.
  it('keeps wall-clock times over the spring change night, which lasts 7 hours (Europe/London, 27→28 March 2027)', () => {
    const night = shiftTimeOf('2027-03-27T22:00', '2027-03-28T06:00', 'Europe/London');
    expect(night).toEqual({
      start: '2027-03-27T22:00:00.000Z',
      end: '2027-03-28T05:00:00.000Z',
      localStart: '2027-03-27T22:00:00',
      localEnd: '2027-03-28T06:00:00',
      timezone: 'Europe/London',
    });
    expect(hoursOf(night)).toBe(7);
  });

  it('keeps wall-clock times over the autumn change night, which lasts 9 hours (Europe/London, 30→31 October 2027)', () => {
    const night = shiftTimeOf('2027-10-30T22:00', '2027-10-31T06:00', 'Europe/London');
    expect(night).toEqual({
      start: '2027-10-30T21:00:00.000Z',
      end: '2027-10-31T06:00:00.000Z',
      localStart: '2027-10-30T22:00:00',
      localEnd: '2027-10-31T06:00:00',
      timezone: 'Europe/London',
    });
    expect(hoursOf(night)).toBe(9);
  });

  it('keeps wall-clock times over the spring change in New York (13→14 March 2027), 7 hours', () => {
    const night = shiftTimeOf('2027-03-13T22:00', '2027-03-14T06:00', 'America/New_York');
    expect(night).toMatchObject({ start: '2027-03-14T03:00:00.000Z', end: '2027-03-14T10:00:00.000Z', localStart: '2027-03-13T22:00:00', localEnd: '2027-03-14T06:00:00' });
    expect(hoursOf(night)).toBe(7);
  });

  it('resolves a wall-clock time the autumn change repeats to one instant that shows that time', () => {
    const t = shiftTimeOf('2027-10-31T01:30', '2027-10-31T04:00', 'Europe/London');
    expect(['2027-10-31T00:30:00.000Z', '2027-10-31T01:30:00.000Z']).toContain(t.start);
    expect(t.localStart).toBe('2027-10-31T01:30:00');
  });
});

describe('weeklyOccurrences', () => {
  const londonNight = shiftTimeOf('2027-03-21T22:00', '2027-03-22T06:00', 'Europe/London');

  // "A shift across a daylight-saving change keeps its local wall-clock times."
  it('keeps a 22:00–06:00 Europe/London shift at 22:00–06:00 local each week across the spring change, moving its UTC start', () => {
    const weeks = weeklyOccurrences(londonNight, 3);
    expect(weeks.map((w) => [w.localStart, w.localEnd])).toEqual([
      ['2027-03-21T22:00:00', '2027-03-22T06:00:00'],
      ['2027-03-28T22:00:00', '2027-03-29T06:00:00'],
      ['2027-04-04T22:00:00', '2027-04-05T06:00:00'],
    ]);
    expect(weeks.map((w) => w.start)).toEqual(['2027-03-21T22:00:00.000Z', '2027-03-28T21:00:00.000Z', '2027-04-04T21:00:00.000Z']);
    expect(weeks.map((w) => w.end)).toEqual(['2027-03-22T06:00:00.000Z', '2027-03-29T05:00:00.000Z', '2027-04-05T05:00:00.000Z']);
    expect(weeks.every((w) => w.timezone === 'Europe/London')).toBe(true);
  });

  it('lets the week of the spring change night last 7 hours and the others 8', () => {
    const first = shiftTimeOf('2027-03-20T22:00', '2027-03-21T06:00', 'Europe/London');
    expect(weeklyOccurrences(first, 3).map(hoursOf)).toEqual([8, 7, 8]);
  });

  it('keeps 22:00–06:00 local across the autumn change, that night lasting 9 hours', () => {
    const first = shiftTimeOf('2027-10-23T22:00', '2027-10-24T06:00', 'Europe/London');
    const weeks = weeklyOccurrences(first, 3);
    expect(weeks.map((w) => [w.localStart.slice(11), w.localEnd.slice(11)])).toEqual([
      ['22:00:00', '06:00:00'],
      ['22:00:00', '06:00:00'],
      ['22:00:00', '06:00:00'],
    ]);
    expect(weeks.map((w) => w.start)).toEqual(['2027-10-23T21:00:00.000Z', '2027-10-30T21:00:00.000Z', '2027-11-06T22:00:00.000Z']);
    expect(weeks.map(hoursOf)).toEqual([8, 9, 8]);
  });

  it('keeps local times across the New York spring change (14 March 2027)', () => {
    const first = shiftTimeOf('2027-03-06T22:00', '2027-03-07T06:00', 'America/New_York');
    const weeks = weeklyOccurrences(first, 2);
    expect(weeks.map((w) => [w.localStart, w.localEnd])).toEqual([
      ['2027-03-06T22:00:00', '2027-03-07T06:00:00'],
      ['2027-03-13T22:00:00', '2027-03-14T06:00:00'],
    ]);
    expect(weeks.map((w) => w.start)).toEqual(['2027-03-07T03:00:00.000Z', '2027-03-14T03:00:00.000Z']);
    expect(weeks.map(hoursOf)).toEqual([8, 7]);
  });

  it('moves an occurrence that falls in a gap forward by the gap, as the wall clock would', () => {
    const first = shiftTimeOf('2027-03-07T02:30', '2027-03-07T09:00', 'America/New_York');
    const [, second] = weeklyOccurrences(first, 2);
    expect(second).toMatchObject({ start: '2027-03-14T07:30:00.000Z', localStart: '2027-03-14T03:30:00', localEnd: '2027-03-14T09:00:00' });
  });

  it('starts with the given shift itself', () => {
    expect(weeklyOccurrences(londonNight, 1)).toEqual([londonNight]);
  });

  it(`accepts 1 to ${MAX_WEEKLY_OCCURRENCES} occurrences and refuses 0, 27 and fractions`, () => {
    expect(weeklyOccurrences(londonNight, MAX_WEEKLY_OCCURRENCES)).toHaveLength(26);
    expect(MAX_WEEKLY_OCCURRENCES).toBe(26);
    expectValidation(() => weeklyOccurrences(londonNight, 0), 'validation_failed');
    expectValidation(() => weeklyOccurrences(londonNight, 27), 'validation_failed');
    expectValidation(() => weeklyOccurrences(londonNight, 1.5), 'validation_failed');
    expectValidation(() => weeklyOccurrences(londonNight, -1), 'validation_failed');
    expect((refusal(() => weeklyOccurrences(londonNight, 27)).error as ValidationError).details).toEqual({ field: 'repeatWeekly' });
  });
});

describe('requireTimezone', () => {
  it('returns a known IANA zone and refuses anything else', () => {
    expect(requireTimezone('America/New_York')).toBe('America/New_York');
    expectValidation(() => requireTimezone('Mars/Olympus'), 'unknown_timezone');
    expectValidation(() => requireTimezone(42), 'unknown_timezone');
    expectValidation(() => requireTimezone(undefined), 'unknown_timezone');
    expectValidation(() => requireTimezone(`Europe/${'x'.repeat(60)}`), 'unknown_timezone');
  });

  it('names the field it checked', () => {
    expect((refusal(() => requireTimezone('Nowhere', 'zone')).error as ValidationError).details).toEqual({ field: 'zone' });
  });
});

describe('overlaps', () => {
  const at = (h: number) => `2027-06-01T${String(h).padStart(2, '0')}:00:00.000Z`;
  const span = (a: number, b: number) => ({ start: at(a), end: at(b) });

  it.each([
    ['disjoint, a first', span(8, 10), span(12, 14), false],
    ['disjoint, b first', span(12, 14), span(8, 10), false],
    ['a ends where b starts (touching)', span(8, 10), span(10, 12), false],
    ['b ends where a starts (touching)', span(10, 12), span(8, 10), false],
    ['partly, a first', span(8, 11), span(10, 12), true],
    ['partly, b first', span(10, 12), span(8, 11), true],
    ['a inside b', span(9, 10), span(8, 12), true],
    ['b inside a', span(8, 12), span(9, 10), true],
    ['identical', span(8, 10), span(8, 10), true],
    ['same start', span(8, 9), span(8, 12), true],
    ['same end', span(11, 12), span(8, 12), true],
  ])('%s → %s', (_case, a, b, expected) => {
    expect(overlaps(a, b)).toBe(expected);
  });

  it('compares instants, not strings', () => {
    // 10:00–12:00 at +02:00 is 08:00Z–10:00Z.
    const cest = { start: '2027-06-01T10:00:00+02:00', end: '2027-06-01T12:00:00+02:00' };
    expect(overlaps(cest, span(10, 12))).toBe(false);
    expect(overlaps(cest, span(9, 10))).toBe(true);
  });
});
