/** Each jest project loads the NestJS major it names (jest.config.cjs maps @nestjs/* per project). */
import { nestMajor } from './nest-app.js';

declare const IM_NEST_MAJOR: number;

test('the NestJS loaded is the major this project runs (core, common, both platforms, testing)', () => {
  expect([11, 12]).toContain(IM_NEST_MAJOR);
  expect(nestMajor()).toBe(IM_NEST_MAJOR);
});
