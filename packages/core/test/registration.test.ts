/**
 * Registration (registration.ts): the `Registry` that checks and keeps handlers, `addRegistration`
 * (the four methods, bound and chaining, on any object) and `attachHandlers` (the adapters' form).
 */
import { type CallbackHandlers, createReceiver, ImCallbackError } from '@im-callbacks/core';
import { addRegistration, attachHandlers, Registry } from '../src/registration.js';
import { Reporter } from '../src/report.js';
import { AFTER, APP, BEFORE, recordingLogger } from './fixtures.js';

const OTHER = 'C2C.CallbackAfterSendMsg';
/** A new handler (the `Registry` takes any function: its callers are typed). */
const noop = () => (() => undefined) as never;

function registry() {
  const reporter = new Reporter();
  return { reporter, registry: new Registry(reporter) };
}

/** Whether the reporter has an onError handler (without one, a refusal is logged as a warning). */
function hasErrorHandler(reporter: Reporter): boolean {
  const { lines, logger } = recordingLogger();
  reporter.report(new ImCallbackError('SIGN_INVALID', 'Sign does not match'), logger);
  return !lines.some(([level]) => level === 'warn');
}

describe('Registry', () => {
  test('on(command): handlers kept per command, in registration order; none → undefined', () => {
    const { registry: r } = registry();
    const a = noop();
    const b = noop();
    r.on(AFTER, a);
    r.on(AFTER, b);
    expect(r.handlersOf(AFTER)).toEqual([a, b]);
    expect(r.handlersOf(OTHER)).toBeUndefined();
  });

  test('on(list): one handler for several commands', () => {
    const { registry: r } = registry();
    const handler = noop();
    r.on([AFTER, OTHER], handler);
    expect(r.handlersOf(AFTER)).toEqual([handler]);
    expect(r.handlersOf(OTHER)).toEqual([handler]);
  });

  test('on() refuses a command the catalogue does not know (nothing registered), and non-functions', () => {
    const { registry: r } = registry();
    const handler = noop();
    expect(() => r.on([AFTER, 'Group.CallbackNope' as never], handler)).toThrow(
      /unknown command "Group.CallbackNope"; use onAny/,
    );
    // All or nothing: the known command of the list was not registered either.
    expect(r.handlersOf(AFTER)).toBeUndefined();
    expect(() => r.on(AFTER, 'x' as never)).toThrow(new TypeError('im-callbacks: handler must be a function'));
    expect(() => r.onAny(undefined as never)).toThrow(/handler must be a function/);
    expect(() => r.onError(5 as never)).toThrow(/handler must be a function/);
  });

  test('onAny and onError: onAny handlers listed in order, onError handlers given to the reporter', () => {
    const { reporter, registry: r } = registry();
    const any = noop();
    r.onAny(any);
    expect(r.any).toEqual([any]);
    const onError = jest.fn();
    r.onError(onError);
    const error = new ImCallbackError('SIGN_INVALID', 'Sign does not match');
    reporter.report(error, recordingLogger().logger);
    expect(onError).toHaveBeenCalledWith(error);
  });

  describe('off(handler, commands?)', () => {
    test('from some commands only', () => {
      const { registry: r } = registry();
      const handler = noop();
      const keep = noop();
      r.on([AFTER, OTHER, BEFORE], handler);
      r.on(AFTER, keep);
      r.onAny(handler);
      r.off(handler, [AFTER, OTHER]);
      expect(r.handlersOf(AFTER)).toEqual([keep]);
      expect(r.handlersOf(OTHER)).toEqual([]);
      expect(r.handlersOf(BEFORE)).toEqual([handler]);
      // onAny is only left when no command is named.
      expect(r.any).toEqual([handler]);
      r.off(handler, BEFORE);
      expect(r.handlersOf(BEFORE)).toEqual([]);
    });

    test('from everything (every command, onAny and onError), every registration of it', () => {
      const { reporter, registry: r } = registry();
      const handler = noop();
      r.on(AFTER, handler);
      r.on(AFTER, handler);
      r.on(OTHER, handler);
      r.onAny(handler);
      r.onError(handler);
      r.off(handler);
      expect(r.handlersOf(AFTER)).toEqual([]);
      expect(r.handlersOf(OTHER)).toEqual([]);
      expect(r.any).toEqual([]);
      expect(reporter.remove(handler)).toBe(false);
    });

    test('an onAny or onError handler alone', () => {
      const { reporter, registry: r } = registry();
      const any = noop();
      const onError = noop();
      r.onAny(any);
      r.onError(onError);
      r.off(any);
      expect(r.any).toEqual([]);
      expect(hasErrorHandler(reporter)).toBe(true);
      r.off(onError);
      expect(hasErrorHandler(reporter)).toBe(false);
    });

    test('a handler never registered: nothing changes', () => {
      const { registry: r } = registry();
      const handler = noop();
      r.on(AFTER, handler);
      r.off(noop());
      expect(r.handlersOf(AFTER)).toEqual([handler]);
    });
  });
});

describe('addRegistration', () => {
  test('gives the target on/onAny/onError/off, bound to the registrar, each returning the target', () => {
    const { registry: r } = registry();
    type Methods = Record<'on' | 'onAny' | 'onError' | 'off', (...args: unknown[]) => unknown>;
    const target = addRegistration({}, r) as unknown as Methods;
    const handler = noop();
    const { on, onAny, onError, off } = target;
    expect(on(AFTER, handler)).toBe(target);
    expect(onAny(handler)).toBe(target);
    expect(onError(handler)).toBe(target);
    expect(r.handlersOf(AFTER)).toEqual([handler]);
    expect(r.any).toEqual([handler]);
    expect(off(handler)).toBe(target);
    expect(r.handlersOf(AFTER)).toEqual([]);
    // Replaceable (an adapter may wrap one).
    expect(Object.getOwnPropertyDescriptor(target, 'on')).toMatchObject({ writable: true, configurable: true });
  });

  test('a refused registration throws through the target', () => {
    const target = addRegistration({}, registry().registry) as unknown as { on: (...args: unknown[]) => unknown };
    expect(() => target.on('No.Such', () => undefined)).toThrow(/unknown command/);
  });
});

interface Attached extends CallbackHandlers<Attached> {
  readonly receiver: unknown;
}

describe('attachHandlers', () => {
  test("adds a non-enumerable `receiver` and the receiver's registration methods, chaining on the target", () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
    const middleware = noop();
    const im = attachHandlers<Attached>(middleware, receiver);
    expect(im).toBe(middleware);
    expect(im.receiver).toBe(receiver);
    expect(Object.keys(im)).not.toContain('receiver');
    expect(im.on(AFTER, () => undefined)).toBe(middleware);
  });

  test('handlers registered on the target run on the receiver', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
    const seen: string[] = [];
    const im = attachHandlers<Attached>({}, receiver);
    im.on(AFTER, (event) => void seen.push(event.command)).onAny((event) => void seen.push(`any ${event.command}`));
    await receiver.dispatch(AFTER, {
      GroupId: 'g',
      From_Account: 'a',
      MsgBody: [],
    });
    expect(seen).toEqual([AFTER, `any ${AFTER}`]);
  });
});

// Moved from receiver.test.ts: registration as the receiver exposes it.
describe('through the receiver', () => {
  const receiver = createReceiver({ sdkAppId: APP, logger: recordingLogger().logger });
  test('on() refuses a command the catalogue does not know, and non-functions', () => {
    expect(() => receiver.on('Group.CallbackNope' as never, (() => undefined) as never)).toThrow(
      /unknown command "Group.CallbackNope"; use onAny/,
    );
    expect(() => receiver.on(AFTER, 'x' as never)).toThrow(/handler must be a function/);
    expect(() => receiver.onAny(undefined as never)).toThrow(TypeError);
    expect(() => receiver.onError(5 as never)).toThrow(TypeError);
  });
  test('registration methods chain', () => {
    expect(
      receiver
        .on(AFTER, () => undefined)
        .onAny(() => undefined)
        .onError(() => undefined),
    ).toBe(receiver);
  });
});
