/**
 * Owns the NDJSON file of recorded callbacks: one JSON line per callback, appended in order off the
 * answer's path (lines are queued and written by one background chain, so a slow disk never delays
 * an answer), rotated by size (`callbacks.ndjson` → `.1` → `.2`..., the oldest dropped). A write
 * that fails is logged once per failure streak and the line dropped: recording never breaks the app.
 */
import { appendFile, rename, rm, stat } from 'node:fs/promises';

export interface FileOptions {
  /** The file path. */
  path: string;
  /** Rotate when the file would exceed this many bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept (`.1` is the newest). Default 3. */
  keep?: number;
}

export class NdjsonFile {
  readonly path: string;
  readonly maxBytes: number;
  readonly keep: number;
  #size: number | undefined = undefined;
  #queue: string[] = [];
  #writing: Promise<void> | undefined = undefined;
  #failing = false;

  constructor(
    options: FileOptions,
    readonly warn: (message: string) => void,
  ) {
    this.path = options.path;
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.keep = options.keep ?? 3;
  }

  /** Queues one record; returns at once. */
  append(record: unknown): void {
    this.#queue.push(`${JSON.stringify(record)}\n`);
    this.#writing ??= this.#drain();
  }

  /** Resolves once every queued line is written. */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const lines = this.#queue;
        this.#queue = [];
        // As few writes as rotation allows: consecutive lines that fit in the current file go together.
        let chunk = '';
        for (const line of lines) {
          if (chunk !== '' && (await this.#wouldOverflow(Buffer.byteLength(chunk) + Buffer.byteLength(line)))) {
            await this.#write(chunk);
            chunk = '';
          }
          chunk += line;
        }
        await this.#write(chunk);
      }
    } finally {
      this.#writing = undefined;
    }
  }

  async #currentSize(): Promise<number> {
    this.#size ??= await stat(this.path).then(
      (info) => info.size,
      () => 0,
    );
    return this.#size;
  }

  async #wouldOverflow(bytes: number): Promise<boolean> {
    const size = await this.#currentSize();
    return size > 0 ? size + bytes > this.maxBytes : bytes > this.maxBytes;
  }

  async #write(lines: string): Promise<void> {
    try {
      const bytes = Buffer.byteLength(lines);
      if ((await this.#currentSize()) > 0 && (this.#size as number) + bytes > this.maxBytes) await this.#rotate();
      await appendFile(this.path, lines, { mode: 0o600 });
      this.#size = (this.#size ?? 0) + bytes;
      this.#failing = false;
    } catch (error) {
      this.#size = undefined;
      if (!this.#failing) this.warn(`@im-callbacks/inspector: cannot write ${this.path}: ${(error as Error).message}`);
      this.#failing = true;
    }
  }

  async #rotate(): Promise<void> {
    if (this.keep < 1) await rm(this.path, { force: true });
    else {
      await rm(`${this.path}.${this.keep}`, { force: true });
      for (let index = this.keep - 1; index >= 1; index--)
        await rename(`${this.path}.${index}`, `${this.path}.${index + 1}`).catch(() => undefined);
      await rename(this.path, `${this.path}.1`);
    }
    this.#size = 0;
  }
}
