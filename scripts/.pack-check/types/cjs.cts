// Smoke test (c), CommonJS side: the .d.cts declarations, root and subpaths, through `require`.
import core = require('@im-callbacks/core');
import adapter = require('@im-callbacks/core/adapter');
import catalogue = require('@im-callbacks/core/catalogue');
import expressAdapter = require('@im-callbacks/express');
import fastifyAdapter = require('@im-callbacks/fastify');
import koaAdapter = require('@im-callbacks/koa');
import testing = require('@im-callbacks/testing');
import express = require('express');
import fastify = require('fastify');
import Koa = require('koa');

const receiver = core.createReceiver({ sdkAppId: 1400000000, token: 'token' });
receiver.on('Group.CallbackAfterSendMsg', (event) => {
  const groupId: string = event.payload.GroupId;
  void groupId;
});
receiver.on('Group.CallbackBeforeSendMsg', () => core.reject(10100, 'spam'));
// @ts-expect-error: not a command
receiver.on('Group.NoSuchCallback', () => undefined);

const isOne: boolean = adapter.isReceiver(receiver);
const signature: string = adapter.computeSign('token', 1669872112);
const names: readonly core.CommandName[] = core.commandList.map((spec) => spec.command);
const spec: catalogue.CommandSpec | undefined = catalogue.commandSpec('Group.CallbackAfterSendMsg');
const built: testing.BuiltRequest = testing.buildRequest(
  'Group.CallbackAfterSendMsg',
  testing.sample('Group.CallbackAfterSendMsg'),
  {
    sdkAppId: 1400000000,
  },
);
void [isOne, signature, names, spec, built];

express().use(expressAdapter.imCallbacks(1400000000, { token: 'token' }));
new Koa().use(koaAdapter.imCallbacks(1400000000, { token: 'token' }));

const app = fastify.fastify();
void app.register(fastifyAdapter.imCallbacks, { sdkAppId: 1400000000, path: '/im/callback', token: 'token' });
app.imCallbacks.on('Group.CallbackAfterSendMsg', (event) => {
  const groupId: string = event.payload.GroupId;
  void groupId;
});
