/**
 * Express-specific behaviour (the shared protocol behaviour is in test/conformance): the three
 * mount styles, what is claimed and what goes to next(), upstream parsers, options validation.
 */
import type { ImCallbackError } from '@im-callbacks/core';
import { createReceiver, imCallbacks, reject, silentLogger } from '@im-callbacks/express';
import { buildRequest, sample } from '@im-callbacks/testing';
import express4 from 'express4';
import express5 from 'express5';
import request from 'supertest';

const APP = 1400000000;
const AFTER = 'Group.CallbackAfterSendMsg';
const OK = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
const built = buildRequest(AFTER, sample(AFTER), { sdkAppId: APP });
const noCommand = built.query.replace(/CallbackCommand=[^&]+&/, '');

describe.each([
  ['express 4', express4 as unknown as typeof express5],
  ['express 5', express5],
])('%s', (_name, express) => {
  function appWith(mount: (app: ReturnType<typeof express5>, im: ReturnType<typeof imCallbacks>) => void) {
    const app = express();
    const im = imCallbacks(APP, { logger: silentLogger });
    const errors: ImCallbackError[] = [];
    im.onError((error) => {
      errors.push(error);
    });
    mount(app, im);
    app.use((_req, res) => {
      res.status(404).type('text/plain').send('app 404');
    });
    return { app, im, errors };
  }

  test('app.use(im) at the root claims POSTs that carry CallbackCommand, on any path', async () => {
    const { app } = appWith((a, im) => a.use(im));
    expect((await request(app).post(`/anything?${built.query}`).send(Buffer.from(built.body))).text).toBe(OK);
    expect((await request(app).post(`/?${built.query}`).send(Buffer.from(built.body))).text).toBe(OK);
  });

  test('imCallbacks(receiver): one receiver behind two mounts, its handlers and options', async () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: silentLogger, bodyLimit: 4096 });
    const seen: string[] = [];
    receiver.on(AFTER, (event) => void seen.push(event.command));
    const app = express();
    app.post('/a', imCallbacks(receiver));
    app.use(imCallbacks(receiver, { path: '/b' }));
    expect((await request(app).post(`/a?${built.query}`).send(Buffer.from(built.body))).text).toBe(OK);
    expect((await request(app).post(`/b?${built.query}`).send(Buffer.from(built.body))).text).toBe(OK);
    const big = buildRequest(AFTER, { ...sample(AFTER), Pad: 'x'.repeat(5000) }, { sdkAppId: APP });
    expect((await request(app).post(`/a?${big.query}`).send(Buffer.from(big.body))).status).toBe(413);
    expect(seen).toEqual([AFTER, AFTER]);
    expect(imCallbacks(receiver).receiver).toBe(receiver);
  });

  test('app.use(im) at the root leaves other requests to the app', async () => {
    const { app, errors } = appWith((a, im) => {
      a.use(im);
      a.post('/orders', express.json(), (req, res) => {
        res.json({ got: req.body });
      });
    });
    expect((await request(app).post('/orders').send({ id: 1 })).body).toEqual({ got: { id: 1 } });
    expect((await request(app).get(`/?${built.query}`)).text).toBe('app 404');
    expect((await request(app).post(`/?${noCommand}`).send(Buffer.from(built.body))).text).toBe('app 404');
    expect(errors).toEqual([]);
  });

  test('options.path: only that path is claimed, with or without a command', async () => {
    const app = express();
    const im = imCallbacks(APP, { logger: silentLogger, path: '/im/callback' });
    app.use(im);
    app.use((_req, res) => {
      res.status(404).send('app 404');
    });
    expect((await request(app).post(`/im/callback?${built.query}`).send(Buffer.from(built.body))).text).toBe(OK);
    expect((await request(app).post(`/elsewhere?${built.query}`).send(Buffer.from(built.body))).text).toBe('app 404');
    const missing = await request(app).post(`/im/callback?${noCommand}`).send(Buffer.from(built.body));
    expect(missing.status).toBe(400);
    expect(missing.body.ErrorInfo).toMatch(/^COMMAND_MISSING/);
  });

  test.each([
    [
      'app.use(path, im)',
      (a: ReturnType<typeof express5>, im: ReturnType<typeof imCallbacks>) => a.use('/im/callback', im),
    ],
    [
      'app.post(path, im)',
      (a: ReturnType<typeof express5>, im: ReturnType<typeof imCallbacks>) => a.post('/im/callback', im),
    ],
    [
      'router.post(path, im)',
      (a: ReturnType<typeof express5>, im: ReturnType<typeof imCallbacks>) => {
        const router = express.Router();
        router.post('/callback', im);
        a.use('/im', router);
      },
    ],
  ])('%s: callbacks answered, a missing command is a 400, other paths reach the app', async (_mount, mount) => {
    const { app, errors } = appWith(mount);
    expect((await request(app).post(`/im/callback?${built.query}`).send(Buffer.from(built.body))).text).toBe(OK);
    const missing = await request(app).post(`/im/callback?${noCommand}`).send(Buffer.from(built.body));
    expect(missing.status).toBe(400);
    expect(errors.map((e) => e.code)).toEqual(['COMMAND_MISSING']);
    expect((await request(app).post(`/im/other?${built.query}`).send(Buffer.from(built.body))).text).toBe('app 404');
  });

  test('handlers chain on the middleware and see typed events', async () => {
    const seen: string[] = [];
    const { app } = appWith((a, im) => {
      im.on(AFTER, (event) => {
        seen.push(event.payload.GroupId);
      })
        .on('Group.CallbackBeforeSendMsg', () => reject(10100, 'no'))
        .onAny((event) => {
          seen.push(event.command);
        });
      a.use(im);
    });
    await request(app).post(`/?${built.query}`).send(Buffer.from(built.body));
    expect(seen).toEqual(['@TGS#2J4SZEAEL', AFTER]);
  });

  test('a parser that consumed the body without keeping it: 500 BODY_UNAVAILABLE, reported', async () => {
    const { app, errors } = appWith((a, im) => {
      a.use((req, _res, next) => {
        req.resume();
        req.on('end', () => next());
      });
      a.use(im);
    });
    const res = await request(app).post(`/?${built.query}`).send(Buffer.from(built.body));
    expect(res.status).toBe(500);
    expect(res.body.ErrorInfo).toMatch(/^BODY_UNAVAILABLE: request body was consumed/);
    expect(errors.map((e) => e.code)).toEqual(['BODY_UNAVAILABLE']);
  });

  test('a rawBody kept by an upstream parser is preferred (limits and protections apply to it)', async () => {
    const { app } = appWith((a, im) => {
      a.use(
        express.json({
          type: () => true,
          verify: (req, _res, buf) => {
            (req as unknown as { rawBody: Buffer }).rawBody = buf;
          },
        }),
      );
      a.use(im);
    });
    const res = await request(app).post(`/?${built.query}`).set('Content-Type', 'application/json').send(built.body);
    expect(res.text).toBe(OK);
  });
});

describe('options', () => {
  test.each([
    [{ path: 'im/callback' }, /path must be a string starting with '\/'/],
    [{ deadline: 5000 }, /deadline/],
    [{ token: 42 }, /token/],
  ])('%j is refused when the middleware is created', (options, message) => {
    expect(() => imCallbacks(APP, options as never)).toThrow(message);
  });
  test('sdkAppId is validated', () => {
    expect(() => imCallbacks('not-an-id')).toThrow(/sdkAppId/);
  });
  test('an unknown option is refused, naming the valid ones', () => {
    expect(() => imCallbacks(APP, { tokn: 'x' } as never)).toThrow(
      /unknown option "tokn"; the options are token, requestTimeWindow, bodyLimit, bodyTimeout, deadline, fallback, logger, now, handoff, dedupe, path/,
    );
  });
  test('with a receiver, only the adapter options are taken', () => {
    const receiver = createReceiver({ sdkAppId: APP, logger: silentLogger });
    expect(() => imCallbacks(receiver, { token: 'x' } as never)).toThrow(
      /option token belongs to the receiver: pass it to createReceiver\(\)/,
    );
    expect(() => imCallbacks(receiver, { pth: '/x' } as never)).toThrow(/unknown option "pth"; the options are path/);
  });
});
