import { BodyDeadlines } from '../src/pipeline/deadlines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  jest.restoreAllMocks();
});

describe('BodyDeadlines', () => {
  test('a read not done by its timeout expires; one done before never does', async () => {
    const deadlines = new BodyDeadlines(40);
    const expired: string[] = [];
    const started = performance.now();
    let expiredAt = 0;
    deadlines.watch(() => {
      expired.push('slow');
      expiredAt = performance.now();
    });
    const quick = deadlines.watch(() => expired.push('quick'));
    deadlines.done(quick);
    await sleep(120);
    expect(expired).toEqual(['slow']);
    expect(expiredAt - started).toBeGreaterThanOrEqual(39);
    expect(deadlines.size).toBe(0);
  });

  test('reads share one timer: 10,000 reads that finish arm it once', () => {
    const deadlines = new BodyDeadlines(3000);
    const armed = jest.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 10_000; i++) deadlines.done(deadlines.watch(() => {}));
    expect(armed).toHaveBeenCalledTimes(1);
    expect(deadlines.size).toBe(0);
  });

  test('each read expires at its own deadline, oldest first, not all at the first one', async () => {
    let now = 0;
    const deadlines = new BodyDeadlines(30, () => now);
    const expired: string[] = [];
    deadlines.watch(() => expired.push('a'));
    now = 20;
    deadlines.watch(() => expired.push('b'));
    now = 35;
    await sleep(60);
    // The timer fired for a's deadline (30): b's (50) had not come.
    expect(expired).toEqual(['a']);
    expect(deadlines.size).toBe(1);
    now = 55;
    await sleep(60);
    expect(expired).toEqual(['a', 'b']);
  });

  test('an expiry that throws does not keep the next reads from expiring', async () => {
    const deadlines = new BodyDeadlines(10);
    const expired: string[] = [];
    deadlines.watch(() => {
      throw new Error('boom');
    });
    deadlines.watch(() => expired.push('next'));
    await sleep(60);
    expect(expired).toEqual(['next']);
  });

  test('a timer the host dropped is armed again by the next read once it is overdue', async () => {
    let now = 0;
    const deadlines = new BodyDeadlines(20, () => now);
    const expired: string[] = [];
    // The first timer never fires (a serverless host ended the request that armed it).
    const armed = jest.spyOn(globalThis, 'setTimeout').mockImplementationOnce((() => ({ unref() {} })) as never);
    deadlines.watch(() => expired.push('stalled'));
    now = 500;
    deadlines.watch(() => expired.push('second'));
    await sleep(60);
    // Not overdue by more than a second yet: nothing re-armed the timer, nothing expired.
    expect(expired).toEqual([]);
    now = 2_000;
    deadlines.watch(() => expired.push('third'));
    // Armed again for the oldest read, whose deadline (20) has passed: at once.
    // (The calls: the dropped timer, this test's sleep, then the new one.)
    expect(armed).toHaveBeenCalledTimes(3);
    expect(armed.mock.calls[2]?.[1]).toBe(0);
    await sleep(60);
    // Re-armed: every read past its deadline expires, the newest (due at 2,020) stays watched.
    expect(expired).toEqual(['stalled', 'second']);
    now = 2_030;
    await sleep(60);
    expect(expired).toEqual(['stalled', 'second', 'third']);
  });
});
