/**
 * Owns the fast path of validation: each command's valibot schema, compiled once into a checker that
 * reads the parsed body in place and answers PASS only when valibot would accept it AND its output
 * would equal the input (no value normalised, no field dropped or renamed). Then the parsed body is
 * the payload, and valibot's copy is saved. Anything else (a failure, a string of digits to turn
 * into a number, a schema shape this file does not know) answers FAIL or UNKNOWN, and valibot runs
 * as before: it stays the single source of rules, types and error messages.
 *
 * Kept for what it measured (in-process, this machine, 3 rounds of 200,000): the seed
 * `Group.CallbackAfterSendMsg` body checked in 556-978 ns against valibot's 2,257-2,386, about
 * 15 % of the whole in-process pipeline, more than that bench's round-to-round spread; and
 * because it is what makes `event.payload` the parsed body itself (`event.raw`), as documented,
 * rather than a copy.
 */
import type * as v from 'valibot';

export const FAIL = 0;
export const PASS = 1;
export const UNKNOWN = 2;
export type Verdict = typeof FAIL | typeof PASS | typeof UNKNOWN;
export type Checker = (value: unknown) => Verdict;

/** The parts of valibot's schema and action objects this compiler reads. */
interface Node {
  readonly kind?: string;
  readonly type: string;
  readonly pipe?: readonly Node[];
  readonly entries?: Readonly<Record<string, Node>>;
  readonly wrapped?: Node;
  readonly default?: unknown;
  readonly options?: readonly Node[];
  readonly item?: Node;
  readonly literal?: unknown;
  readonly requirement?: unknown;
  readonly check?: (input: unknown) => boolean;
  readonly getter?: (input: unknown) => Node;
  readonly '~run'?: (
    dataset: { typed: boolean; value: unknown; issues?: unknown[] },
    config: object,
  ) => {
    issues?: unknown[];
  };
}

const unknown: Checker = () => UNKNOWN;
const cache = new WeakMap<object, Checker>();

/** A validation action (`integer`, `minValue`, `regex`...) as a predicate; undefined for transformations. */
function action(node: Node): ((value: unknown) => boolean) | undefined {
  if (node.kind === 'metadata') return () => true;
  if (node.kind !== 'validation') return undefined;
  const requirement = node.requirement;
  switch (node.type) {
    case 'integer':
      return (value) => Number.isInteger(value);
    case 'min_value':
      return (value) => (value as number) >= (requirement as number);
    case 'max_value':
      return (value) => (value as number) <= (requirement as number);
    case 'regex':
      return (value) => (requirement as RegExp).test(value as string);
    case 'check':
      return (value) => (requirement as (input: unknown) => boolean)(value);
    default: {
      const run = node['~run'];
      if (run === undefined) return undefined;
      return (value) => run.call(node, { typed: true, value }, {}).issues === undefined;
    }
  }
}

function compileBase(node: Node): Checker {
  switch (node.type) {
    case 'string':
      return (value) => (typeof value === 'string' ? PASS : FAIL);
    case 'number':
      return (value) => (typeof value === 'number' && !Number.isNaN(value) ? PASS : FAIL);
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? PASS : FAIL);
    case 'unknown':
    case 'any':
      return () => PASS;
    case 'literal':
      return (value) => (value === node.literal ? PASS : FAIL);
    case 'custom': {
      const check = node.check as (input: unknown) => boolean;
      return (value) => (check(value) ? PASS : FAIL);
    }
    case 'optional': {
      if (node.default !== undefined) return unknown;
      const wrapped = compile(node.wrapped as Node);
      return (value) => (value === undefined ? PASS : wrapped(value));
    }
    case 'union': {
      const options = (node.options ?? []).map(compile);
      // valibot takes the first option that succeeds: an option that may succeed with another
      // output (UNKNOWN) before the one that passes makes the whole union UNKNOWN.
      return (value) => {
        for (const option of options) {
          const verdict = option(value);
          if (verdict !== FAIL) return verdict;
        }
        return FAIL;
      };
    }
    case 'array': {
      const item = compile(node.item as Node);
      return (value) => {
        if (!Array.isArray(value)) return FAIL;
        let verdict: Verdict = PASS;
        for (let i = 0; i < value.length; i++) {
          const one = item(value[i]);
          if (one === FAIL) return FAIL;
          if (one === UNKNOWN) verdict = UNKNOWN;
        }
        return verdict;
      };
    }
    case 'loose_object': {
      const keys = Object.keys(node.entries ?? {});
      const checks = keys.map((key) => compile((node.entries as Record<string, Node>)[key] as Node));
      return (value) => {
        if (typeof value !== 'object' || value === null) return FAIL;
        // valibot takes an array for an object, and outputs a plain object: not the input.
        if (Array.isArray(value)) return UNKNOWN;
        let verdict: Verdict = PASS;
        for (let i = 0; i < keys.length; i++) {
          const one = (checks[i] as Checker)((value as Record<string, unknown>)[keys[i] as string]);
          if (one === FAIL) return FAIL;
          if (one === UNKNOWN) verdict = UNKNOWN;
        }
        return verdict;
      };
    }
    case 'lazy': {
      const getter = node.getter as (input: unknown) => Node;
      // The schema the getter returned last, and its checker: elements in a row are mostly of one
      // type (a message's text elements), which then skip the compiled-checker lookup. Measured
      // together with two other changes: see sign.ts's `given`.
      let last: Node | undefined;
      let lastChecker: Checker = unknown;
      return (value) => {
        const schema = getter(value);
        if (schema !== last) {
          lastChecker = compile(schema);
          last = schema;
        }
        return lastChecker(value);
      };
    }
    default:
      return unknown;
  }
}

/** Compiles (once per schema object) a checker with valibot's semantics; see the module comment. */
export function compile(schema: v.GenericSchema | Node): Checker {
  const node = schema as Node;
  const cached = cache.get(node);
  if (cached !== undefined) return cached;
  let checker: Checker;
  if (node.pipe !== undefined && node.pipe.length > 1) {
    const base = compileBase(node.pipe[0] as Node);
    const actions = node.pipe.slice(1).map(action);
    const transforms = actions.indexOf(undefined) !== -1;
    // The validations before the first transformation decide FAIL; after a transformation the
    // output differs from the input (UNKNOWN: valibot decides).
    const end = transforms ? actions.indexOf(undefined) : actions.length;
    const predicates = actions.slice(0, end) as ((value: unknown) => boolean)[];
    checker = (value) => {
      const verdict = base(value);
      if (verdict === FAIL) return FAIL;
      for (const predicate of predicates) if (!predicate(value)) return FAIL;
      return transforms ? UNKNOWN : verdict;
    };
  } else {
    checker = compileBase(node);
  }
  cache.set(node, checker);
  return checker;
}
