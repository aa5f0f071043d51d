/**
 * The contract between the emulator and the programs it runs.
 *
 * An emulated container runs async functions, not processes. Every effect a program has goes
 * through its {@link ProgramContext} (I/O, sleeping, the filesystem, the network), because
 * JavaScript cannot be pre-empted: that is where pause makes calls wait and kill rejects them.
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
  /** Waits `ms` milliseconds (of the engine's clock); rejects when the program is killed. */
  sleep(ms: number): Promise<void>;
  /** Runs another program in the same container and resolves to its exit code. */
  exec(argv: string[], options?: ProgramExecOptions): Promise<number>;
}

/** A program: resolves to its exit code. */
export type Program = (ctx: ProgramContext) => Promise<number>;

/** Programs by the name they are invoked by (busybox style: `argv[0]`'s base name). */
export type ProgramTable = Record<string, Program>;
