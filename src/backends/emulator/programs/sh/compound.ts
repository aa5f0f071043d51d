/**
 * Compound commands: groups, subshells, `if`, `while`/`until`, `for`, `case`.
 *
 * @module
 */
import type { Command, List, SimpleCommand } from './ast.js';
import { LoopSignal } from './control.js';
import { expandPattern, expandWord, expandWords } from './expand.js';
import type { FdTable } from './io-table.js';
import { matchPattern } from './pattern.js';
import type { Shell } from './shell.js';
import { tailOfList } from './tail.js';

/** Runs a compound command (its redirections already applied to `io`). */
export async function runCompound(sh: Shell, command: Exclude<Command, SimpleCommand>, io: FdTable): Promise<number> {
  switch (command.type) {
    case 'group':
      return sh.runList(command.body, io);
    case 'subshell': {
      // A copy of the table: `exec >f` inside the subshell must not reach the parent.
      const fds = new Map(io);
      return sh.subshell(fds, tailOfList(command.body), (sub) => sub.runList(command.body, fds));
    }
    case 'if': {
      for (const clause of command.clauses) {
        if ((await sh.runCondition(clause.cond, io)) === 0) return sh.runList(clause.body, io);
      }
      return command.elseBody ? sh.runList(command.elseBody, io) : 0;
    }
    case 'loop':
      return runLoop(sh, command.body, io, async () => {
        await sh.checkSignal();
        const cond = await sh.runCondition(command.cond, io);
        return command.until ? cond !== 0 : cond === 0;
      });
    case 'for': {
      const items = command.items ? await expandWords(command.items, sh) : [...sh.params];
      let next = 0;
      return runLoop(sh, command.body, io, async () => {
        if (next >= items.length) return false;
        await sh.checkSignal();
        sh.assign(command.name, items[next++]!);
        return true;
      });
    }
    case 'case': {
      const word = await expandWord(command.word, sh);
      for (const item of command.items) {
        for (const p of item.patterns) {
          if (matchPattern(await expandPattern(p, sh), word)) return sh.runList(item.body, io);
        }
      }
      return 0;
    }
    case 'function':
      sh.functions.set(command.name, command.body);
      return 0;
  }
}

/**
 * The part `while`, `until` and `for` share: runs `body` while `advance` says to go on, with
 * `break`/`continue` unwinding to here; the status is the last body run's (0 if none ran).
 */
async function runLoop(sh: Shell, body: List, io: FdTable, advance: () => Promise<boolean>): Promise<number> {
  let status = 0;
  sh.loopDepth++;
  try {
    while (await advance()) {
      const step = await loopBody(() => sh.runList(body, io));
      status = sh.status;
      if (step === 'break') break;
    }
  } finally {
    sh.loopDepth--;
  }
  return status;
}

async function loopBody(body: () => Promise<number>): Promise<'next' | 'break'> {
  try {
    await body();
    return 'next';
  } catch (e) {
    if (!(e instanceof LoopSignal)) throw e;
    if (e.levels > 1) throw new LoopSignal(e.kind, e.levels - 1);
    return e.kind === 'break' ? 'break' : 'next';
  }
}
