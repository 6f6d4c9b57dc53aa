/**
 * Starting a Nest app for the tests, on either platform, over real HTTP on 127.0.0.1 (a free
 * port): the Nest major is whichever jest maps `@nestjs/*` to (jest.config.cjs), checked by
 * `nestMajor()`. Also the hostile neighbours the callback route must ignore: a global guard that
 * denies every route not marked public, an interceptor that rewrites every reply, a pipe that refuses
 * every argument and an exception filter that rewrites error bodies.
 */
import type { AddressInfo } from 'node:net';
import {
  type ArgumentsHost,
  BadRequestException,
  type CallHandler,
  Catch,
  type ExceptionFilter,
  type ExecutionContext,
  HttpException,
  type INestApplication,
  Inject,
  Injectable,
  type NestInterceptor,
  type PipeTransform,
  SetMetadata,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, Reflector } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { map } from 'rxjs';

export type Platform = 'express' | 'fastify';

/** The major of the `@nestjs/core` (and `common`, platforms, testing) this test run loads. */
export function nestMajor(): number {
  const versions = ['core', 'common', 'platform-express', 'platform-fastify', 'testing'].map(
    (name) => (require(`@nestjs/${name}/package.json`) as { version: string }).version,
  );
  const majors = new Set(versions.map((version) => Number(version.split('.')[0])));
  if (majors.size !== 1) throw new Error(`mixed NestJS majors loaded: ${versions.join(', ')}`);
  return [...majors][0] as number;
}

export const PUBLIC = 'test:public';
/** Marks a route the deny-all guard lets through. */
export const Public = () => SetMetadata(PUBLIC, true);

/** A global guard as apps have them: everything needs a user, and there is none. */
@Injectable()
export class DenyAllGuard {
  // @Inject: the lint turns imports used only as types into `import type`, which erases the metadata.
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    return this.reflector.get<boolean>(PUBLIC, context.getHandler()) === true;
  }
}

/** Rewrites every reply of a Nest route (a callback's must not be). */
@Injectable()
export class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(map((data: unknown) => (typeof data === 'string' ? data : { wrapped: data })));
  }
}

/** Refuses every argument of every Nest route handler. */
@Injectable()
export class RefuseAllPipe implements PipeTransform {
  transform(): never {
    throw new BadRequestException('refused by the pipe');
  }
}

/** Rewrites every error body, keeps the status. */
@Catch()
export class RewriteFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    const response = host.switchToHttp().getResponse();
    const body = JSON.stringify({ filtered: true, status });
    if (typeof response.code === 'function') response.code(status).type('application/json').send(body);
    else response.status(status).type('application/json').send(body);
  }
}

/** The global guard, interceptor, pipe and filter above, as providers of the root module. */
export const hostileGlobals = [
  { provide: APP_GUARD, useClass: DenyAllGuard },
  { provide: APP_INTERCEPTOR, useClass: WrapInterceptor },
  { provide: APP_PIPE, useClass: RefuseAllPipe },
  { provide: APP_FILTER, useClass: RewriteFilter },
];

export interface NestAppOptions {
  platform: Platform;
  /** Nest's body parser: on (default), off, or on with `rawBody: true`. */
  bodyParser?: 'on' | 'off' | 'raw';
  /** Before init: `setGlobalPrefix`, `enableVersioning`, `useBodyParser`... */
  configure?: (app: INestApplication) => void;
}

export interface RunningNestApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  base: string;
  close(): Promise<void>;
}

/** Compiles `module` with @nestjs/testing and serves it on `platform`, listening on a free port. */
export async function startNestApp(module: unknown, options: NestAppOptions): Promise<RunningNestApp> {
  const { platform, bodyParser = 'on', configure } = options;
  const testing = await Test.createTestingModule({ imports: [module as never] }).compile();
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = testing.createNestApplication(adapter as never, {
    logger: false,
    bodyParser: bodyParser !== 'off',
    rawBody: bodyParser === 'raw',
    // Sockets of refused requests linger for a grace period; a test does not wait for it.
    forceCloseConnections: true,
  });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}`, close: () => app.close() };
}
