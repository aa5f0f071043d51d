/**
 * The shell evaluator: runs the tree from `parser.ts` against a {@link ProgramContext}.
 *
 * Each pipeline element and each `( )`, `$( )` and `&` job runs in a clone of the shell state,
 * as a forked subshell would, so assignments there do not leak. Pipes are real streams with
 * backpressure; when a reader ends, its pipe is destroyed so the writer gets EPIPE (status
 * 141) instead of blocking, which is what bounds `yes | head -1`.
 *
 * @module
 */
import { posix } from 'node:path';
import { Writable } from 'node:stream';
import type { ProgramContext } from '../../program.js';
import { BrokenPipeError, SignalledError, errorText, signalNumber, write } from '../io.js';
import type { AndOr, Command, List, Pipeline, Redirect, SimpleCommand } from './ast.js';
import { shellBuiltins } from './builtins.js';
import { runCompound } from './compound.js';
import { ExitSignal, LoopSignal, ReturnSignal, ShellFailure } from './control.js';
import { expandWord, expandWords, type ExpandHost } from './expand.js';
import { createPipe, emptySource, readableOf, writableOf, type FdTable } from './io-table.js';
import { ShSyntaxError } from './lexer.js';
import { parseScript } from './parser.js';
import { openRedirects, type OpenedRedirects } from './redirect.js';

/** A shell variable. */
export interface ShellVar {
  /** Its value. */
  value: string;
  /** True when exported to the environment of commands. */
  exported: boolean;
}

/** The `set` options the shell supports. */
export interface ShellFlags {
  /** `-e`: exit when a command fails outside a condition. */
  errexit: boolean;
  /** `-x`: trace commands on stderr. */
  xtrace: boolean;
  /** `-u`: expanding an unset variable is an error. */
  nounset: boolean;
  /** `-o pipefail`: a pipeline fails with its last failing command's status. */
  pipefail: boolean;
}

const parseCache = new Map<string, List>();

/** Parses with a small cache: loops re-run the same `$(...)` sources many times. */
export function parseCached(source: string): List {
  let list = parseCache.get(source);
  if (!list) {
    list = parseScript(source);
    if (parseCache.size > 500) parseCache.clear();
    parseCache.set(source, list);
  }
  return list;
}

/** Shared between a shell and its subshells: job ids are unique per container shell tree. */
interface JobCounter {
  next: number;
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
  /** Background jobs by their fake pid. */
  jobs = new Map<number, Promise<number>>();
  /** `$!`. */
  lastJob: number | undefined;
  /** The shell's own file descriptors (changed by `exec >file`). */
  io: FdTable;
  /** Saved variables of `local`, one frame per active function call. */
  localFrames: Map<string, ShellVar | undefined>[] = [];
  /** True for subshells (pipelines, `( )`, `$( )`, `&`). */
  readonly isSubshell: boolean;
  /** Status of the last command substitution (what an assignment-only command returns). */
  lastSubstitution = 0;
  /** Nesting of loops, for `break`/`continue`. */
  loopDepth = 0;
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
    } else {
      this.vars = new Map(Object.entries(ctx.env).map(([k, v]) => [k, { value: v, exported: true }]));
      this.params = [];
      this.scriptName = ctx.argv[0] ?? 'sh';
      this.functions = new Map();
      this.flags = { errexit: false, xtrace: false, nounset: false, pipefail: false };
      this.cwd = ctx.cwd || '/';
      this.traps = new Map();
      this.#jobCounter = { next: 100, orphans: new AbortController() };
      if (!this.vars.has('PWD')) this.vars.set('PWD', { value: this.cwd, exported: true });
      this.vars.set('PPID', { value: '0', exported: false });
    }
  }

  /** A subshell: a copy of this shell's state that cannot change it. */
  clone(io: FdTable = this.io): Shell {
    return new Shell(this.ctx, io, this);
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
    switch (name) {
      case '?':
        return String(this.status);
      case '$':
        return '1';
      case '#':
        return String(this.params.length);
      case '0':
        return this.scriptName;
      case '!':
        return this.lastJob === undefined ? undefined : String(this.lastJob);
      case '-':
        return `${this.flags.errexit ? 'e' : ''}${this.flags.nounset ? 'u' : ''}${this.flags.xtrace ? 'x' : ''}`;
      case '@':
      case '*':
        return this.params.join(' ');
    }
    if (/^\d+$/.test(name)) return this.params[Number(name) - 1];
    return this.vars.get(name)?.value;
  }

  /** The positional parameters. */
  positional(): string[] {
    return this.params;
  }

  /** Sets a variable (keeping its export flag). */
  assign(name: string, value: string): void {
    const existing = this.vars.get(name);
    if (existing) existing.value = value;
    else this.vars.set(name, { value, exported: false });
    if (name === 'PWD' && existing === undefined) this.vars.get(name)!.exported = true;
  }

  /** Runs `$(...)` in a subshell and returns what it printed. */
  async substitute(source: string): Promise<string> {
    const list = this.#parseOrFail(source);
    const chunks: Buffer[] = [];
    const collector = new Writable({
      write(chunk: Buffer, _enc, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const sub = this.clone(new Map([...this.io, [1, collector]]));
    this.lastSubstitution = await sub.runTop(() => sub.runList(list));
    return Buffer.concat(chunks).toString('utf8');
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

  /** Writes a `sh: message` line to fd 2. */
  async error(message: string, io: FdTable = this.io): Promise<void> {
    try {
      await write(writableOf(io, 2), `${posix.basename(this.ctx.argv[0] ?? 'sh')}: ${message}\n`);
    } catch {
      // stderr is gone: nothing more to do.
    }
  }

  // Running ------------------------------------------------------------------------------

  /** Parses and runs a whole script in this shell; a syntax error is status 2. */
  async runSource(source: string): Promise<number> {
    let list: List;
    try {
      list = parseScript(source);
    } catch (e) {
      if (e instanceof ShSyntaxError) {
        await this.error(e.message);
        return (this.status = 2);
      }
      throw e;
    }
    return this.runList(list);
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
        // The job's own view of the signal also fires when the top shell exits (see abandonJobs).
        const jobCtx = { ...this.ctx, signal: AbortSignal.any([this.ctx.signal, this.#jobCounter.orphans.signal]) };
        const sub = new Shell(jobCtx, new Map([...io, [0, emptySource()]]), this, true);
        const id = this.#jobCounter.next++;
        const job = sub.runTop(() => sub.#runAndOr(item.command, sub.io));
        // A job nobody waits for must not surface as an unhandled rejection.
        job.catch(() => undefined);
        this.jobs.set(id, job);
        this.lastJob = id;
        this.status = 0;
      } else {
        this.status = await this.#runAndOr(item.command, io);
      }
    }
    return this.status;
  }

  async #runAndOr(andOr: AndOr, io: FdTable): Promise<number> {
    const all = [andOr.first, ...andOr.rest.map((r) => r.pipeline)];
    let status = await this.#guarded(all.length > 1, () => this.#runPipeline(andOr.first, io));
    let lastRan = 0;
    for (let i = 0; i < andOr.rest.length; i++) {
      const { op, pipeline } = andOr.rest[i]!;
      if ((op === '&&') !== (status === 0)) continue;
      const isLast = i === andOr.rest.length - 1;
      status = await this.#guarded(!isLast, () => this.#runPipeline(pipeline, io));
      lastRan = i + 1;
    }
    this.status = status;
    const last = all[lastRan]!;
    if (status !== 0 && this.flags.errexit && this.#noErrexit === 0 && lastRan === all.length - 1 && !last.bang) {
      throw new ExitSignal(status);
    }
    return status;
  }

  /** Runs `body` with `set -e` suspended when `suspend` is true (conditions, `&&` operands). */
  async #guarded(suspend: boolean, body: () => Promise<number>): Promise<number> {
    if (suspend) this.#noErrexit++;
    try {
      return await body();
    } finally {
      if (suspend) this.#noErrexit--;
    }
  }

  /** Runs a condition list (`if`, `while`): `set -e` does not apply inside. */
  runCondition(list: List, io: FdTable): Promise<number> {
    return this.#guarded(true, () => this.runList(list, io));
  }

  async #runPipeline(pipeline: Pipeline, io: FdTable): Promise<number> {
    let status: number;
    if (pipeline.commands.length === 1) {
      status = await this.#guarded(pipeline.bang, () => this.runCommand(pipeline.commands[0]!, io));
    } else {
      const n = pipeline.commands.length;
      const pipes = Array.from({ length: n - 1 }, () => createPipe());
      const runs = pipeline.commands.map(async (command, i) => {
        const input = i === 0 ? io.get(0) : pipes[i - 1]!;
        const output = i === n - 1 ? io.get(1) : pipes[i]!;
        const fds: FdTable = new Map(io);
        if (input) fds.set(0, input);
        if (output) fds.set(1, output);
        const sub = this.clone(fds);
        try {
          return await sub.runTop(() => sub.runCommand(command, fds));
        } finally {
          if (i < n - 1) pipes[i]!.end();
          // The reader is done: a writer still feeding it gets EPIPE instead of blocking.
          if (i > 0) pipes[i - 1]!.destroy();
        }
      });
      const statuses = await Promise.all(runs);
      status = this.flags.pipefail ? (statuses.filter((s) => s !== 0).pop() ?? 0) : statuses[n - 1]!;
    }
    return pipeline.bang ? (status === 0 ? 1 : 0) : status;
  }

  /** Runs one command with its redirections. */
  async runCommand(command: Command, io: FdTable): Promise<number> {
    await this.checkSignal();
    try {
      if (command.type === 'simple') return (this.status = await this.#runSimple(command, io));
      if (command.type === 'function') {
        this.functions.set(command.name, command.body);
        return (this.status = 0);
      }
      const opened = await this.#redirect(command.redirects, io);
      try {
        return (this.status = await runCompound(this, command, opened.io));
      } finally {
        await opened.close();
      }
    } catch (e) {
      return (this.status = await this.#recover(e, io));
    }
  }

  async #recover(e: unknown, io: FdTable): Promise<number> {
    if (e instanceof ShellFailure) {
      await this.error(e.message, io);
      if (e.fatal) throw new ExitSignal(e.status);
      return e.status;
    }
    if (e instanceof BrokenPipeError) return 141;
    if (e instanceof SignalledError) {
      await this.checkSignal();
      return 128 + signalNumber(e.signalName);
    }
    if (e instanceof ShSyntaxError) {
      await this.error(e.message, io);
      throw new ExitSignal(2);
    }
    throw e;
  }

  async #runSimple(command: SimpleCommand, io: FdTable): Promise<number> {
    this.lastSubstitution = 0;
    const argv = await expandWords(command.words, this);
    const assigns: [string, string][] = [];
    for (const a of command.assigns) assigns.push([a.name, await expandWord(a.value, this)]);
    const subStatus = this.lastSubstitution;
    if (this.flags.xtrace) {
      const shown = [...assigns.map(([k, v]) => `${k}=${v}`), ...argv].join(' ');
      if (shown !== '') await write(writableOf(io, 2), `+ ${shown}\n`).catch(() => undefined);
    }
    if (argv.length === 0) {
      for (const [k, v] of assigns) this.assign(k, v);
      const opened = await this.#redirect(command.redirects, io);
      await opened.close();
      return subStatus;
    }
    if (argv.length === 1 && argv[0] === 'exec' && !this.functions.has('exec')) {
      // `exec >log 2>&1`: the redirections become the shell's own, for every later command.
      const opened = await this.#redirect(command.redirects, io);
      for (const key of [...io.keys()]) if (!opened.io.has(key)) io.delete(key);
      for (const [key, stream] of opened.io) io.set(key, stream);
      return 0;
    }
    const opened = await this.#redirect(command.redirects, io);
    try {
      return await this.invoke(argv, assigns, opened.io);
    } finally {
      await opened.close();
    }
  }

  /**
   * Runs a command by name: a function, then a builtin, then a program through `ctx.exec`.
   * `assigns` apply to that command only.
   */
  async invoke(argv: string[], assigns: [string, string][], io: FdTable, skipFunctions = false): Promise<number> {
    const name = argv[0]!;
    const fn = skipFunctions ? undefined : this.functions.get(name);
    const builtin = Object.hasOwn(shellBuiltins, name) ? shellBuiltins[name] : undefined;
    if (fn || builtin) {
      const saved = assigns.map(([k]) => [k, this.vars.get(k)] as const);
      for (const [k, v] of assigns) this.vars.set(k, { value: v, exported: true });
      try {
        return fn ? await this.callFunction(fn, argv, io) : await builtin!(this, argv, io);
      } catch (e) {
        if (e instanceof BrokenPipeError) return 141;
        throw e;
      } finally {
        // `export`/`unset` inside may have changed the variable on purpose: only restore untouched ones.
        for (const [k, old] of saved) {
          if (old === undefined) this.vars.delete(k);
          else this.vars.set(k, old);
        }
      }
    }
    return this.ctx.exec(argv, {
      ...(this.#background ? { signal: this.ctx.signal } : {}),
      env: this.environment(assigns),
      cwd: this.cwd,
      stdin: readableOf(io),
      stdout: writableOf(io, 1),
      stderr: writableOf(io, 2),
    });
  }

  /** Calls a shell function with `argv[1..]` as its positional parameters. */
  async callFunction(body: Command, argv: string[], io: FdTable): Promise<number> {
    const savedParams = this.params;
    this.params = argv.slice(1);
    this.localFrames.push(new Map());
    try {
      return await this.runCommand(body, io);
    } catch (e) {
      if (e instanceof ReturnSignal) return (this.status = e.code);
      throw e;
    } finally {
      const frame = this.localFrames.pop()!;
      for (const [k, old] of frame) {
        if (old === undefined) this.vars.delete(k);
        else this.vars.set(k, old);
      }
      this.params = savedParams;
    }
  }

  #parseOrFail(source: string): List {
    try {
      return parseCached(source);
    } catch (e) {
      if (e instanceof ShSyntaxError) throw new ShellFailure(e.message);
      throw e;
    }
  }

  /** Resolves a path against the shell's working directory. */
  resolve(path: string): string {
    return posix.resolve(this.cwd, path);
  }

  /** Opens a command's redirections; `close` ends the files it opened. */
  #redirect(redirects: Redirect[], io: FdTable): Promise<OpenedRedirects> {
    return openRedirects(this, redirects, io);
  }
}
