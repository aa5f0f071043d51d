/**
 * Engine events without a daemon: every process that does something (an SDK creating a
 * container, the supervisor seeing it exit) appends a line to `runRoot/events.jsonl` with
 * O_APPEND (each line one write, so lines never interleave), and every subscriber tails the
 * file from where it was when it subscribed, woken by inotify (with a slow poll as a safety
 * net). The file lives on the runtime root: events are about the running system and go with it.
 *
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { appendFile, open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { EngineEvent } from '../../../core/schemas/index.js';

/** Appends and tails the events file. */
export class EventLog {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  /** Records an event (failures are ignored: events are best effort, never block an operation). */
  async append(event: Omit<EngineEvent, 'time'> & { time?: Date }): Promise<void> {
    const line = JSON.stringify({ ...event, time: (event.time ?? new Date()).toISOString() });
    await appendFile(this.#path, `${line}\n`).catch(() => undefined);
  }

  /** Delivers events appended from now on until the returned function is called. */
  async subscribe(listener: (event: EngineEvent) => void, onError: (error: unknown) => void): Promise<() => Promise<void>> {
    let offset = (await stat(this.#path).catch(() => undefined))?.size ?? 0;
    let closed = false;
    let reading: Promise<void> = Promise.resolve();
    let partial = '';
    const read = async (): Promise<void> => {
      const handle = await open(this.#path, 'r').catch(() => undefined);
      if (!handle) return;
      try {
        for (;;) {
          const buffer = Buffer.alloc(64 * 1024);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const text = partial + buffer.subarray(0, bytesRead).toString('utf8');
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (closed || !line) continue;
            try {
              const raw = JSON.parse(line) as EngineEvent & { time: string };
              listener({ ...raw, time: new Date(raw.time) });
            } catch {
              // A line that is not an event (never written by us) is skipped.
            }
          }
        }
      } finally {
        await handle.close();
      }
    };
    const kick = (): void => {
      if (closed) return;
      reading = reading.then(read).catch(onError);
    };
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dirname(this.#path), (_event, name) => {
        if (name === null || name === basename(this.#path)) kick();
      });
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined;
    }
    const timer = setInterval(kick, 1000);
    timer.unref();
    return async () => {
      closed = true;
      clearInterval(timer);
      watcher?.close();
      await reading;
    };
  }
}
