/**
 * Reading applet inputs: files named on the command line or stdin (`-`), whole or line by
 * line. Line iteration streams, so `yes | head -n 1` stops after one line.
 *
 * @module
 */
import type { ProgramContext } from '../../program.js';
import { complain, errorText, iterate, readFileOf } from '../io.js';

/**
 * Iterates the chunks of a program's input (stdin by default) as they arrive, passing the
 * program's checkpoint before each, so a filter fed without pause still yields its slice.
 */
export function inputChunks(ctx: ProgramContext, stream: ProgramContext['stdin'] = ctx.stdin): AsyncGenerator<Buffer> {
  return iterate(stream, ctx.signal, () => ctx.checkpoint());
}

/** Iterates lines (without `\n`) of a stream as they arrive, passing the checkpoint per line. */
export async function* streamLines(ctx: ProgramContext, stream: ProgramContext['stdin']): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of inputChunks(ctx, stream)) {
    pending += chunk.toString('utf8');
    let from = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', from)) >= 0) {
      const wait = ctx.checkpoint();
      if (wait) await wait;
      yield pending.slice(from, nl);
      from = nl + 1;
    }
    pending = pending.slice(from);
  }
  if (pending !== '') yield pending;
}

/** Iterates the lines of a named input (`-` is stdin); reports a missing file and yields nothing. */
export async function* inputLines(ctx: ProgramContext, name: string, onError: (e: unknown) => Promise<void>): AsyncGenerator<string> {
  if (name === '-') {
    yield* streamLines(ctx, ctx.stdin);
    return;
  }
  let text: string;
  try {
    text = (await readFileOf(ctx, name)).toString('utf8');
  } catch (e) {
    await onError(e);
    return;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const wait = ctx.checkpoint();
    if (wait) await wait;
    yield line;
  }
}

/** Reads a whole named input (`-` is stdin); undefined (after reporting) when it cannot. */
export async function readInput(ctx: ProgramContext, name: string, quiet = false): Promise<Buffer | undefined> {
  if (name === '-') {
    const chunks: Buffer[] = [];
    for await (const c of inputChunks(ctx)) chunks.push(c);
    return Buffer.concat(chunks);
  }
  try {
    return await readFileOf(ctx, name);
  } catch (e) {
    if (!quiet) await complain(ctx, `${name}: ${errorText(e)}`);
    return undefined;
  }
}
