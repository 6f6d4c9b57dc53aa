/**
 * Owns what every subcommand of the `im-callbacks` command line shares: where it writes (`Io`, so
 * tests capture the output), colours (only on a terminal, never with `NO_COLOR`), and how a usage
 * error is reported (exit code 2, the message and the usage text).
 */

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Whether `out` is a terminal (colours are used only then, and never with `NO_COLOR` set). */
  isTTY?: boolean;
}

export const defaultIo: Io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
};

/** Exit codes: all good, something failed, the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A subcommand: its name, a one-line summary for `im-callbacks --help`, and how it runs. */
export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  /** The full `--help` text. */
  readonly usage: string;
  run(argv: readonly string[], io: Io): Promise<number>;
}

export interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain = (text: string): string => text;
const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

/** Colours for `io`: ANSI codes on a terminal without `NO_COLOR` (https://no-color.org), else none. */
export function paintFor(io: Io): Paint {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  if (io.isTTY !== true || noColor) return { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
  return { green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/** Reports a usage error: the message, then the usage text; returns exit code 2. */
export function usageError(io: Io, message: string, usage: string): number {
  io.err(`${message}\n\n${usage}`);
  return EXIT_USAGE;
}

/** Whether `url` is an absolute http(s) URL. */
export function isHttpUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}
