/**
 * The contract between the emulator and the programs it runs.
 *
 * An emulated container runs async functions, not processes. Every effect a program has goes
 * through its {@link ProgramContext} (I/O, sleeping, the filesystem, the network), because
 * JavaScript cannot be pre-empted: that is where pause makes calls wait and kill rejects them.
 * For the same reason a program that loops without effects passes {@link ProgramContext.checkpoint}
 * on every step, where it lets the rest of Node (timers, sockets, other containers) run once its
 * time slice is used up.
 *
 * @module
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { FileSystemApi } from '../../fs-union/fs-api.js';

/** The virtual network as a program sees it. */
export interface ProgramNet {
  /** Listens on a TCP port of the container's virtual interface; each connection is a Duplex. */
  listen(port: number, handler: (socket: Duplex) => void): Promise<void>;
  /** Connects to `host` (a name, alias, link alias or IP reachable from this container). */
  connect(host: string, port: number): Promise<Duplex>;
  /** Resolves a name as the container's `/etc/hosts` and embedded DNS would (NotFound: ENOTFOUND). */
  resolve(name: string): Promise<string>;
}

/** Options of {@link ProgramContext.exec}. */
export interface ProgramExecOptions {
  /** Environment for the child (default: the caller's). */
  env?: Record<string, string>;
  /** Working directory for the child (default: the caller's). */
  cwd?: string;
  /** Standard input for the child (default: empty). */
  stdin?: Readable;
  /** Standard output for the child (default: the caller's). */
  stdout?: Writable;
  /** Standard error for the child (default: the caller's). */
  stderr?: Writable;
  /**
   * Also stops the child when this fires (as well as on the caller's own signal): a shell uses
   * it to end the background jobs it leaves behind when it exits.
   */
  signal?: AbortSignal;
  /**
   * Runs the program in the caller's own process instead of a new child, as `exec` after a
   * fork does: a shell's subshell does it for its last command. The caller must end once it
   * returns.
   */
  replace?: boolean;
}

/**
 * A process made by {@link ProgramContext.fork}. It is in the container's process table from
 * `fork()` to `exit()` (or the end of its `using` block), and ends with the process that made it
 * when that one is killed.
 */
export interface ForkedProcess extends Disposable {
  /** Its PID in the container. */
  readonly pid: number;
  /** Makes a child of this process (see {@link ProgramContext.fork}). */
  fork(argv?: readonly string[]): ForkedProcess;
  /** Takes it out of the process table; calling it again does nothing. */
  exit(): void;
}

/** Everything a program may touch. */
export interface ProgramContext {
  /** The argument vector; `argv[0]` is the name the program was invoked by. */
  readonly argv: string[];
  /** The environment (a copy: programs may change it freely). */
  readonly env: Record<string, string>;
  /** The working directory (absolute). */
  readonly cwd: string;
  /** The container's hostname. */
  readonly hostname: string;
  /** Standard input (ends at once when nothing is attached). */
  readonly stdin: Readable;
  /** Standard output. */
  readonly stdout: Writable;
  /** Standard error. */
  readonly stderr: Writable;
  /** The container's filesystem: its union view with volumes and bind mounts applied. */
  readonly fs: FileSystemApi;
  /** The container's virtual network. */
  readonly net: ProgramNet;
  /** Aborted when the program is signalled; `reason` is the signal name (`SIGTERM`, `SIGKILL`). */
  readonly signal: AbortSignal;
  /** The process's PID in the container (1 for the container's main program). */
  readonly pid: number;
  /**
   * A preemption point, for every step of a loop that may run long. Returns undefined when the
   * program may go on at once (nearly always: no `await`, no cost worth counting), else a
   * promise to await first, which resolves once the event loop has had its turn (the
   * container's time slice was used up) or the container is unpaused, and rejects with
   * `SignalledError('SIGKILL')` when the program was killed.
   *
   * @example
   * ```ts
   * for (;;) {
   *   const wait = ctx.checkpoint();
   *   if (wait) await wait;
   *   step();
   * }
   * ```
   */
  checkpoint(): Promise<void> | undefined;
  /**
   * Makes a new process of the container, a child of this one, as `fork(2)` does for a shell's
   * subshells: run its work with a context that carries the child's `pid` and `fork`
   * (`{ ...ctx, pid: child.pid, fork: child.fork }`) and end it with `exit()`. `exec` forks by
   * itself.
   *
   * @param argv its command line in the process table (default: this process's)
   * @throws ForkError (code EAGAIN) when the container runs as many processes as its limit allows
   */
  fork(argv?: readonly string[]): ForkedProcess;
  /** Waits `ms` milliseconds (of the engine's clock); rejects when the program is killed. */
  sleep(ms: number): Promise<void>;
  /**
   * Runs another program in the same container, as a new process (a child of this one), and
   * resolves to its exit code.
   *
   * @throws ForkError (code EAGAIN) when the container's process limit is reached
   */
  exec(argv: string[], options?: ProgramExecOptions): Promise<number>;
}

/** A program: resolves to its exit code. */
export type Program = (ctx: ProgramContext) => Promise<number>;

/** Programs by the name they are invoked by (busybox style: `argv[0]`'s base name). */
export type ProgramTable = Record<string, Program>;
