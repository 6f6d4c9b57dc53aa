/**
 * The fast path of validation agrees with valibot: whenever the compiled checker says PASS, valibot
 * accepts the body and its output equals the body; whenever it says FAIL, valibot refuses it. Over
 * every sample and documented variant, and fuzzed mutations of them.
 */
import { sample, samples, sampleVariants } from '@im-callbacks/test-helpers';
import fc from 'fast-check';
import * as v from 'valibot';
import { catalogue, commandList } from '../src/catalogue/index.js';
import { compile, FAIL, PASS, UNKNOWN } from '../src/pipeline/fast-check.js';

function agrees(schema: v.GenericSchema, body: unknown): number {
  const verdict = compile(schema)(body);
  const result = v.safeParse(schema, body);
  if (verdict === PASS) {
    expect(result.success).toBe(true);
    expect(result.output).toEqual(body);
  }
  if (verdict === FAIL) expect(result.success).toBe(false);
  return verdict;
}

describe('the compiled checker', () => {
  test.each(commandList.map((spec) => spec.command))('%s: its sample passes in place', (command) => {
    const body = JSON.parse(JSON.stringify(samples[command]));
    const verdict = agrees(catalogue[command].schema, body);
    // Samples with EventTime as a number and nothing to normalise take the fast path.
    if (typeof body.EventTime !== 'string' && command !== 'Group.CallbackAfterCreateGroup') {
      expect([PASS, UNKNOWN]).toContain(verdict);
    }
  });

  test('message bodies as real traffic sends them (EventTime a number) take the fast path; a string of digits does not', () => {
    for (const command of [
      'Group.CallbackAfterSendMsg',
      'Group.CallbackBeforeSendMsg',
      'C2C.CallbackBeforeSendMsg',
    ] as const) {
      const body = { ...JSON.parse(JSON.stringify(samples[command])), EventTime: 1670574414123 };
      expect(compile(catalogue[command].schema)(body)).toBe(PASS);
      expect(compile(catalogue[command].schema)({ ...body, EventTime: '1670574414123' })).toBe(UNKNOWN);
    }
  });

  test.each(sampleVariants.map((variant) => [variant.command, variant.name, variant] as const))(
    '%s (%s): agrees with valibot',
    (command, _name, variant) => {
      agrees(catalogue[command].schema, JSON.parse(JSON.stringify(variant.payload)));
    },
  );

  test('fuzzed: any field of any sample replaced by any JSON value (at any depth), the verdict agrees with valibot', () => {
    const commands = commandList.map((spec) => spec.command);
    const counts = [0, 0, 0];
    fc.assert(
      fc.property(
        fc.constantFrom(...commands),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.jsonValue({ maxDepth: 3 }),
        (command, path, value) => {
          const body = JSON.parse(JSON.stringify(sample(command))) as Record<string, unknown>;
          let node: unknown = body;
          for (let i = 0; i < path.length; i++) {
            if (typeof node !== 'object' || node === null) break;
            const keys = Object.keys(node);
            if (keys.length === 0) break;
            const key = keys[(path[i] as number) % keys.length] as string;
            if (i === path.length - 1 || typeof (node as Record<string, unknown>)[key] !== 'object') {
              (node as Record<string, unknown>)[key] = value;
              break;
            }
            node = (node as Record<string, unknown>)[key];
          }
          const verdict = agrees(catalogue[command].schema, body);
          counts[verdict] = (counts[verdict] ?? 0) + 1;
        },
      ),
      { numRuns: 5000 },
    );
    // Every verdict occurs: the property is not vacuous.
    expect(counts.every((count) => count > 0)).toBe(true);
  });
});
