import { SCHEDULING_PATTERNS, type SchedulingMessages } from './scheduling.messages';

// Patterns are the wire contract between the gateway and the scheduling service: stable strings.
describe('SCHEDULING_PATTERNS', () => {
  it('keeps the published pattern strings', () => {
    expect(SCHEDULING_PATTERNS).toEqual({
      health: 'scheduling.health',
      createLocation: 'scheduling.locations.create',
      listLocations: 'scheduling.locations.list',
      getLocation: 'scheduling.locations.get',
      addArea: 'scheduling.areas.add',
      issueScanPoint: 'scheduling.scan-points.issue',
      rotateScanPoint: 'scheduling.scan-points.rotate',
      createChecklist: 'scheduling.checklists.create',
      reviseChecklist: 'scheduling.checklists.revise',
      getChecklist: 'scheduling.checklists.get',
      listChecklists: 'scheduling.checklists.list',
      scheduleShifts: 'scheduling.shifts.schedule',
      getShift: 'scheduling.shifts.get',
      listShifts: 'scheduling.shifts.list',
      myShifts: 'scheduling.shifts.mine',
      assignCleaner: 'scheduling.shifts.assign',
      unassignCleaner: 'scheduling.shifts.unassign',
      rescheduleShift: 'scheduling.shifts.reschedule',
      cancelShift: 'scheduling.shifts.cancel',
    });
  });

  it('gives every operation its own pattern in the scheduling namespace', () => {
    const patterns = Object.values(SCHEDULING_PATTERNS);
    expect(new Set(patterns).size).toBe(patterns.length);
    expect(patterns.filter((p) => !/^scheduling\.[a-z-]+(\.[a-z-]+)?$/.test(p))).toEqual([]);
  });
});

// ---- Compile-time: every pattern has a request/response pair, and no pair lacks a pattern. ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Pattern = (typeof SCHEDULING_PATTERNS)[keyof typeof SCHEDULING_PATTERNS];
const _everyPatternHasMessages: Equal<keyof SchedulingMessages, Pattern> = true;
