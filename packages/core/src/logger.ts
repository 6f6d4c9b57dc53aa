/** A pino-style logger: any object with these four methods (pino, bunyan, console, Fastify's request logger). */
export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

const noop = (): void => {};

/** Default: silent except warnings and errors, which go to the console. */
export const defaultLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, ...rest) => console.warn(`[im-callbacks] ${message}`, ...rest),
  error: (message, ...rest) => console.error(`[im-callbacks] ${message}`, ...rest),
};

/** A logger that says nothing (for tests and for apps that report through onError only). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
