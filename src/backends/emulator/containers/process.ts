/**
 * One program running inside an emulated container: the container's main process (PID 1) or
 * an exec'd one.
 *
 * Signals follow the kernel's rules for what can be emulated. SIGKILL ends the process at once
 * (exit 137, whatever the program is still doing) and makes every later effect it attempts
 * fail. Other signals abort the program's `ctx.signal` with the signal's name as the reason, so
 * the program ends with 128 + n unless it handles it. PID 1 of a PID namespace ignores every
 * signal it has no handler for: see pid1-signals.ts for how the emulator tells (`docker stop`
 * of `sleep 1000` waits for the timeout and ends with 137; a shell that traps TERM exits).
 *
 * The process has a PID in its container's process table, and so has every process it forks
 * (process-controls.ts). Its checkpoint, which every effect passes too, is where it yields its
 * time slice (scheduler.ts), waits while the container is paused, and dies once killed: that
 * is how a program that never waits for anything can still be stopped.
 *
 * @module
 */
import { once } from 'node:events';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import type { FileSystemApi } from '../../../fs-union/fs-api.js';
import { clockSleep, type EmulatorClock } from '../clock.js';
import { launch, selectProgram, type LaunchOptions } from '../exec/launch.js';
import { isExecFailure } from './exec-failure.js';
import type { ProgramContext, ProgramNet, ProgramTable } from '../program.js';
import { BrokenPipeError, SignalledError, signalNumber } from '../programs/io.js';
import type { PauseGate } from './pause-gate.js';
import { trappedSignals } from './pid1-signals.js';
import { signalNameOf } from '../../../core/signals.js';
import { processControls } from './process-controls.js';
import type { ProcessInfo, ProcessTable } from './process-table.js';
import type { Scheduler } from './scheduler.js';

/** What a process is started with. */
export interface ProcessSpec {
  /** The argument vector (`argv[0]` is resolved in PATH). */
  argv: string[];
  /** The environment. */
  env: Record<string, string>;
  /** The working directory. */
  cwd: string;
  /** The container's hostname. */
  hostname: string;
  /** The container's mounted filesystem. */
  fs: FileSystemApi;
  /** The container's network view. */
  net: ProgramNet;
  /** The container's freezer. */
  gate: PauseGate;
  /** The container's process table (the process and its children are registered there). */
  table: ProcessTable;
  /** The container's time slices. */
  scheduler: Scheduler;
  /** Time source for `ctx.sleep`. */
  clock: EmulatorClock;
  /** User programs (shadowing built-ins). */
  programs?: ProgramTable;
  /** Whether this is the container's main process (signal rules differ). */
  pid1: boolean;
  /** Standard input (an ended stream when nothing is attached). */
  stdin?: Readable;
  /** Where standard output goes (the caller ends it after the exit). */
  stdout: Writable;
  /** Where standard error goes (the caller ends it after the exit). */
  stderr: Writable;
}

/** A running program; see the module notes for its signal rules. */
export class EmulatedProcess {
  /** Resolves to the exit status once the program has ended and its output was flushed. */
  readonly exit: Promise<number>;
  #notify = new AbortController();
  #fatal = new AbortController();
  #ignoresSignals: boolean;
  #handled: Set<number>;
  #settle!: (code: number) => void;
  #done = false;
  readonly #info: ProcessInfo;

  private constructor(spec: ProcessSpec, builtin: boolean, handled: Set<number>) {
    this.#ignoresSignals = spec.pid1 && builtin;
    this.#handled = handled;
    // The main program and `docker exec`'s enter the container from outside: no limit stops them.
    this.#info = spec.table.add(0, spec.argv, true);
    this.exit = new Promise<number>((resolve) => {
      this.#settle = (code) => {
        if (this.#done) return;
        this.#done = true;
        spec.table.remove(this.#info);
        resolve(code);
      };
    });
  }

  /**
   * Resolves the program for `spec.argv` and starts it.
   *
   * @throws ExecutableNotFoundError (exit 127) / ExecutablePermissionError (126) before
   *   anything runs, so the caller can fail `start` the way Docker does
   */
  static async start(spec: ProcessSpec): Promise<EmulatedProcess> {
    const options: LaunchOptions = spec.programs === undefined ? {} : { programs: spec.programs };
    let selected;
    try {
      selected = await selectProgram(spec.argv, spec.fs, spec.env, spec.cwd, options);
    } catch (e) {
      // A registered user program runs even when the image has no file for it: users should
      // not have to plant a file to run their own program. Built-ins still need their file,
      // so a missing command is exit 127 as in Docker.
      const argv0 = spec.argv[0] ?? '';
      if (!isExecFailure(e) || e.exitCode !== 127 || argv0.includes('/') || !spec.programs || !Object.hasOwn(spec.programs, argv0)) throw e;
      options.fallbackToBuiltins = true;
      selected = await selectProgram(spec.argv, spec.fs, spec.env, spec.cwd, options);
    }
    const user = spec.programs !== undefined && Object.values(spec.programs).includes(selected.program);
    const handled = spec.pid1 && !user ? await trappedSignals(spec.argv, spec.fs, spec.cwd) : new Set<number>();
    const proc = new EmulatedProcess(spec, !user, handled);
    proc.#run(spec, options);
    return proc;
  }

  /** The process's PID in its container. */
  get pid(): number {
    return this.#info.pid;
  }

  /** Whether the program is still running. */
  get running(): boolean {
    return !this.#done;
  }

  /** Delivers a signal by name (`SIGTERM`, `TERM`, `9`...). */
  deliver(signal: string): void {
    if (this.#done) return;
    const n = signalNumber(signal);
    if (n === 9) {
      this.#notify.abort('SIGKILL');
      this.#fatal.abort('SIGKILL');
      this.#settle(137);
      return;
    }
    if (this.#ignoresSignals && !this.#handled.has(n)) return;
    if (!this.#notify.signal.aborted) this.#notify.abort(canonicalName(signal, n));
  }

  #run(spec: ProcessSpec, options: LaunchOptions): void {
    const fatal = this.#fatal.signal;
    const controls = processControls({ table: spec.table, scheduler: spec.scheduler, gate: spec.gate, fatal }, this.#info);
    const checkpoint = controls.checkpoint;
    // Every effect is a checkpoint too, so a program that only does I/O in a loop yields.
    const effect = async (): Promise<void> => {
      const wait = checkpoint();
      if (wait) await wait;
    };
    const stdout = gatedWritable(spec.stdout, checkpoint, fatal);
    const stderr = gatedWritable(spec.stderr, checkpoint, fatal);
    // A write after a kill fails the program's own call; the stream itself must not throw.
    stdout.on('error', () => undefined);
    stderr.on('error', () => undefined);
    const ctx: ProgramContext = {
      argv: spec.argv,
      env: { ...spec.env },
      cwd: spec.cwd,
      hostname: spec.hostname,
      stdin: spec.stdin ? gatedReadable(spec.stdin, checkpoint) : endedStream(),
      stdout,
      stderr,
      fs: gatedObject(spec.fs, effect),
      net: gatedObject(spec.net, effect),
      signal: this.#notify.signal,
      ...controls,
      sleep: async (ms) => {
        await effect();
        try {
          await clockSleep(spec.clock, ms, this.#notify.signal);
        } catch {
          throw new SignalledError(String(this.#notify.signal.reason ?? 'SIGKILL'));
        }
        await effect();
      },
      exec: () => Promise.reject(new Error('exec is provided by the launcher')),
    };
    void (async () => {
      let code: number;
      try {
        code = await launch(spec.argv, ctx, options);
      } catch (e) {
        // The executable vanished between the check and the run: as a shell reports it.
        code = typeof (e as { exitCode?: unknown }).exitCode === 'number' ? (e as { exitCode: number }).exitCode : 1;
      }
      if (!fatal.aborted) {
        await Promise.all([finish(stdout), finish(stderr)]);
      }
      this.#settle(code);
    })();
  }
}

function canonicalName(given: string, n: number): string {
  const upper = given.toUpperCase();
  if (/^\d+$/.test(given)) return signalNameOf(n) ?? `SIG${given}`;
  return upper.startsWith('SIG') ? upper : `SIG${upper}`;
}

/** Wraps every method of `target` so it first passes the gate (and fails once killed). */
function gatedObject<T extends object>(target: T, effect: () => Promise<void>): T {
  return new Proxy(target, {
    get(obj, key) {
      const value = Reflect.get(obj, key, obj) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await effect();
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

/**
 * A writable that passes the checkpoint (gate, slice, kill) before forwarding, honouring the
 * target's backpressure.
 */
function gatedWritable(target: Writable, checkpoint: () => Promise<void> | undefined, fatal: AbortSignal): Writable {
  const gated = new Writable({
    write(chunk: Buffer, _enc, callback) {
      (checkpoint() ?? Promise.resolve()).then(
        () => {
          if (fatal.aborted || target.destroyed || target.writableEnded) return callback(new BrokenPipeError());
          if (target.write(chunk)) return callback();
          const onDrain = (): void => {
            target.off('close', onDrain);
            target.off('drain', onDrain);
            callback();
          };
          target.on('drain', onDrain);
          target.on('close', onDrain);
        },
        () => callback(new BrokenPipeError()),
      );
    },
  });
  // Every process of the container may be waiting on its output at once (each one's wait
  // listens for drain, close and error): that is many listeners, and no leak.
  gated.setMaxListeners(0);
  return keepTerminalMark(target, gated);
}

/** Carries a terminal's `isTTY` mark over to the stream that wraps it, so `test -t` sees it. */
function keepTerminalMark<T extends Readable | Writable>(inner: unknown, wrapper: T): T {
  if ((inner as { isTTY?: boolean }).isTTY === true) Object.defineProperty(wrapper, 'isTTY', { value: true });
  return wrapper;
}

/** Input that reaches the program only past the checkpoint (a frozen process reads nothing). */
function gatedReadable(source: Readable, checkpoint: () => Promise<void> | undefined): Readable {
  const gated = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      const wait = checkpoint();
      if (!wait) return callback(null, chunk);
      wait.then(() => callback(null, chunk), () => callback());
    },
  });
  source.on('error', (e) => gated.destroy(e));
  return keepTerminalMark(source, source.pipe(gated));
}

async function finish(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableFinished) return;
  stream.end();
  try {
    await once(stream, 'finish');
  } catch {
    // A broken pipe at the end loses nothing we could still deliver.
  }
}

function endedStream(): Readable {
  const s = new PassThrough();
  s.end();
  return s;
}
