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
import { rm } from 'node:fs/promises';
import { JsonLogWriter, preciseNow } from '../containers/json-log.js';
import { terminalInput, underTerminal } from '../runtime/tty.js';
import type { Writable } from 'node:stream';
import { PidFileWatch, runcError } from '../runtime/pid-file.js';
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
    options: { logPath: string; openStdin: boolean; tty: boolean; sinks: Iterable<OutputSink> },
  ): Promise<ContainerRun> {
    await rm(bundle.pidFile, { force: true });
    await rm(bundle.runcLog, { force: true });
    const sinks = new Set(options.sinks);
    const held: { stream: 1 | 2; chunk: Buffer; time: string }[] = [];
    let log: JsonLogWriter | undefined;
    const pidWatch = new PidFileWatch(bundle.pidFile);

    const runcArgs = [
      ...runc.globalArgs(), '--log', bundle.runcLog, '--log-format', 'json',
      'run', '--bundle', bundle.dir, '--pid-file', bundle.pidFile, id,
    ];
    const viaTerminal = options.tty ? underTerminal(runcArgs) : undefined;
    const child: ChildProcess = viaTerminal
      ? spawn(viaTerminal.command, viaTerminal.args, { env: viaTerminal.env, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('runc', runcArgs, { stdio: [options.openStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    // With a TTY, stdout carries the terminal (the program's stdout and stderr together, and
    // runc's error on a failed start); the terminal's input stays open for the whole run.
    const out = child.stdout!;
    const stdin = viaTerminal ? (options.openStdin ? terminalInput(child.stdin!) : null) : (child.stdin ?? null);

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
      const source = stream === 1 ? out : child.stderr!;
      source.pause();
      void deliver(stream, chunk, time).finally(() => source.resume());
    };
    out.on('data', pump(1));
    child.stderr!.on('data', pump(2));
    stdin?.on('error', () => undefined);

    const closed = new Promise<number>((resolve) => {
      child.on('close', (code, signal) => {
        child.stdin?.destroy();
        resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0));
      });
      child.on('error', () => resolve(255));
    });
    const pid = await pidWatch.wait(closed);
    if (pid === undefined) {
      const stderr = Buffer.concat(held.filter((h) => h.stream === 2).map((h) => h.chunk)).toString().trim();
      throw new StartFailure((await runcError(bundle.runcLog)) ?? (stderr || 'runc run failed'));
    }
    log = new JsonLogWriter(options.logPath);
    for (const h of held.splice(0)) void deliver(h.stream, h.chunk, h.time);
    const exited = closed.then(async (code) => {
      await log!.close();
      for (const sink of sinks) sink.end();
      sinks.clear();
      return code;
    });
    return new ContainerRun(id, pid, exited, stdin, sinks);
  }
}
