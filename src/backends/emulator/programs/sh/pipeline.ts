/**
 * And-or lists (`a && b || c`) and pipelines (`a | b | c`).
 *
 * Every element of a multi-command pipeline runs in its own subshell, connected by real pipes
 * with backpressure; when a reader ends, its pipe is destroyed so the writer gets EPIPE (status
 * 141) instead of blocking, which is what bounds `yes | head -1`.
 *
 * @module
 */
import type { ForkedProcess } from '../../program.js';
import type { AndOr, Pipeline } from './ast.js';
import { ExitSignal } from './control.js';
import { createPipe, type FdTable } from './io-table.js';
import type { Shell } from './shell.js';
import { tailOfCommand } from './tail.js';

/**
 * Runs `a && b || c`: each operand after the first runs only when the previous status allows.
 * `set -e` ends the shell only for a failure of the last operand that ran, when it is the last
 * of the list and not negated with `!`, as POSIX says.
 */
export async function runAndOr(sh: Shell, andOr: AndOr, io: FdTable): Promise<number> {
  const all = [andOr.first, ...andOr.rest.map((r) => r.pipeline)];
  let status = await sh.guarded(all.length > 1, () => runPipeline(sh, andOr.first, io));
  let lastRan = 0;
  for (let i = 0; i < andOr.rest.length; i++) {
    const { op, pipeline } = andOr.rest[i]!;
    if ((op === '&&') !== (status === 0)) continue;
    const isLast = i === andOr.rest.length - 1;
    status = await sh.guarded(!isLast, () => runPipeline(sh, pipeline, io));
    lastRan = i + 1;
  }
  sh.status = status;
  const last = all[lastRan]!;
  if (status !== 0 && sh.flags.errexit && !sh.errexitSuspended && lastRan === all.length - 1 && !last.bang) {
    throw new ExitSignal(status);
  }
  return status;
}

/** Runs a pipeline; its status is the last command's (or the last failure's under `pipefail`). */
export async function runPipeline(sh: Shell, pipeline: Pipeline, io: FdTable): Promise<number> {
  let status: number;
  if (pipeline.commands.length === 1) {
    status = await sh.guarded(pipeline.bang, () => sh.runCommand(pipeline.commands[0]!, io));
  } else {
    const n = pipeline.commands.length;
    const pipes = Array.from({ length: n - 1 }, () => createPipe());
    // One process per stage, forked in order; as in ash, the first fork that fails stops the
    // forking, and the stages already forked still run to their end.
    const children: ForkedProcess[] = [];
    let refused: { error: unknown } | undefined;
    for (let i = 0; i < n && !refused; i++) {
      try {
        children.push(sh.ctx.fork());
      } catch (error) {
        refused = { error };
      }
    }
    const runs = pipeline.commands.map(async (command, i) => {
      const input = i === 0 ? io.get(0) : pipes[i - 1]!;
      const output = i === n - 1 ? io.get(1) : pipes[i]!;
      const fds: FdTable = new Map(io);
      if (input) fds.set(0, input);
      if (output) fds.set(1, output);
      try {
        const child = children[i];
        return child ? await sh.subshell(fds, tailOfCommand(command), (sub) => sub.runCommand(command, fds), child) : 0;
      } finally {
        if (i < n - 1) pipes[i]!.end();
        // The reader is done: a writer still feeding it gets EPIPE instead of blocking.
        if (i > 0) pipes[i - 1]!.destroy();
      }
    });
    // Every stage ends before the pipeline does; one that was never forked closes its pipes at
    // once, so its neighbours see EOF or EPIPE and end too.
    const settled = await Promise.allSettled(runs);
    if (refused) await sh.forkFailed(refused.error, io);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const statuses = settled.map((r) => (r as PromiseFulfilledResult<number>).value);
    status = sh.flags.pipefail ? (statuses.filter((s) => s !== 0).pop() ?? 0) : statuses[n - 1]!;
  }
  return pipeline.bang ? (status === 0 ? 1 : 0) : status;
}
