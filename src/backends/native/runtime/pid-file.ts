/**
 * Waiting for runc's `--pid-file`: runc writes it (temp file + rename) only once the
 * container's or exec's process has been started (its executable found and exec'd), so its
 * appearance tells a started process from a start failure, and gives the host PID to signal.
 *
 * @module
 */
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** Watches for a PID file; create it before spawning runc so no write is missed. */
export class PidFileWatch {
  readonly #path: string;
  readonly #watcher;
  readonly #found: Promise<number>;
  #resolve!: (pid: number) => void;
  #pid: number | undefined;

  constructor(path: string) {
    this.#path = path;
    this.#found = new Promise((resolve) => { this.#resolve = resolve; });
    this.#watcher = watch(dirname(path), (_event, name) => {
      if (name === basename(path)) void this.check();
    });
    this.#watcher.on('error', () => undefined);
  }

  /** Reads the file now; resolves the PID when it is there. */
  async check(): Promise<number | undefined> {
    if (this.#pid !== undefined) return this.#pid;
    const text = await readFile(this.#path, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (text && Number.isInteger(pid) && pid > 0) {
      this.#pid = pid;
      this.#resolve(pid);
    }
    return this.#pid;
  }

  /**
   * Resolves the PID once the file appears, or undefined when `ended` resolves first and the
   * file is still missing then (runc writes it before it waits, so a quick exit leaves it).
   */
  async wait(ended: Promise<unknown>): Promise<number | undefined> {
    try {
      const first = await Promise.race([this.#found, ended.then(() => undefined)]);
      return first ?? (await this.check());
    } finally {
      this.#watcher.close();
    }
  }
}

/** The last error runc logged (its `--log` is JSON lines). */
export async function runcError(path: string): Promise<string | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  let message: string | undefined;
  for (const line of text.split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' && entry.msg) message = entry.msg;
    } catch {
      // not JSON: ignore
    }
  }
  return message;
}
