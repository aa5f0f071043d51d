/**
 * The shell evaluator: runs the tree from `parser.ts` against a {@link ProgramContext}.
 *
 * Each pipeline element and each `( )`, `$( )` and `&` job runs in a clone of the shell state,
 * as a forked subshell would, so assignments there do not leak. This file holds that state and
 * the top of the evaluator (lists, jobs, traps and signals); and-or lists and pipelines are in
 * `pipeline.ts`, simple commands in `simple-command.ts`, command lookup in `invoke.ts`.
 *
 * @module
 */
import { posix } from 'node:path';
import type { ForkedProcess, ProgramContext } from '../../program.js';
import { ForkError, signalNumber } from '../io.js';
import type { Command, CommandSubstitution, List, SimpleCommand } from './ast.js';
import { runCompound } from './compound.js';
import { ExitSignal, LoopSignal, ReturnSignal, ShellFailure, SpecialBuiltinExit } from './control.js';
import type { ExpandHost } from './expand.js';
import { invokeCommand } from './invoke.js';
import { emptySource, readableOf, writableOf, type FdTable } from './io-table.js';
import { ShSyntaxError } from './lexer.js';
import { messagePrefix, writeQuietly } from './messages.js';
import { lookupParameter, type ShellFlags, type ShellVar } from './parameters.js';
import { parseLines } from './parser.js';
import { runAndOr } from './pipeline.js';
import { recoverCommand } from './recover.js';
import { openRedirects } from './redirect.js';
import { runSimpleCommand } from './simple-command.js';
import { tailOfAndOr } from './tail.js';
import { commandSubstitution } from './substitution.js';

/** Shared between a shell and its subshells. */
interface JobCounter {
  /** Fires when the top shell exits: the jobs it leaves behind are ended with it. */
  orphans: AbortController;
}

/** One shell (or subshell): its variables, functions, options, traps and jobs. */
export class Shell implements ExpandHost {
  /** The context the shell program was started with. */
  readonly ctx: ProgramContext;
  /** Variables, exported or not. */
  vars: Map<string, ShellVar>;
  /** `$1`... */
  params: string[];
  /** `$0`. */
  scriptName: string;
  /** Defined functions. */
  functions: Map<string, Command>;
  /** `$?`. */
  status = 0;
  /** `set` flags. */
  flags: ShellFlags;
  /** The working directory. */
  cwd: string;
  /** Trap actions by signal name without `SIG` (`TERM`, `EXIT`). */
  traps: Map<string, string>;
  /** Background jobs by their PID. */
  jobs = new Map<number, Promise<number>>();
  /** `$!`. */
  lastJob: number | undefined;
  /** The shell's own file descriptors (changed by `exec >file`). */
  io: FdTable;
  /** Saved variables of `local`, one frame per active function call. */
  localFrames: Map<string, ShellVar | undefined>[] = [];
  /** True for subshells (pipelines, `( )`, `$( )`, `&`). */
  readonly isSubshell: boolean;
  /** `$$`: the PID of the top shell, which its subshells keep, as in every POSIX shell. */
  readonly rootPid: number;
  /** Status of the last command substitution (what an assignment-only command returns). */
  lastSubstitution = 0;
  /** Nesting of loops, for `break`/`continue`. */
  loopDepth = 0;
  /** The line of the command being run, as messages report it (from 0 under `-c`, as ash counts). */
  line = 0;
  /**
   * True when the shell has a script name (a file, or `sh -c cmd NAME`): ash then puts the line
   * in every message, not only in those of builtins.
   */
  named = false;
  /**
   * The command this subshell may run its program for in its own process, without forking
   * again (see tail.ts); set by whoever forked it.
   */
  tail: SimpleCommand | undefined;
  /** The builtin being run, named in its messages (`sh: cd: line 0: ...`). */
  commandName: string | undefined;
  #noErrexit = 0;
  #inTrap = false;
  #signalHandled = false;
  #jobCounter: JobCounter;
  #background = false;

  constructor(ctx: ProgramContext, io: FdTable, parent?: Shell, background = false) {
    this.ctx = ctx;
    this.#background = background || (parent !== undefined && parent.#background);
    this.io = io;
    this.isSubshell = parent !== undefined;
    this.rootPid = parent?.rootPid ?? ctx.pid;
    if (parent) {
      this.vars = new Map([...parent.vars].map(([k, v]) => [k, { ...v }]));
      this.params = [...parent.params];
      this.scriptName = parent.scriptName;
      this.functions = new Map(parent.functions);
      this.flags = { ...parent.flags };
      this.cwd = parent.cwd;
      this.status = parent.status;
      this.traps = new Map();
      this.#jobCounter = parent.#jobCounter;
      this.#noErrexit = parent.#noErrexit;
      this.#signalHandled = parent.#signalHandled;
      this.line = parent.line;
      this.named = parent.named;
    } else {
      this.vars = new Map(Object.entries(ctx.env).map(([k, v]) => [k, { value: v, exported: true }]));
      this.params = [];
      this.scriptName = ctx.argv[0] ?? 'sh';
      this.functions = new Map();
      this.flags = { errexit: false, xtrace: false, nounset: false, pipefail: false };
      this.cwd = ctx.cwd || '/';
      this.traps = new Map();
      this.#jobCounter = { orphans: new AbortController() };
      if (!this.vars.has('PWD')) this.vars.set('PWD', { value: this.cwd, exported: true });
      this.vars.set('PPID', { value: '0', exported: false });
      // As busybox ash: each new shell exports its nesting level.
      const level = Number.parseInt(ctx.env['SHLVL'] ?? '0', 10);
      this.vars.set('SHLVL', { value: String((Number.isFinite(level) ? level : 0) + 1), exported: true });
    }
  }

  /** True in a background job (`&`) and its subshells: their programs also end with the job. */
  get background(): boolean {
    return this.#background;
  }

  /** True while `set -e` does not apply (inside a condition or a non-last `&&`/`||` operand). */
  get errexitSuspended(): boolean {
    return this.#noErrexit > 0;
  }

  /**
   * Forks a process for a subshell (see {@link forkFailed} for when the container's process
   * limit is reached).
   */
  async fork(io: FdTable): Promise<ForkedProcess> {
    try {
      return this.ctx.fork();
    } catch (e) {
      return this.forkFailed(e, io);
    }
  }

  /**
   * What a failed fork does: says so as ash does and ends this shell with status 2 (ash raises
   * an error, which ends a non-interactive shell). Anything but a ForkError is rethrown.
   */
  async forkFailed(e: unknown, io: FdTable): Promise<never> {
    if (!(e instanceof ForkError)) throw e;
    await this.error(`can't fork: ${e.message}`, io);
    throw new ExitSignal(2);
  }

  /**
   * Runs `body` in a subshell, a copy of this shell's state that cannot change it, as a new
   * process of the container (`child`, else one forked here), and resolves to its status.
   * `tail` is the command that may exec in that process (see tail.ts).
   */
  async subshell(io: FdTable, tail: SimpleCommand | undefined, body: (sub: Shell) => Promise<number>, child?: ForkedProcess): Promise<number> {
    using forked = child ?? (await this.fork(io));
    const sub = new Shell({ ...this.ctx, pid: forked.pid, fork: forked.fork }, io, this);
    sub.tail = tail;
    return await sub.runTop(() => body(sub));
  }

  /**
   * Ends the background jobs still running, as the kernel does when a container's main process
   * exits (their programs see the signal `SIGKILL`).
   */
  abandonJobs(): void {
    if (!this.#jobCounter.orphans.signal.aborted) this.#jobCounter.orphans.abort('SIGKILL');
  }

  // ExpandHost ---------------------------------------------------------------------------

  /** The container's filesystem. */
  get fs(): ProgramContext['fs'] {
    return this.ctx.fs;
  }

  /** True under `set -u`. */
  get nounset(): boolean {
    return this.flags.nounset;
  }

  /** Reads a variable or special parameter. */
  lookup(name: string): string | undefined {
    return lookupParameter(this, name);
  }

  /** The positional parameters. */
  positional(): string[] {
    return this.params;
  }

  /** Sets a variable (keeping its export flag); a read-only one fails the command, as in ash. */
  assign(name: string, value: string): void {
    const existing = this.vars.get(name);
    if (existing?.readonly) this.fail(`${name}: is read only`);
    if (existing) existing.value = value;
    else this.vars.set(name, { value, exported: false });
    if (name === 'PWD' && existing === undefined) this.vars.get(name)!.exported = true;
  }

  /** Runs `$(...)` in a subshell and returns what it printed. */
  substitute(part: CommandSubstitution): Promise<string> {
    return commandSubstitution(this, part);
  }

  /** Fails the current expansion. */
  fail(message: string): never {
    throw new ShellFailure(message);
  }

  // Environment and contexts -------------------------------------------------------------

  /** The exported variables, as the environment of a command. */
  environment(extra: [string, string][] = []): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of this.vars) if (v.exported) env[k] = v.value;
    for (const [k, v] of extra) env[k] = v;
    return env;
  }

  /** A ProgramContext for running an applet in-process with this shell's state and `io`. */
  contextFor(argv: string[], io: FdTable): ProgramContext {
    const ctx: ProgramContext = {
      ...this.ctx,
      argv,
      env: this.environment(),
      cwd: this.cwd,
      stdin: readableOf(io),
      stdout: writableOf(io, 1),
      stderr: writableOf(io, 2),
    };
    return ctx;
  }

  /** Writes `message` to fd 2 as ash words it (see {@link messagePrefix}). */
  error(message: string, io: FdTable = this.io): Promise<void> {
    return writeQuietly(io, `${messagePrefix(this)}${message}\n`);
  }

  /** Writes `sh: message` as busybox's applets do when ash runs them as builtins (`test`, `read`). */
  appletError(message: string, io: FdTable = this.io): Promise<void> {
    return writeQuietly(io, `${posix.basename(this.ctx.argv[0] ?? 'sh')}: ${message}\n`);
  }

  /** Reports a syntax error at the line it was found on. */
  syntaxError(e: ShSyntaxError, io: FdTable = this.io): Promise<void> {
    if (e.line !== undefined) this.line = e.line;
    return this.error(e.message, io);
  }

  // Running ------------------------------------------------------------------------------

  /**
   * Parses and runs a script in this shell one command line at a time, as ash does (so the
   * lines before a syntax error run); the error ends the shell with status 2. `firstLine`
   * numbers the first line of `source` (by default the current line: `eval`, traps).
   */
  async runSource(source: string, firstLine = this.line, io: FdTable = this.io): Promise<number> {
    const lines = parseLines(source, firstLine);
    for (;;) {
      let next: IteratorResult<List>;
      try {
        next = lines.next();
      } catch (e) {
        if (!(e instanceof ShSyntaxError)) throw e;
        await this.syntaxError(e, io);
        this.status = 2;
        // In `eval` or `.` text, the error is that special builtin's.
        throw this.commandName === undefined ? new ExitSignal(2) : new SpecialBuiltinExit(2);
      }
      if (next.done) return this.status;
      await this.runList(next.value, io);
    }
  }

  /**
   * Runs `body` as the top of a shell or subshell: `exit` ends here, the EXIT trap runs, a
   * pending signal is handled.
   */
  async runTop(body: () => Promise<number>): Promise<number> {
    try {
      this.status = await body();
      await this.checkSignal();
    } catch (e) {
      if (e instanceof ExitSignal) this.status = e.code;
      else if (e instanceof ReturnSignal) this.status = e.code;
      else if (e instanceof LoopSignal) this.status = 0;
      else throw e;
    }
    const onExit = this.traps.get('EXIT');
    if (onExit !== undefined && onExit !== '') {
      this.traps.delete('EXIT');
      const saved = this.status;
      try {
        await this.runSource(onExit);
        this.status = saved;
      } catch (e) {
        if (e instanceof ExitSignal) this.status = e.code;
        else throw e;
      }
    }
    return this.status;
  }

  /**
   * Reacts to the program's signal once it fired: runs the trap for it (which may `exit`),
   * otherwise ends the shell with 128 + the signal's number.
   */
  async checkSignal(): Promise<void> {
    const signal = this.ctx.signal;
    if (!signal.aborted || this.#inTrap || this.#signalHandled) return;
    this.#signalHandled = true;
    const name = String(signal.reason ?? 'SIGTERM').replace(/^SIG/, '');
    const code = 128 + signalNumber(name);
    const action = this.isSubshell ? undefined : this.traps.get(name);
    if (action) {
      this.#inTrap = true;
      try {
        await this.runSource(action);
      } finally {
        this.#inTrap = false;
      }
    }
    // The signal cannot be un-fired, so every later sleep would fail at once: end here.
    throw new ExitSignal(code);
  }

  /** Runs a list; `&` items become background jobs. */
  async runList(list: List, io: FdTable = this.io): Promise<number> {
    for (const item of list.items) {
      await this.checkSignal();
      if (item.background) {
        const child = await this.fork(io);
        // The job's own view of the signal also fires when the top shell exits (see abandonJobs).
        const signal = AbortSignal.any([this.ctx.signal, this.#jobCounter.orphans.signal]);
        const jobCtx = { ...this.ctx, pid: child.pid, fork: child.fork, signal };
        const sub = new Shell(jobCtx, new Map([...io, [0, emptySource()]]), this, true);
        sub.tail = tailOfAndOr(item.command);
        const job = sub.runTop(() => runAndOr(sub, item.command, sub.io));
        job.then(child.exit, child.exit);
        // A job nobody waits for must not surface as an unhandled rejection.
        job.catch(() => undefined);
        this.jobs.set(child.pid, job);
        this.lastJob = child.pid;
        this.status = 0;
      } else {
        this.status = await runAndOr(this, item.command, io);
      }
    }
    return this.status;
  }

  /** Runs `body` with `set -e` suspended when `suspend` is true (conditions, `&&` operands). */
  async guarded(suspend: boolean, body: () => Promise<number>): Promise<number> {
    if (suspend) this.#noErrexit++;
    try {
      return await body();
    } finally {
      if (suspend) this.#noErrexit--;
    }
  }

  /** Runs a condition list (`if`, `while`): `set -e` does not apply inside. */
  runCondition(list: List, io: FdTable): Promise<number> {
    return this.guarded(true, () => this.runList(list, io));
  }

  /** Runs one command with its redirections. */
  async runCommand(command: Command, io: FdTable): Promise<number> {
    await this.checkSignal();
    try {
      // Every command is a step of the script: where a loop of builtins yields its time slice.
      const wait = this.ctx.checkpoint();
      if (wait) await wait;
      if (command.type === 'simple') return (this.status = await runSimpleCommand(this, command, io));
      if (command.type === 'function') {
        this.functions.set(command.name, command.body);
        return (this.status = 0);
      }
      const opened = await openRedirects(this, command.redirects, io);
      try {
        return (this.status = await runCompound(this, command, opened.io));
      } finally {
        await opened.close();
      }
    } catch (e) {
      return (this.status = await recoverCommand(this, e, io));
    }
  }

  /**
   * Runs a command by name: a function, then a builtin, then a program through `ctx.exec`
   * (in this shell's own process when `inPlace`). `assigns` apply to that command only.
   */
  invoke(argv: string[], assigns: [string, string][], io: FdTable, skipFunctions = false, inPlace = false): Promise<number> {
    return invokeCommand(this, argv, assigns, io, skipFunctions, inPlace);
  }

  /** Resolves a path against the shell's working directory. */
  resolve(path: string): string {
    return posix.resolve(this.cwd, path);
  }
}
