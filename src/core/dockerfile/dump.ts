/**
 * BuildKit's AST dump (`Node.Dump()`): the `(from "alpine")` form its parser tests compare
 * against, printed from our instructions, so our parse can be measured against BuildKit's own
 * test files (scripts/buildkit-parser-score.ts) and pinned in table tests.
 *
 * @module
 */
import { goQuote } from './go-text.js';
import { checkParsedDockerfile } from './input-check.js';
import type { Dockerfile, Instruction } from './types.js';

/** One instruction as BuildKit dumps a node: `run ["--mount=x"] "make"`. */
function dumpInstruction(ins: Instruction): string {
  let out = ins.keyword.toLowerCase();
  if (ins.flags.length > 0) out += ` [${ins.flags.map(goQuote).join(' ')}]`;
  if (ins.keyword === 'ONBUILD') {
    if (ins.trigger) out += ` (${dumpInstruction(ins.trigger)})`;
  } else if (ins.keyword === 'ENV' || ins.keyword === 'LABEL') {
    // BuildKit keeps a third node per pair: the separator, `=` or empty for `KEY value`.
    const sep = ins.legacyKeyValue ? '' : '=';
    for (let i = 0; i + 1 < ins.args.length; i += 2) {
      out += ` ${goQuote(ins.args[i] ?? '')} ${goQuote(ins.args[i + 1] ?? '')} ${goQuote(sep)}`;
    }
  } else {
    for (const arg of ins.args) out += ` ${goQuote(arg)}`;
  }
  return out;
}

/**
 * Prints a parsed Dockerfile the way BuildKit's parser dumps its AST: one `(keyword ...)` line
 * per instruction, flags as a bracketed list, arguments as Go-quoted strings.
 *
 * @example
 * ```ts
 * dumpDockerfile(parseDockerfile('FROM alpine\nENV A=1\n')); // '(from "alpine")\n(env "A" "1" "=")'
 * ```
 */
export function dumpDockerfile(df: Pick<Dockerfile, 'instructions'>): string {
  checkParsedDockerfile(df, false);
  return df.instructions.map((ins) => `(${dumpInstruction(ins)})`).join('\n');
}
