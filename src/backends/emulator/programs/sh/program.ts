/**
 * The `sh` program (also `ash` and `bash`): `sh -c 'cmd' [name args]`, `sh script args`, or
 * commands read from stdin line by line, each run as soon as it is complete (so an attached
 * `docker run -i ... sh` session answers as it goes).
 *
 * @module
 */
import { posix } from 'node:path';
import type { ProgramContext } from '../../program.js';
import { SignalledError, complain, readLine } from '../io.js';
import type { List } from './ast.js';
import type { FdTable } from './io-table.js';
import { ShSyntaxError } from './lexer.js';
import { isTerminalStream } from '../applets/test.js';
import { parseScript } from './parser.js';
import { Shell } from './shell.js';

/**
 * Runs the shell.
 *
 * @example
 * ```ts
 * await launch(['sh', '-c', 'for i in 1 2 3; do echo $i; done | wc -l'], ctx);
 * ```
 */
export async function sh(ctx: ProgramContext): Promise<number> {
  const io: FdTable = new Map<number, ProgramContext['stdin'] | ProgramContext['stdout']>([
    [0, ctx.stdin],
    [1, ctx.stdout],
    [2, ctx.stderr],
  ]);
  const shell = new Shell(ctx, io);
  const args = ctx.argv.slice(1);
  let command: string | undefined;
  let fromStdin = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || a === '-') {
      i++;
      break;
    }
    if (a === '-o' || a === '+o') {
      const name = args[++i];
      if (name === 'errexit') shell.flags.errexit = a === '-o';
      else if (name === 'nounset') shell.flags.nounset = a === '-o';
      else if (name === 'xtrace') shell.flags.xtrace = a === '-o';
      else if (name === 'pipefail') shell.flags.pipefail = a === '-o';
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    for (const letter of a.slice(1)) {
      const on = a[0] === '-';
      if (letter === 'c') command = '';
      else if (letter === 's') fromStdin = true;
      else if (letter === 'e') shell.flags.errexit = on;
      else if (letter === 'x') shell.flags.xtrace = on;
      else if (letter === 'u') shell.flags.nounset = on;
      else if (!'ilmvfC'.includes(letter)) {
        await complain(ctx, `illegal option -${letter}`);
        return 2;
      }
    }
  }
  const rest = args.slice(i);
  if (command !== undefined) {
    const text = rest.shift();
    if (text === undefined) {
      await complain(ctx, '-c requires an argument');
      return 2;
    }
    const name = rest.shift();
    shell.scriptName = name ?? ctx.argv[0] ?? 'sh';
    shell.named = name !== undefined;
    shell.params = rest;
    // ash numbers the lines of a -c script from 0.
    return finish(shell, shell.runTop(() => shell.runSource(text, 0)));
  }
  if (rest.length > 0 && !fromStdin) {
    const file = rest[0]!;
    let text: string;
    try {
      text = (await ctx.fs.readFile(posix.resolve(ctx.cwd || '/', file))).toString('utf8');
    } catch {
      await complain(ctx, `can't open '${file}': No such file or directory`);
      return 2;
    }
    shell.scriptName = file;
    shell.named = true;
    shell.params = rest.slice(1);
    return finish(shell, shell.runTop(() => shell.runSource(text, 1)));
  }
  shell.params = rest;
  return finish(shell, shell.runTop(() => readLoop(shell, ctx)));
}

/** Waits for the shell's status, then ends the jobs it left running. */
async function finish(shell: Shell, status: Promise<number>): Promise<number> {
  try {
    return await status;
  } finally {
    shell.abandonJobs();
  }
}

async function readLoop(shell: Shell, ctx: ProgramContext): Promise<number> {
  let buffer = '';
  // Lines read before `buffer` began: commands are numbered from 1 across the whole input.
  let linesBefore = 0;
  let bufferLines = 0;
  for (;;) {
    let line: string | null;
    try {
      line = await readLine(ctx.stdin, ctx.signal);
    } catch (e) {
      if (e instanceof SignalledError) {
        await shell.checkSignal();
        return shell.status;
      }
      throw e;
    }
    if (line !== null) {
      buffer += `${line}\n`;
      bufferLines++;
    }
    if (buffer.trim() === '') {
      buffer = '';
      linesBefore += bufferLines;
      bufferLines = 0;
      if (line === null) return shell.status;
      continue;
    }
    let list: List;
    try {
      list = parseScript(buffer, linesBefore + 1, line === null);
    } catch (e) {
      if (!(e instanceof ShSyntaxError)) throw e;
      if (e.incomplete && line !== null) continue;
      await shell.syntaxError(e);
      // Only a terminal session goes on after a syntax error; piped input ends the shell, as in ash.
      if (!isTerminalStream(ctx.stdin)) return (shell.status = 2);
      shell.status = 2;
      buffer = '';
      linesBefore += bufferLines;
      bufferLines = 0;
      if (line === null) return shell.status;
      continue;
    }
    buffer = '';
    linesBefore += bufferLines;
    bufferLines = 0;
    await shell.runList(list);
    if (line === null) return shell.status;
  }
}
