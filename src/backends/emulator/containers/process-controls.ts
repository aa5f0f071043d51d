/**
 * The parts of a program's context that make it a process of its container: its PID, the
 * checkpoint where it yields its time slice, waits while the container is paused and dies
 * when killed, and `fork`, which registers its children in the container's process table.
 *
 * @module
 */
import type { ForkedProcess, ProgramContext } from '../program.js';
import { SignalledError } from '../programs/io.js';
import type { PauseGate } from './pause-gate.js';
import type { ProcessInfo, ProcessTable } from './process-table.js';
import type { Scheduler } from './scheduler.js';

/** What the controls of one process tree work on. */
export interface ProcessControlDeps {
  /** The container's process table. */
  table: ProcessTable;
  /** The container's time slices. */
  scheduler: Scheduler;
  /** The container's freezer. */
  gate: PauseGate;
  /** Fires when the process is killed (SIGKILL): its whole tree then dies. */
  fatal: AbortSignal;
}

/** A process's PID, checkpoint and fork, as its context carries them. */
export type ProcessControls = Pick<ProgramContext, 'pid' | 'checkpoint' | 'fork'>;

/**
 * The controls of the process `root` and every process it forks. The processes forked below
 * `root` are taken out of the table when `fatal` fires: they die with it.
 */
export function processControls(deps: ProcessControlDeps, root: ProcessInfo): ProcessControls {
  const { table, scheduler, gate, fatal } = deps;
  const tree = new Set<ProcessInfo>();
  fatal.addEventListener('abort', () => {
    for (const info of tree) table.remove(info);
    tree.clear();
  }, { once: true });

  // The slow path: the slice is over, the container is paused, or the process was killed.
  const settle = async (turn: boolean): Promise<void> => {
    if (turn) await scheduler.nextTurn();
    for (;;) {
      if (fatal.aborted) {
        // Rejected only after a turn of the event loop: a program that catches the error and
        // loops on must not be able to spin without ever letting Node run.
        if (!turn) await scheduler.nextTurn();
        throw new SignalledError('SIGKILL');
      }
      if (!gate.paused) return;
      await gate.pass(fatal).catch(() => undefined);
    }
  };
  const checkpoint = (): Promise<void> | undefined => {
    if (fatal.aborted || gate.paused) return settle(false);
    return scheduler.due() ? settle(true) : undefined;
  };

  const forker = (parent: ProcessInfo) => (argv?: readonly string[]): ForkedProcess => {
    // A killed process makes no children (its code may still be unwinding).
    if (fatal.aborted) throw new SignalledError('SIGKILL');
    const info = table.add(parent.pid, argv ?? parent.argv);
    tree.add(info);
    const exit = (): void => {
      tree.delete(info);
      table.remove(info);
    };
    return { pid: info.pid, fork: forker(info), exit, [Symbol.dispose]: exit };
  };

  return { pid: root.pid, checkpoint, fork: forker(root) };
}
