/** The Fastify route's body timeouts: one timer for every request still waiting for its body. */
import { BodyDeadlines } from '../src/body-deadlines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BodyDeadlines', () => {
  test('expires the requests whose body did not arrive, in order, each once, at its own deadline', async () => {
    const expired: [string, number][] = [];
    const started = performance.now();
    const deadlines = new BodyDeadlines<string>(60, (name) => expired.push([name, performance.now() - started]));
    const a = deadlines.start('a');
    await sleep(20);
    const b = deadlines.start('b');
    deadlines.start('c');
    BodyDeadlines.settle(b); // b's body arrived
    await sleep(150);
    expect(expired.map(([name]) => name)).toEqual(['a', 'c']);
    const [[, atA], [, atC]] = expired as [[string, number], [string, number]];
    expect(atA).toBeGreaterThanOrEqual(55);
    expect(atC).toBeGreaterThanOrEqual(75); // 20 ms later than a: its own deadline, not a's
    BodyDeadlines.settle(a); // settling after expiry changes nothing
    expect(expired).toHaveLength(2);
  });

  test('settled requests never expire, and the queue starts again after it emptied', async () => {
    const expired: string[] = [];
    const deadlines = new BodyDeadlines<string>(30, (name) => expired.push(name));
    for (let i = 0; i < 1000; i++) BodyDeadlines.settle(deadlines.start(`settled ${i}`));
    await sleep(80);
    expect(expired).toEqual([]);
    deadlines.start('late');
    await sleep(80);
    expect(expired).toEqual(['late']);
  });
});
