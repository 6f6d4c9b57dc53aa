/** Online status callbacks (protocol reference §1.2). */
import * as v from 'valibot';
import { defineCommand } from './define.js';
import { eventTime, oneOf, str } from './fields.js';

const opt = v.optional;

export const stateCommands = [
  defineCommand({
    command: 'State.StateChange',
    domain: 'state',
    form: 'ack',
    summary: 'A user logged in, logged out or was disconnected.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      /** Milliseconds. */
      EventTime: opt(eventTime),
      Info: v.looseObject({
        Action: oneOf(['Login', 'Logout', 'Disconnect']),
        /** The user whose state changed. */
        To_Account: str,
        /** `Register` login/reconnect, `Unregister` logout, `LinkClose` TCP closed, `TimeOut` heartbeat lost. */
        Reason: opt(oneOf(['Register', 'Unregister', 'LinkClose', 'TimeOut'])),
      }),
      /** Devices kicked by this login (only on a `Login` that kicked other devices). */
      KickedDevice: opt(
        v.array(v.looseObject({ Platform: oneOf(['iOS', 'Android', 'Web', 'Windows', 'iPad', 'Mac', 'Linux']) })),
      ),
    }),
  }),
] as const;
