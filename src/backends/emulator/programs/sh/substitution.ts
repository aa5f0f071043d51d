/**
 * Command substitution (`$(...)` and backquotes): the source is parsed (with a small cache)
 * and run in a subshell whose stdout is collected.
 *
 * @module
 */
import { Writable } from 'node:stream';
import type { CommandSubstitution, List } from './ast.js';
import { ShellFailure } from './control.js';
import { ShSyntaxError } from './lexer.js';
import { parseScript } from './parser.js';
import type { Shell } from './shell.js';
import { tailOfList } from './tail.js';

const parseCache = new Map<string, List>();

/**
 * Parses with a small cache: loops re-run the same `$(...)` sources many times. `line` numbers
 * the first line (the tree keeps line numbers, so it is part of the key).
 */
export function parseCached(source: string, line = 1): List {
  const key = `${line}\n${source}`;
  let list = parseCache.get(key);
  if (!list) {
    list = parseScript(source, line, true);
    if (parseCache.size > 500) parseCache.clear();
    parseCache.set(key, list);
  }
  return list;
}

/**
 * Runs a substitution in a subshell of `sh` and returns what it printed; its status is left in
 * `sh.lastSubstitution` (what an assignment-only command returns). The parser has usually read
 * it already; text only read at run time (a here-document's) is parsed here.
 *
 * @throws ShellFailure when the source does not parse
 */
export async function commandSubstitution(sh: Shell, part: CommandSubstitution): Promise<string> {
  const list = part.list ?? parseOrFail(part.source, part.line ?? sh.line);
  const chunks: Buffer[] = [];
  const collector = new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  sh.lastSubstitution = await sh.subshell(new Map([...sh.io, [1, collector]]), tailOfList(list), (sub) => sub.runList(list));
  return Buffer.concat(chunks).toString('utf8');
}

function parseOrFail(source: string, line: number): List {
  try {
    return parseCached(source, line);
  } catch (e) {
    if (e instanceof ShSyntaxError) throw new ShellFailure(e.message);
    throw e;
  }
}
