/**
 * A container's process table: its own PID space, as a PID namespace gives a real container,
 * and its process limit, as the pids cgroup controller (`docker run --pids-limit`) gives it.
 *
 * Every emulated process is in it while it runs: the main program (PID 1), each `docker exec`,
 * and each process a program starts (a shell's pipeline stages, subshells, command
 * substitutions, background jobs, and the programs they run). PIDs are handed out as Linux
 * does: one more than the last, wrapping past `pid_max` to 300, skipping PIDs still in use.
 *
 * @module
 */
import { ForkError } from '../programs/io.js';

/**
 * The process limit of a container created without one. Docker's default is no limit, but
 * an emulated process costs the engine's own memory, so a fork bomb must stop somewhere.
 */
export const DEFAULT_PIDS_LIMIT = 1024;

/** The kernel's default `pid_max`. */
const PID_MAX = 32768;
/** Where PIDs start again after a wrap (the kernel's `RESERVED_PIDS`). */
const PID_WRAP = 300;

/** A process as the table lists it. */
export interface ProcessInfo {
  /** Its PID in the container (1 = the main program). */
  readonly pid: number;
  /** Its parent's PID (0 for the main program and `docker exec`'s, which come from outside). */
  readonly ppid: number;
  /** Its command line. */
  readonly argv: readonly string[];
}

/** One container's processes; see the module notes. */
export class ProcessTable {
  /** Most processes at once (Infinity: no limit). */
  readonly limit: number;
  #entries = new Map<number, ProcessInfo>();
  #last = 0;

  /** @param limit most processes at once; 0 or less means no limit, as Docker's `PidsLimit` */
  constructor(limit: number = DEFAULT_PIDS_LIMIT) {
    this.limit = limit > 0 ? limit : Infinity;
  }

  /** How many processes are running. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Registers a new process with the next free PID.
   *
   * @param entering true for a process that enters the container from outside (the main
   *   program, `docker exec`): the kernel moves those into the cgroup after creating them, and
   *   the limit only stops forks, so they always get in (and count)
   * @throws ForkError (EAGAIN) when the container already runs `limit` processes
   */
  add(ppid: number, argv: readonly string[], entering = false): ProcessInfo {
    if (!entering && this.#entries.size >= this.limit) throw new ForkError();
    if (this.#entries.size >= PID_MAX - 1) throw new ForkError();
    let pid = this.#last;
    do {
      pid = pid >= PID_MAX - 1 ? PID_WRAP : pid + 1;
    } while (this.#entries.has(pid));
    this.#last = pid;
    const info: ProcessInfo = { pid, ppid, argv: [...argv] };
    this.#entries.set(pid, info);
    return info;
  }

  /** Forgets a process that ended (a PID since reused by another process is left alone). */
  remove(info: ProcessInfo): void {
    if (this.#entries.get(info.pid) === info) this.#entries.delete(info.pid);
  }

  /** The process with `pid`, if it runs. */
  get(pid: number): ProcessInfo | undefined {
    return this.#entries.get(pid);
  }

  /** Every running process, by PID. */
  list(): ProcessInfo[] {
    return [...this.#entries.values()].sort((a, b) => a.pid - b.pid);
  }

  /**
   * Empties the table: the main program has exited and the PID namespace died with it. The
   * next start numbers from PID 1 again, as a new namespace does.
   */
  clear(): void {
    this.#entries.clear();
    this.#last = 0;
  }
}
