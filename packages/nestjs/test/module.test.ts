/**
 * ImCallbacksModule in real Nest apps, over HTTP, on both platforms (and, per jest project, both
 * Nest majors): handlers discovered across modules with their injected services, an async config
 * from ConfigService, a deny-all global guard, interceptor, pipe and filter that change nothing,
 * the global prefix (and versioning, which does not apply), Nest's body parser on, off and with
 * rawBody, request-scoped providers, the injectable receiver, and shutdown.
 */
import {
  type CallbackEvent,
  type CallbackReceiver,
  discard,
  HANDLER_METADATA,
  type ImCallbackError,
  ImCallbacksModule,
  ImCallbacksService,
  InjectImReceiver,
  OnAnyImCallback,
  OnImCallback,
  OnImCallbackError,
  reject,
} from '@im-callbacks/nestjs';
import { buildRequest, sample, send } from '@im-callbacks/testing';
import { All, Controller, Inject, Injectable, Module, Scope, VersioningType } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { REQUEST } from '@nestjs/core';
import request from 'supertest';
import { hostileGlobals, type Platform, Public, type RunningNestApp, startNestApp } from './nest-app.js';

const APP = 1400000000;
const TOKEN = 'nest-token';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const AFTER = 'Group.CallbackAfterSendMsg';
const BEFORE = 'Group.CallbackBeforeSendMsg';
const signed = { sdkAppId: APP, token: TOKEN };

/** What the handlers saw, shared by a test's providers. */
@Injectable()
class Journal {
  readonly lines: string[] = [];
  readonly errors: ImCallbackError[] = [];
}

@Injectable()
class Moderation {
  readonly banned = ['casino'];
  isSpam(text: string): boolean {
    return this.banned.some((word) => text.toLowerCase().includes(word));
  }
}

/** In a feature module: a before-callback handler that injects a service of its own module. */
@Injectable()
class ModerationHandlers {
  constructor(
    private readonly moderation: Moderation,
    private readonly journal: Journal,
  ) {}

  @OnImCallback(BEFORE)
  beforeSend(event: CallbackEvent<typeof BEFORE>) {
    const texts = event.payload.MsgBody.map((element) => JSON.stringify(element.MsgContent));
    if (event.payload.From_Account === 'muted') return discard();
    if (texts.some((text) => this.moderation.isSpam(text))) {
      this.journal.lines.push(`rejected ${event.payload.From_Account}`);
      return reject(10100, 'spam');
    }
    return undefined;
  }
}

@Module({ providers: [Moderation, ModerationHandlers] })
class ModerationModule {}

/** In another feature module: after-callbacks, every event, errors. */
@Injectable()
class AuditHandlers {
  constructor(private readonly journal: Journal) {}

  @OnImCallback([AFTER, 'Group.CallbackSendMsgException'])
  async afterSend(event: CallbackEvent<typeof AFTER | 'Group.CallbackSendMsgException'>) {
    this.journal.lines.push(`${event.command} ${event.payload.GroupId}`);
  }

  @OnAnyImCallback()
  any(event: { command: string; kind: string }) {
    this.journal.lines.push(`any ${event.kind} ${event.command}`);
  }

  @OnImCallbackError()
  error(error: ImCallbackError) {
    this.journal.errors.push(error);
  }
}

@Module({ providers: [AuditHandlers] })
class AuditModule {}

@Controller('other')
class OtherController {
  @Public()
  @All()
  other() {
    return 'other';
  }
}

@Module({ providers: [Journal], exports: [Journal] })
class JournalModule {}

/** The app: the module from config (forRootAsync + ConfigService), global; two feature modules; hostile globals. */
function appModule(extra: Record<string, unknown> = {}) {
  @Module({
    imports: [
      { module: JournalModule, global: true },
      ConfigModule.forRoot({
        ignoreEnvFile: true,
        load: [() => ({ IM_SDKAPPID: String(APP), IM_CALLBACK_TOKEN: TOKEN })],
      }),
      ImCallbacksModule.forRootAsync({
        isGlobal: true,
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          sdkAppId: config.getOrThrow<string>('IM_SDKAPPID'),
          token: config.getOrThrow<string>('IM_CALLBACK_TOKEN'),
          ...extra,
        }),
      }),
      ModerationModule,
      AuditModule,
    ],
    controllers: [OtherController],
    providers: [...hostileGlobals],
  })
  class AppModule {}
  return AppModule;
}

@Module({ providers: [Journal], exports: [Journal] })
class GlobalJournal {}

const spam = { ...sample(BEFORE), MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'best CASINO' } }] };

describe.each<Platform>(['express', 'fastify'])('platform %s', (platform) => {
  const running: RunningNestApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close().catch(() => undefined)));
  });
  async function start(module: unknown, options: Omit<Parameters<typeof startNestApp>[1], 'platform'> = {}) {
    const app = await startNestApp(module, { platform, ...options });
    running.push(app);
    return app;
  }

  test('handlers across modules, with their injected services; config from ConfigService; the guard, interceptor, pipe and filter change nothing', async () => {
    const { app, base } = await start(appModule());
    const journal = app.get(Journal);
    const url = `${base}/im/callback`;

    const after = await send(url, AFTER, sample(AFTER), signed);
    expect([after.status, after.reply]).toEqual([200, OK]);
    const decided = await send(url, BEFORE, spam, signed);
    expect([decided.status, decided.reply]).toEqual([200, { ActionStatus: 'OK', ErrorInfo: 'spam', ErrorCode: 10100 }]);
    const muted = await send(url, BEFORE, { ...sample(BEFORE), From_Account: 'muted' }, signed);
    expect(muted.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 2 });
    const unsigned = await send(url, AFTER, sample(AFTER), { sdkAppId: APP });
    expect([unsigned.status, unsigned.reply]).toEqual([
      401,
      { ActionStatus: 'FAIL', ErrorInfo: 'SIGN_MISSING: Sign is missing', ErrorCode: 1 },
    ]);

    expect(journal.lines).toEqual([
      `${AFTER} @TGS#2J4SZEAEL`,
      `any after ${AFTER}`,
      // Observers see a before-callback before its deciding handler runs.
      `any before ${BEFORE}`,
      'rejected jared',
      `any before ${BEFORE}`,
    ]);
    expect(journal.errors.map((error) => error.code)).toEqual(['SIGN_MISSING']);
    expect(app.get(ImCallbacksService).handlers.map(({ provider, method }) => `${provider}.${method}`)).toEqual(
      expect.arrayContaining([
        'ModerationHandlers.beforeSend',
        'AuditHandlers.afterSend',
        'AuditHandlers.any',
        'AuditHandlers.error',
      ]),
    );
    // The same app's own routes are still guarded, intercepted and filtered.
    const other = await request(base).get('/other');
    expect([other.status, other.text]).toEqual([200, 'other']);
    const missing = await request(base).post('/nowhere');
    expect([missing.status, missing.body]).toEqual([404, { filtered: true, status: 404 }]);
  });

  test.each(['on', 'off', 'raw'] as const)(
    "Nest's body parser %s: JSON, no Content-Type, bad JSON",
    async (bodyParser) => {
      const { app, base } = await start(appModule(), { bodyParser });
      const journal = app.get(Journal);
      const url = `${base}/im/callback`;
      const json = await send(url, AFTER, sample(AFTER), signed);
      expect([json.status, json.reply]).toEqual([200, OK]);
      const built = buildRequest(AFTER, sample(AFTER), signed);
      const bare = await request(url).post(`?${built.query}`).send(Buffer.from(built.body));
      expect([bare.status, bare.text]).toEqual([200, JSON.stringify(OK)]);
      const bad = await request(url)
        .post(`?${built.query}`)
        .set('Content-Type', 'application/json')
        .send('{"GroupId":');
      expect(bad.status).toBe(400);
      expect(bad.body.ErrorInfo).toMatch(/^BODY_INVALID_JSON/);
      expect(journal.errors.map((error) => error.code)).toEqual(['BODY_INVALID_JSON']);
    },
  );

  test('a global prefix is in front of the path; versioning does not apply', async () => {
    const { app, base } = await start(appModule(), {
      configure: (nest) => {
        nest.setGlobalPrefix('api');
        nest.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
      },
    });
    expect(app.get(ImCallbacksService).path).toBe('/api/im/callback');
    const res = await send(`${base}/api/im/callback`, BEFORE, spam, signed);
    expect(res.reply).toEqual({ ActionStatus: 'OK', ErrorInfo: 'spam', ErrorCode: 10100 });
    const unprefixed = await send(`${base}/im/callback`, AFTER, sample(AFTER), signed);
    expect(unprefixed.status).toBe(404);
    expect((await request(base).get('/api/v1/other')).text).toBe('other');
  });

  test('path and useGlobalPrefix: false', async () => {
    const { app, base } = await start(appModule({ path: '/hooks/tencent-im', useGlobalPrefix: false }), {
      configure: (nest) => nest.setGlobalPrefix('api'),
    });
    expect(app.get(ImCallbacksService).path).toBe('/hooks/tencent-im');
    expect((await send(`${base}/hooks/tencent-im`, AFTER, sample(AFTER), signed)).reply).toEqual(OK);
  });

  test('mount: false serves nothing; the injected receiver still runs the handlers', async () => {
    const { app, base } = await start(appModule({ mount: false }));
    expect(app.get(ImCallbacksService).path).toBeUndefined();
    expect((await send(`${base}/im/callback`, AFTER, sample(AFTER), signed)).status).toBe(404);
    const reply = await app.get(ImCallbacksService).dispatch(BEFORE, spam);
    expect(JSON.parse(reply.body)).toEqual({ ActionStatus: 'OK', ErrorInfo: 'spam', ErrorCode: 10100 });
  });

  test('the receiver is injectable (@InjectImReceiver) where the module is global: dispatch runs the decorated handlers', async () => {
    @Injectable()
    class Worker {
      constructor(@InjectImReceiver() readonly receiver: CallbackReceiver) {}
    }
    @Module({ providers: [Worker] })
    class WorkerModule {}
    @Module({ imports: [appModule(), WorkerModule] })
    class Root {}
    const { app } = await start(Root);
    const worker = app.get(Worker);
    expect(worker.receiver).toBe(app.get(ImCallbacksService).receiver);
    const answer = await worker.receiver.dispatch(AFTER, sample(AFTER), { wait: true });
    expect(answer.status).toBe(200);
    expect(app.get(Journal).lines).toContain(`${AFTER} @TGS#2J4SZEAEL`);
  });

  test('forRoot with options; a module that is not global is not injectable outside', async () => {
    @Injectable()
    class Handlers {
      @OnImCallback(BEFORE)
      decide() {
        return reject(1, 'closed');
      }
    }
    @Module({ imports: [ImCallbacksModule.forRoot({ sdkAppId: APP, token: TOKEN })], providers: [Handlers] })
    class Root {}
    const { app, base } = await start(Root);
    expect((await send(`${base}/im/callback`, BEFORE, sample(BEFORE), signed)).reply).toEqual({
      ActionStatus: 'OK',
      ErrorInfo: 'closed',
      ErrorCode: 1,
    });
    expect(app.get(ImCallbacksService, { strict: false })).toBeInstanceOf(ImCallbacksService);
  });

  test('a request-scoped provider gets its own instance per callback, with the event as REQUEST', async () => {
    const seen: unknown[] = [];
    let instances = 0;
    @Injectable({ scope: Scope.REQUEST })
    class Scoped {
      constructor(@Inject(REQUEST) readonly event: CallbackEvent<typeof AFTER>) {
        instances++;
      }
      @OnImCallback(AFTER)
      handle(event: CallbackEvent<typeof AFTER>) {
        seen.push(this.event === event && event.payload.MsgSeq);
      }
    }
    @Module({
      imports: [GlobalJournal, ImCallbacksModule.forRoot({ sdkAppId: APP, token: TOKEN })],
      providers: [Scoped],
    })
    class Root {}
    const { base } = await start(Root);
    await send(`${base}/im/callback`, AFTER, sample(AFTER), signed);
    await send(`${base}/im/callback`, AFTER, { ...sample(AFTER), MsgSeq: 7 }, signed);
    expect(seen).toEqual([123, 7]);
    expect(instances).toBe(2);
  });

  test('at shutdown (beforeApplicationShutdown), the receiver drains: late handlers finish, new callbacks get 503 SHUTTING_DOWN', async () => {
    const handled: string[] = [];
    const during: Array<{ status: number; text: string }> = [];
    let base = '';
    @Injectable()
    class Handlers {
      // Answered at the 50 ms deadline, still running when the app closes.
      @OnImCallback(AFTER)
      async after() {
        await new Promise((resolve) => setTimeout(resolve, 300));
        handled.push('after');
      }
    }
    /** Runs after ImCallbacksModule's hook, before the server closes. */
    @Injectable()
    class LateShutdown {
      async beforeApplicationShutdown() {
        const built = buildRequest(AFTER, sample(AFTER), signed);
        const res = await request(`${base}/im/callback`).post(`?${built.query}`).send(Buffer.from(built.body));
        during.push({ status: res.status, text: res.text });
        const other = await request(base).get('/other');
        during.push({ status: other.status, text: other.text });
      }
    }
    // Shutdown hooks run from the root module down: LateShutdown sits deeper than ImCallbacksModule.
    @Module({ providers: [LateShutdown] })
    class Deep {}
    @Module({ imports: [Deep] })
    class Middle {}
    @Module({
      imports: [ImCallbacksModule.forRoot({ sdkAppId: APP, token: TOKEN, deadline: 50 }), Middle],
      controllers: [OtherController],
      providers: [Handlers],
    })
    class Root {}
    const started = await start(Root);
    base = started.base;
    started.app.enableShutdownHooks();
    expect((await send(`${base}/im/callback`, AFTER, sample(AFTER), signed)).status).toBe(200);
    expect(handled).toEqual([]);
    await started.app.close();
    expect(during).toEqual([
      {
        status: 503,
        text: '{"ActionStatus":"FAIL","ErrorInfo":"SHUTTING_DOWN: receiver is shutting down, not taking callbacks","ErrorCode":1}',
      },
      { status: 200, text: 'other' },
    ]);
    // The late handler finished during the drain; the callback sent during shutdown was not dispatched.
    expect(handled).toEqual(['after']);
  });
});

test('a bad option is refused at startup with the option named', async () => {
  @Module({ imports: [ImCallbacksModule.forRoot({ sdkAppId: APP, path: 'im/callback' })] })
  class Root {}
  await expect(startNestApp(Root, { platform: 'express' })).rejects.toThrow(
    /option path must be a string starting with '\/'/,
  );
});

test('a decorator on something that is not a handler method is refused when the class is defined', () => {
  expect(() => {
    // biome-ignore lint/complexity/noStaticOnlyClass: the decorator under test goes on a static method
    class Wrong {
      @OnImCallback(AFTER)
      static handler() {}
    }
    return Wrong;
  }).toThrow(/instance method/);
  expect(() => OnImCallback([] as never)).toThrow(/needs a command/);
});

test('standard (TC39) decorators mark the method too (esbuild/tsx without experimentalDecorators)', () => {
  const method = function handle() {};
  const context = (overrides: object) => ({ kind: 'method', name: 'handle', static: false, ...overrides }) as never;
  OnImCallback(AFTER)(method, context({}));
  OnImCallbackError()(method, context({}));
  expect(Reflect.getOwnMetadata(HANDLER_METADATA, method)).toEqual([
    { kind: 'command', commands: [AFTER] },
    { kind: 'error' },
  ]);
  expect(() => OnAnyImCallback()(method, context({ static: true }))).toThrow(/static handle/);
  expect(() => OnAnyImCallback()(method, context({ kind: 'getter' }))).toThrow(/goes on a method/);
});
