// Smoke test (c), ESM side: the published declarations, root and subpaths, as an app and an adapter
// author use them. Type-checked under nodenext and under bundler resolution (tsconfig.*.json).

import { type BullmqHandoffOptions, redisDedupeStore } from '@im-callbacks/bullmq';
import {
  type CommandName,
  commandList,
  createReceiver,
  type ImCallbackError,
  type Payload,
  reject,
} from '@im-callbacks/core';
import { computeSign, isReceiver } from '@im-callbacks/core/adapter';
import { type CommandSpec, catalogue, commandSpec } from '@im-callbacks/core/catalogue';
import { imCallbacks as expressCallbacks } from '@im-callbacks/express';
import { imCallbacks as fastifyCallbacks } from '@im-callbacks/fastify';
import { imCallbacks as koaCallbacks } from '@im-callbacks/koa';
import { buildRequest, sample } from '@im-callbacks/testing';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

const handoffOptions: BullmqHandoffOptions = { attempts: 3 };
void handoffOptions;
void redisDedupeStore;
const receiver = createReceiver({ sdkAppId: 1400000000, token: 'token' });
receiver.on('Group.CallbackAfterSendMsg', (event) => {
  const payload: Payload<'Group.CallbackAfterSendMsg'> = event.payload;
  const groupId: string = payload.GroupId;
  void groupId;
});
receiver.on('Group.CallbackBeforeSendMsg', () => reject(10100, 'spam'));
// @ts-expect-error: not a command
receiver.on('Group.NoSuchCallback', () => undefined);
receiver.onError((error: ImCallbackError) => void error.code);

const isOne: boolean = isReceiver(receiver);
const signature: string = computeSign('token', 1669872112);
const names: readonly CommandName[] = commandList.map((spec) => spec.command);
const spec: CommandSpec | undefined = commandSpec('Group.CallbackAfterSendMsg');
const specs: readonly CommandSpec[] = Object.values(catalogue);
const { query, body } = buildRequest('Group.CallbackAfterSendMsg', sample('Group.CallbackAfterSendMsg'), {
  sdkAppId: 1400000000,
  token: 'token',
});
void [isOne, signature, names, spec, specs, query, body];

express().use(expressCallbacks(1400000000, { token: 'token' }).on('Group.CallbackAfterSendMsg', () => undefined));
new Koa().use(koaCallbacks(1400000000, { token: 'token' }));

const app = Fastify();
await app.register(fastifyCallbacks, { sdkAppId: 1400000000, path: '/im/callback', token: 'token' });
app.imCallbacks.on('Group.CallbackAfterSendMsg', (event) => {
  const groupId: string = event.payload.GroupId;
  void groupId;
});
