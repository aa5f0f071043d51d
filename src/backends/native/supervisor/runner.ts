/**
 * One run of a container: `runc run` in the foreground as the supervisor's child, so its exit
 * status is the container's (runc returns 128+N when the init was killed by signal N) without
 * a subreaper. runc writes the init's PID to `--pid-file` only after the container started (the
 * executable was found and exec'd), so the PID file tells a started container from a start
 * failure; until it appears, output is held back (a failed start's stderr is runc's error, not
 * container output).
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { JsonLogWriter, preciseNow } from '../containers/json-log.js';
import type { Runc } from '../runtime/runc.js';
import type { PreparedBundle } from './bundle-prep.js';

/** A start that failed before the container's program ran. */
export class StartFailure extends Error {
  /** The exit code Docker records for it: 127 not found, 126 not executable, 128 otherwise. */
  readonly exitCode: number;

  constructor(message: string) {
    super(message);
    this.exitCode = /executable file not found|no such file or directory/i.test(message) ? 127 : /permission denied/i.test(message) ? 126 : 128;
  }
}

/** Receives a running container's output (attach). */
export interface OutputSink {
  /** A chunk of stdout (1) or stderr (2). */
  write(stream: 1 | 2, chunk: Buffer): void;
  /** The container's output ended. */
  end(): void;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** The last error runc logged (its `--log` is JSON lines). */
async function runcError(path: string): Promise<string | undefined> {
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

/** A started container process. */
export class ContainerRun {
  /** Container ID. */
  readonly id: string;
  /** Host PID of the container's init. */
  readonly pid: number;
  /** Resolves with the exit code once the container ended and its output is on disk. */
  readonly exited: Promise<number>;
  /** Its stdin, when it was opened. */
  readonly stdin: Writable | null;
  readonly #sinks: Set<OutputSink>;

  private constructor(id: string, pid: number, exited: Promise<number>, stdin: Writable | null, sinks: Set<OutputSink>) {
    this.id = id;
    this.pid = pid;
    this.exited = exited;
    this.stdin = stdin;
    this.#sinks = sinks;
  }

  /** Adds an attached client. */
  attach(sink: OutputSink): void {
    this.#sinks.add(sink);
  }

  /** Removes an attached client. */
  detach(sink: OutputSink): void {
    this.#sinks.delete(sink);
  }

  /**
   * Starts the container; resolves once it runs.
   * @throws StartFailure when runc could not start it (nothing ran)
   */
  static async start(
    runc: Runc,
    id: string,
    bundle: PreparedBundle,
    options: { logPath: string; openStdin: boolean; sinks: Iterable<OutputSink> },
  ): Promise<ContainerRun> {
    await rm(bundle.pidFile, { force: true });
    await rm(bundle.runcLog, { force: true });
    const sinks = new Set(options.sinks);
    const held: { stream: 1 | 2; chunk: Buffer; time: string }[] = [];
    let log: JsonLogWriter | undefined;
    let pidKnown: ((pid: number) => void) | undefined;
    const pidPromise = new Promise<number>((resolve) => { pidKnown = resolve; });

    let watcher: FSWatcher | undefined;
    const checkPid = async (): Promise<void> => {
      const text = await readFile(bundle.pidFile, 'utf8').catch(() => '');
      const pid = Number(text.trim());
      if (text && Number.isInteger(pid) && pid > 0) pidKnown?.(pid);
    };
    watcher = watch(dirname(bundle.pidFile), (_event, name) => {
      if (name === basename(bundle.pidFile)) void checkPid();
    });
    watcher.on('error', () => undefined);

    const child: ChildProcess = spawn('runc', [
      ...runc.globalArgs(), '--log', bundle.runcLog, '--log-format', 'json',
      'run', '--bundle', bundle.dir, '--pid-file', bundle.pidFile, id,
    ], { stdio: [options.openStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });

    const deliver = (stream: 1 | 2, chunk: Buffer, time: string): Promise<void> => {
      for (const sink of sinks) sink.write(stream, chunk);
      return log!.write(stream === 1 ? 'stdout' : 'stderr', chunk, time);
    };
    const pump = (stream: 1 | 2) => (chunk: Buffer): void => {
      const time = preciseNow();
      if (!log) {
        held.push({ stream, chunk, time });
        return;
      }
      const source = stream === 1 ? child.stdout! : child.stderr!;
      source.pause();
      void deliver(stream, chunk, time).finally(() => source.resume());
    };
    child.stdout!.on('data', pump(1));
    child.stderr!.on('data', pump(2));
    child.stdin?.on('error', () => undefined);

    const closed = new Promise<number>((resolve) => {
      child.on('close', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
      child.on('error', () => resolve(255));
    });
    const outcome = await Promise.race([pidPromise.then((pid) => ({ pid })), closed.then((code) => ({ code }))]);
    let pid: number;
    if ('code' in outcome) {
      // runc writes the PID file before it waits for the container: a start that ended quickly
      // still left one.
      await checkPid();
      const late = await Promise.race([pidPromise, Promise.resolve(0)]);
      if (late === 0) {
        watcher.close();
        const stderr = Buffer.concat(held.filter((h) => h.stream === 2).map((h) => h.chunk)).toString().trim();
        throw new StartFailure((await runcError(bundle.runcLog)) ?? (stderr || `runc run exited with ${outcome.code}`));
      }
      pid = late;
    } else {
      pid = outcome.pid;
    }
    watcher.close();
    watcher = undefined;
    log = new JsonLogWriter(options.logPath);
    for (const h of held.splice(0)) void deliver(h.stream, h.chunk, h.time);
    const exited = closed.then(async (code) => {
      await log!.close();
      for (const sink of sinks) sink.end();
      sinks.clear();
      return code;
    });
    return new ContainerRun(id, pid, exited, child.stdin ?? null, sinks);
  }
}
