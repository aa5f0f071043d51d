/**
 * Reading applet inputs: files named on the command line or stdin (`-`), whole or line by
 * line. Line iteration streams, so `yes | head -n 1` stops after one line.
 *
 * @module
 */
import type { ProgramContext } from '../../program.js';
import { complain, errorText, iterate, readFileOf } from '../io.js';

/** Iterates lines (without `\n`) of a stream as they arrive. */
export async function* streamLines(ctx: ProgramContext, stream: ProgramContext['stdin']): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of iterate(stream, ctx.signal)) {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
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
  yield* lines;
}

/** Reads a whole named input (`-` is stdin); undefined (after reporting) when it cannot. */
export async function readInput(ctx: ProgramContext, name: string, quiet = false): Promise<Buffer | undefined> {
  if (name === '-') {
    const chunks: Buffer[] = [];
    for await (const c of iterate(ctx.stdin, ctx.signal)) chunks.push(c);
    return Buffer.concat(chunks);
  }
  try {
    return await readFileOf(ctx, name);
  } catch (e) {
    if (!quiet) await complain(ctx, `${name}: ${errorText(e)}`);
    return undefined;
  }
}
