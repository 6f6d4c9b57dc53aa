/** Reporting (report.ts): errors to the onError handlers, or to the log without any; never thrown. */
import {
  createReceiver,
  HandlerError,
  ImCallbackError,
  PayloadValidationError,
  SignatureError,
} from '@im-callbacks/core';
import { Reporter } from '../src/report.js';
import { APP, recordingLogger } from './fixtures.js';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Reporter', () => {
  const refusal = () =>
    new SignatureError('SIGN_INVALID', 'Sign does not match', {
      command: 'Group.CallbackAfterSendMsg',
      requestId: 'r-1',
    });

  test('with handlers: every handler gets the error, in order; the log only a debug line', () => {
    const { lines, logger } = recordingLogger();
    const reporter = new Reporter();
    const seen: string[] = [];
    reporter.add((error) => void seen.push(`a ${error.code}`));
    reporter.add((error) => void seen.push(`b ${error.code}`));
    const error = refusal();
    reporter.report(error, logger);
    expect(seen).toEqual(['a SIGN_INVALID', 'b SIGN_INVALID']);
    expect(lines).toEqual([['debug', 'SIGN_INVALID Group.CallbackAfterSendMsg r-1: Sign does not match']]);
  });

  test('without handlers: refusals are warnings; failures (5xx, HANDLER_FAILED) are errors', () => {
    const { lines, logger } = recordingLogger();
    const reporter = new Reporter();
    reporter.report(refusal(), logger);
    reporter.report(new PayloadValidationError('payload invalid at GroupId', 'GroupId', []), logger);
    reporter.report(new ImCallbackError('INTERNAL_ERROR', 'internal failure'), logger);
    // A handler failure answered 200 (a before-callback's fallback) is still an error.
    reporter.report(new HandlerError(200, 'handler for X failed: boom', { command: 'X' }), logger);
    expect(lines).toEqual([
      ['warn', 'SIGN_INVALID Group.CallbackAfterSendMsg r-1: Sign does not match'],
      ['warn', 'PAYLOAD_INVALID -: payload invalid at GroupId'],
      ['error', 'INTERNAL_ERROR -: internal failure'],
      ['error', 'HANDLER_FAILED X: handler for X failed: boom'],
    ]);
  });

  test('a throwing or rejecting onError handler is logged, not thrown, and the others still run', async () => {
    const { lines, logger } = recordingLogger();
    const reporter = new Reporter();
    const seen: string[] = [];
    reporter.add(() => {
      throw new Error('reporter down');
    });
    reporter.add(async () => {
      throw new Error('async reporter down');
    });
    reporter.add((error) => void seen.push(error.code));
    expect(() => reporter.report(refusal(), logger)).not.toThrow();
    expect(seen).toEqual(['SIGN_INVALID']);
    await flush();
    expect(lines.filter(([level]) => level === 'error')).toEqual([
      ['error', 'onError handler failed: reporter down'],
      ['error', 'onError handler failed: async reporter down'],
    ]);
  });

  test('remove() takes every registration of a handler away, and says whether there was one', () => {
    const { lines, logger } = recordingLogger();
    const reporter = new Reporter();
    const handler = jest.fn();
    reporter.add(handler);
    reporter.add(handler);
    expect(reporter.remove(handler)).toBe(true);
    expect(reporter.remove(handler)).toBe(false);
    reporter.report(refusal(), logger);
    expect(handler).not.toHaveBeenCalled();
    // No handler left: back to the log.
    expect(lines.map(([level]) => level)).toEqual(['warn']);
  });
});

// Moved from receiver.test.ts: the same, as the receiver reports its own refusals.
describe('through the receiver', () => {
  test('with onError handlers, errors go there (debug line only); a failing onError handler is logged, not thrown', async () => {
    const { lines, logger } = recordingLogger();
    const receiver = createReceiver({ sdkAppId: APP, logger });
    const seen: ImCallbackError[] = [];
    receiver.onError((error) => {
      seen.push(error);
    });
    receiver.onError(() => {
      throw new Error('reporter down');
    });
    receiver.onError(async () => {
      throw new Error('async reporter down');
    });
    const response = await receiver.handle({ query: 'SdkAppid=1', body: '{}' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(response.status).toBe(403);
    expect(seen.map((e) => e.code)).toEqual(['SDKAPPID_MISMATCH']);
    expect(lines.filter(([level]) => level !== 'warn')).toEqual([
      ['debug', 'SDKAPPID_MISMATCH -: SdkAppid is not this app'],
      ['error', 'onError handler failed: reporter down'],
      ['error', 'onError handler failed: async reporter down'],
    ]);
  });
});
