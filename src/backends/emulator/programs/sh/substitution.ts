/**
 * Command substitution (`$(...)` and backquotes): the source is parsed (with a small cache)
 * and run in a subshell whose stdout is collected.
 *
 * @module
 */
import { Writable } from 'node:stream';
import type { List } from './ast.js';
import { ShellFailure } from './control.js';
import { ShSyntaxError } from './lexer.js';
import { parseScript } from './parser.js';
import type { Shell } from './shell.js';

const parseCache = new Map<string, List>();

/** Parses with a small cache: loops re-run the same `$(...)` sources many times. */
export function parseCached(source: string): List {
  let list = parseCache.get(source);
  if (!list) {
    list = parseScript(source, 1, true);
    if (parseCache.size > 500) parseCache.clear();
    parseCache.set(source, list);
  }
  return list;
}

/**
 * Runs `source` in a subshell of `sh` and returns what it printed; its status is left in
 * `sh.lastSubstitution` (what an assignment-only command returns).
 *
 * @throws ShellFailure when `source` does not parse
 */
export async function commandSubstitution(sh: Shell, source: string): Promise<string> {
  const list = parseOrFail(source);
  const chunks: Buffer[] = [];
  const collector = new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const sub = sh.clone(new Map([...sh.io, [1, collector]]));
  sh.lastSubstitution = await sub.runTop(() => sub.runList(list));
  return Buffer.concat(chunks).toString('utf8');
}

function parseOrFail(source: string): List {
  try {
    return parseCached(source);
  } catch (e) {
    if (e instanceof ShSyntaxError) throw new ShellFailure(e.message);
    throw e;
  }
}
