/**
 * NestJS (the major jest maps @nestjs/* to: 12 in the main project, 11 in the "NestJS 11" one) on
 * the Express and Fastify platforms: ImCallbacksModule in an app with URI versioning and a deny-all
 * global guard, an interceptor, a pipe and an exception filter
 * (none of which may change a callback's answer); `/other` is the app's own public route. No global
 * prefix here: the hostile suite (test/hostile) posts to `/im/callback` on every target's port; the
 * prefix is covered by packages/nestjs/test/module.test.ts.
 * Upstream body parsers are Nest's: 'none' turns it off, 'json' is Nest's default, 'raw' is
 * `rawBody: true`, 'text' adds `useBodyParser('text')`. On Fastify, a catch-all parser lets `/other`
 * take any body (the callback route keeps its own parser).
 */
import { ImCallbacksModule, ImCallbacksService } from '@im-callbacks/nestjs';
import { All, Controller, Module, VERSION_NEUTRAL, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { hostileGlobals, nestMajor, type Platform, Public, startNestApp } from '../../../packages/nestjs/test/nest-app';
import type { RunningTarget, Target, TargetOptions } from '../target';

@Controller({ path: 'other', version: VERSION_NEUTRAL })
class OtherController {
  @Public()
  @All()
  other() {
    return 'other';
  }
}

function nestTarget(platform: Platform): Target {
  return {
    name: `nest ${nestMajor()} ${platform}`,
    async start(options: TargetOptions): Promise<RunningTarget> {
      const { upstream = 'none', ...rest } = options;
      @Module({
        // closeTimeout: closing the app does not wait for handlers a test leaves hanging.
        imports: [ImCallbacksModule.forRoot({ closeTimeout: 50, ...rest })],
        controllers: [OtherController],
        providers: [...hostileGlobals],
      })
      class AppModule {}
      const { app, base, close } = await startNestApp(AppModule, {
        platform,
        bodyParser: upstream === 'none' ? 'off' : upstream === 'raw' ? 'raw' : 'on',
        configure(nest) {
          nest.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
          // The other route takes any body, as the contract asks (Fastify refuses unknown types with 415).
          if (platform === 'fastify' && upstream !== 'raw') {
            (nest as NestFastifyApplication)
              .getHttpAdapter()
              .getInstance()
              .addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
          }
          if (upstream === 'text') {
            if (platform === 'express') (nest as NestExpressApplication).useBodyParser('text');
            else (nest as NestFastifyApplication).useBodyParser('text/plain');
          }
        },
      });
      return { url: `${base}/im/callback`, otherUrl: `${base}/other`, im: app.get(ImCallbacksService), close };
    },
  };
}

export const nestTargets: Target[] = [nestTarget('express'), nestTarget('fastify')];
