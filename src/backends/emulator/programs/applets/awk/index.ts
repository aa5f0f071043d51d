/**
 * `awk [-F sep] [-v var=val]... [-f progfile | 'program'] [file | var=val]...`, the POSIX
 * subset busybox implements. RS may be a newline (the default, streamed), another single
 * character or "" (paragraph mode); those two read their input whole.
 *
 * Differences from busybox kept on purpose: syntax and run-time errors end with status 2
 * (POSIX's "error"; busybox uses 1), and the math functions (`^`, sqrt, exp ...) work where
 * Debian's busybox-static was built without them.
 *
 * @module
 */
import type { ProgramContext } from '../../../program.js';
import { BrokenPipeError, complain, getopt, readFileOf, SignalledError, errorText } from '../../io.js';
import type { AwkProgram, Rule } from './ast.js';
import { ExitSignal, Interpreter, NextFileSignal, NextSignal } from './interpreter.js';
import { AwkSyntaxError } from './lexer.js';
import { parseAwk } from './parser.js';
import { AwkRuntimeError } from './state.js';
import { AwkInputError, unescape } from './streams.js';
import { fromInput, toBool } from './values.js';

const USAGE = 'usage: awk [-F SEP] [-v VAR=VAL]... [-f FILE | AWK_PROGRAM] [FILE]...';

/** Runs the main input through the pattern-action rules; resolves to an exit code if `exit` ran. */
async function mainLoop(interp: Interpreter, rules: Rule[]): Promise<number | undefined | 'exit'> {
  const inRange = rules.map(() => false);
  for (;;) {
    const wait = interp.ctx.checkpoint();
    if (wait) await wait;
    const rec = await interp.input.next();
    if (rec === null) return undefined;
    interp.state.setRecord(rec);
    try {
      for (const [i, rule] of rules.entries()) {
        if (!(await matches(interp, rule, inRange, i))) continue;
        if (rule.action) await interp.block(rule.action);
        else interp.out.stdout(interp.state.toStr(interp.state.field(0)) + interp.state.str('ORS'));
      }
    } catch (sig) {
      if (sig instanceof NextFileSignal) interp.input.skipFile();
      else if (sig instanceof ExitSignal) return sig.code ?? 'exit';
      else if (!(sig instanceof NextSignal)) throw sig;
    }
    // Hold output back while more input is at hand (fewer, larger writes); flush before
    // waiting for input, so `tail -f | awk` shows each line as it comes.
    if (interp.out.pending > 16384 || !interp.input.buffered) await interp.out.flush();
  }
}

async function matches(interp: Interpreter, rule: Rule, inRange: boolean[], i: number): Promise<boolean> {
  const p = rule.pattern;
  if (p.kind === 'always') return true;
  if (p.kind === 'expr') return toBool(await interp.eval(p.expr));
  if (p.kind !== 'range') return false;
  if (!inRange[i]) {
    if (!toBool(await interp.eval(p.from))) return false;
    inRange[i] = true;
  }
  // The end may match on the record that opened the range.
  if (toBool(await interp.eval(p.to))) inRange[i] = false;
  return true;
}

/** Runs a list of BEGIN or END actions; resolves to the exit code when one of them exits. */
async function runSpecial(interp: Interpreter, rules: Rule[]): Promise<number | 'exit' | undefined> {
  try {
    for (const r of rules) if (r.action) await interp.block(r.action);
  } catch (sig) {
    if (sig instanceof ExitSignal) return sig.code ?? 'exit';
    throw sig;
  }
  return undefined;
}

async function execute(ctx: ProgramContext, program: AwkProgram, operands: string[], assigns: string[]): Promise<number> {
  const interp = new Interpreter(ctx, program, operands);
  const st = interp.state;
  const environ = interp.array('ENVIRON');
  for (const [k, v] of Object.entries(ctx.env)) environ.set(k, fromInput(v));
  const argv = interp.array('ARGV');
  ['awk', ...operands].forEach((a, i) => argv.set(String(i), fromInput(a)));
  st.set('ARGC', operands.length + 1);
  for (const a of assigns) {
    const eq = a.indexOf('=');
    st.set(a.slice(0, eq), fromInput(unescape(a.slice(eq + 1))));
  }
  const begins = program.rules.filter((r) => r.pattern.kind === 'begin');
  const ends = program.rules.filter((r) => r.pattern.kind === 'end');
  const mains = program.rules.filter((r) => r.pattern.kind !== 'begin' && r.pattern.kind !== 'end');
  try {
    return await runAll(interp, begins, mains, ends);
  } catch (e) {
    // What was printed before the error still goes out, as stdio flushes at exit.
    if (!(e instanceof BrokenPipeError || e instanceof SignalledError)) await interp.out.flush().catch(() => undefined);
    throw e;
  }
}

async function runAll(interp: Interpreter, begins: Rule[], mains: Rule[], ends: Rule[]): Promise<number> {
  let code: number | 'exit' | undefined = await runSpecial(interp, begins);
  let status = typeof code === 'number' ? code : 0;
  await interp.out.flush();
  if (code === undefined && (mains.length > 0 || ends.length > 0)) {
    code = await mainLoop(interp, mains);
    if (typeof code === 'number') status = code;
  }
  // END runs after an exit elsewhere too (busybox and POSIX agree); an exit in END stops it.
  code = await runSpecial(interp, ends);
  if (typeof code === 'number') status = code;
  await interp.out.finish();
  return status;
}

/** `awk`: see the module description. */
export async function awk(ctx: ProgramContext): Promise<number> {
  let parsed;
  try {
    parsed = getopt(ctx.argv.slice(1), 'Fvfe', 'Fvfe', false);
  } catch (e) {
    await complain(ctx, (e as Error).message);
    return 1;
  }
  const { flags, lists } = parsed;
  const operands = [...parsed.operands];
  let source: string;
  if (lists.has('f') || lists.has('e')) {
    const parts: string[] = [];
    for (const f of lists.get('f') ?? []) {
      try {
        parts.push((await readFileOf(ctx, f)).toString('utf8'));
      } catch (e) {
        await complain(ctx, `can't open '${f}': ${errorText(e)}`);
        return 1;
      }
    }
    parts.push(...(lists.get('e') ?? []));
    source = parts.join('\n');
  } else {
    const prog = operands.shift();
    if (prog === undefined) {
      await complain(ctx, USAGE);
      return 1;
    }
    source = prog;
  }
  const assigns = lists.get('v') ?? [];
  const bad = assigns.find((a) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(a));
  if (bad !== undefined) {
    await complain(ctx, `invalid variable assignment '${bad}'`);
    return 2;
  }
  const fs = flags.get('F');
  if (typeof fs === 'string') assigns.unshift(`FS=${fs}`);
  let program: AwkProgram;
  try {
    program = parseAwk(source);
  } catch (e) {
    if (!(e instanceof AwkSyntaxError)) throw e;
    await complain(ctx, `cmd. line:${e.line}: ${e.message}`);
    return 2;
  }
  try {
    return await execute(ctx, program, operands, assigns);
  } catch (e) {
    if (e instanceof BrokenPipeError || e instanceof SignalledError) throw e;
    if (e instanceof AwkInputError) {
      await complain(ctx, e.message);
      return 1;
    }
    if (e instanceof AwkRuntimeError) {
      await complain(ctx, `cmd. line:1: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
