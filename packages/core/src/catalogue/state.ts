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
    summary: 'A user logged in, logged out, was disconnected or set a custom status.',
    schema: v.looseObject({
      CallbackCommand: opt(str),
      /** Milliseconds. */
      EventTime: opt(eventTime),
      /** Required with `To_Account` and `Action`: the body says nothing else (rule 5). */
      Info: v.looseObject({
        Action: oneOf(['Login', 'Logout', 'Disconnect', 'CustomStatusChange']),
        /** The user whose state changed. */
        To_Account: str,
        /**
         * `Register` login/reconnect, `Unregister` logout, `LinkClose` TCP closed, `TimeOut` heartbeat
         * lost, `SetCustomStatus` the user set a custom status (with `Action: 'CustomStatusChange'`).
         */
        Reason: opt(oneOf(['Register', 'Unregister', 'LinkClose', 'TimeOut', 'SetCustomStatus'])),
        /**
         * The user's custom status after a `CustomStatusChange`. The field table (1047/34357, 269/2570)
         * lists it with `Info`'s members; no request example of this case is published.
         */
        CustomStatus: opt(str),
      }),
      /**
       * The custom status, should it arrive at the top level: the docs' flat field table lists it
       * between `Info.Reason` and the top-level `KickedDevice`, so both places are read.
       */
      CustomStatus: opt(str),
      /** Devices kicked by this login (only on a `Login` that kicked other devices). */
      KickedDevice: opt(
        v.array(v.looseObject({ Platform: oneOf(['iOS', 'Android', 'Web', 'Windows', 'iPad', 'Mac', 'Linux']) })),
      ),
    }),
  }),
] as const;
