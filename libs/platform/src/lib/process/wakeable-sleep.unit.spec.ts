import { WakeableSleep } from './wakeable-sleep';

describe('WakeableSleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the given time when nobody wakes it', async () => {
    const pause = new WakeableSleep();
    let done = false;
    void pause.sleep(1000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('resolves at once when woken, and a later wake is harmless', async () => {
    const pause = new WakeableSleep();
    let done = false;
    void pause.sleep(60_000).then(() => (done = true));
    pause.wake();
    await Promise.resolve();
    expect(done).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    pause.wake();
  });
});
