/** Operations and alerting callbacks (protocol reference §1.1). */
import * as v from 'valibot';
import { defineCommand } from './define.js';
import { int, str } from './fields.js';

const opt = v.optional;

export const operationsCommands = [
  defineCommand({
    command: 'Alert.RequestOverLimit',
    domain: 'operations',
    form: 'ack',
    summary: "A REST API's request rate passed 80 % of its QPS limit.",
    schema: v.looseObject({
      CallbackCommand: opt(str),
      /** The internal service of the REST API (e.g. `openim`). */
      ServiceName: opt(str),
      /** The REST command word (e.g. `sendmsg`): what the alert is about (required). */
      Command: str,
      /** Current requests per second. */
      Request: opt(int),
      /** The QPS limit. */
      Limit: opt(int),
    }),
  }),
] as const;
