// A small real NestJS app (Express platform): a moderation service, and a provider whose decorated
// methods are the before-callback (decide) and the after-callbacks (log); the SDKAppID and token
// come through @nestjs/config. The policy and the log lines are shared by every example
// (examples/shared). Constructor parameters say what they inject (@Inject): this file runs with tsx
// (esbuild), which compiles decorators but emits no type metadata.
import 'reflect-metadata';
import { describeMessage, moderate } from '@im-callbacks/example-shared';
import {
  type AnyCallbackEvent,
  type CallbackEvent,
  type ImCallbackError,
  ImCallbacksModule,
  ImCallbacksService,
  OnAnyImCallback,
  OnImCallback,
  OnImCallbackError,
  type Payload,
} from '@im-callbacks/nestjs';
import { Controller, type DynamicModule, Get, Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';

/** Where the handlers write their log lines. */
export const LOG = Symbol('LOG');
type Log = (line: string) => void;

/** The moderation policy as a service (muted senders dropped, banned words refused, phone numbers masked). */
@Injectable()
export class ModerationService {
  decide(message: Payload<'Group.CallbackBeforeSendMsg'>) {
    return moderate(message);
  }
}

/** The callbacks: decided by the moderation service before a message is sent; logged after. */
@Injectable()
export class ModerationHandlers {
  constructor(
    @Inject(ModerationService) private readonly moderation: ModerationService,
    @Inject(LOG) private readonly log: Log,
  ) {}

  @OnImCallback('Group.CallbackBeforeSendMsg')
  beforeSend(event: CallbackEvent<'Group.CallbackBeforeSendMsg'>) {
    const decision = this.moderation.decide(event.payload);
    const { GroupId, From_Account } = event.payload;
    this.log(
      `before-send  ${GroupId} ${From_Account}: "${describeMessage(event.payload)}" → ${decision?.decision ?? 'allow'}`,
    );
    return decision;
  }

  @OnImCallback('Group.CallbackAfterSendMsg')
  afterSend(event: CallbackEvent<'Group.CallbackAfterSendMsg'>) {
    const { GroupId, From_Account, MsgSeq, EventTime } = event.payload;
    this.log(
      `after-send   ${GroupId} #${MsgSeq} ${From_Account}: "${describeMessage(event.payload)}" at ${new Date(EventTime ?? 0).toISOString()}`,
    );
  }

  @OnImCallback('Group.CallbackSendMsgException')
  sendFailed(event: CallbackEvent<'Group.CallbackSendMsgException'>) {
    const { GroupId, From_Account, ErrorCode, ErrorInfo, EventTime } = event.payload;
    this.log(
      `send-failed  ${GroupId} ${From_Account}: ${ErrorCode} ${ErrorInfo} at ${new Date(EventTime ?? 0).toISOString()}`,
    );
  }

  @OnAnyImCallback()
  unknown(event: AnyCallbackEvent) {
    if (event.kind === 'unknown') this.log(`unknown      ${event.command} (acknowledged)`);
  }

  @OnImCallbackError()
  refused(error: ImCallbackError) {
    this.log(`refused      ${error.status} ${error.code}: ${error.message}`);
  }
}

@Controller()
export class HealthController {
  @Get('healthz')
  health() {
    return { ok: true };
  }
}

@Module({})
export class AppModule {}

/** The app for these settings (a real app would read them from the environment: ConfigModule.forRoot()). */
export function appModule({ sdkAppId, token, log = console.log }: AppSettings): DynamicModule {
  return {
    module: AppModule,
    imports: [
      ConfigModule.forRoot({
        ignoreEnvFile: true,
        load: [() => ({ IM_SDKAPPID: String(sdkAppId), IM_CALLBACK_TOKEN: token })],
      }),
      ImCallbacksModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          sdkAppId: config.getOrThrow<string>('IM_SDKAPPID'),
          token: config.get<string>('IM_CALLBACK_TOKEN'),
          path: '/im/callback',
        }),
      }),
    ],
    controllers: [HealthController],
    providers: [ModerationService, ModerationHandlers, { provide: LOG, useValue: log }],
  };
}

export interface AppSettings {
  sdkAppId: number | string;
  token?: string | undefined;
  log?: Log;
}

/** Starts the app on `port` (0: any free port); resolves once it listens with its URL, `close` and the receiver. */
export async function start({
  port = 0,
  host = '127.0.0.1',
  ...settings
}: AppSettings & { port?: number; host?: string }) {
  const app = await NestFactory.create(appModule(settings), { logger: false });
  app.enableShutdownHooks();
  await app.listen(port, host);
  const { port: actual } = app.getHttpServer().address() as { port: number };
  return {
    url: `http://${host}:${actual}/im/callback`,
    close: () => app.close(),
    receiver: app.get(ImCallbacksService).receiver,
  };
}
