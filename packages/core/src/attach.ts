/** Owns giving an adapter's object (middleware, plugin decoration) the receiver's registration methods. */
import type { CommandName } from './catalogue/index.js';
import type { AnyCallbackHandler, CallbackHandler, CallbackHandlers, ErrorHandler } from './events.js';
import type { CallbackReceiver } from './receiver.js';

/**
 * Gives an adapter's object (a middleware function, a plugin decoration) the receiver's
 * `on/onAny/onError/off`, each returning that object so calls chain, and a `receiver` property.
 */
export function attachHandlers<R extends CallbackHandlers<R> & { readonly receiver: CallbackReceiver }>(
  target: object,
  receiver: CallbackReceiver,
): R {
  const self = target as R;
  Object.defineProperty(self, 'receiver', { value: receiver, enumerable: false });
  Object.assign(self, {
    on<C extends CommandName>(command: C | readonly C[], handler: CallbackHandler<C>): R {
      receiver.on(command, handler);
      return self;
    },
    onAny(handler: AnyCallbackHandler): R {
      receiver.onAny(handler);
      return self;
    },
    onError(handler: ErrorHandler): R {
      receiver.onError(handler);
      return self;
    },
    off(handler: (...args: never[]) => unknown, commands?: CommandName | readonly CommandName[]): R {
      receiver.off(handler, commands);
      return self;
    },
  });
  return self;
}
