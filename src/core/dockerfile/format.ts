/**
 * Printing parsed instructions back to Dockerfile text, for tools that edit a Dockerfile as
 * data. What it prints parses back to the same instructions (pinned by a property test).
 *
 * @module
 */
import { goTrimSpace } from './go-text.js';
import { checkParsedDockerfile } from './input-check.js';
import { parseJsonArray } from './line-parsers.js';
import type { Dockerfile, Instruction } from './types.js';

const wordLists = new Set(['FROM', 'EXPOSE', 'COPY', 'ADD', 'VOLUME', 'ARG']);
const jsonForms = new Set(['COPY', 'ADD', 'VOLUME']);
const singleStrings = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'MAINTAINER', 'STOPSIGNAL', 'USER', 'WORKDIR']);

/** A flag as the parser will read it back: blanks, quotes and the escape are escaped. */
function formatFlag(flag: string, escape: string): string {
  return [...flag].map((c) => (/\s/u.test(c) || c === '"' || c === "'" || c === escape ? escape + c : c)).join('');
}

/** The argument text of an instruction; undefined when only its original line is faithful. */
function formatArgs(ins: Instruction, escape: string): string | undefined {
  if (ins.json) return JSON.stringify(ins.args).replace(/","/g, '", "');
  if (ins.keyword === 'HEALTHCHECK') return ins.args.length === 0 ? '' : ins.args.join(' ');
  if (ins.keyword === 'ENV' || ins.keyword === 'LABEL') {
    if (ins.legacyKeyValue) return `${ins.args[0] ?? ''} ${ins.args[1] ?? ''}`;
    const pairs: string[] = [];
    for (let i = 0; i + 1 < ins.args.length; i += 2) pairs.push(`${ins.args[i] ?? ''}=${ins.args[i + 1] ?? ''}`);
    return pairs.join(' ');
  }
  // The trigger is printed as written: it is parsed again from that text.
  if (ins.keyword === 'ONBUILD') return ins.args[0] ?? '';
  if (wordLists.has(ins.keyword)) {
    const text = ins.args.join(' ');
    if (!jsonForms.has(ins.keyword)) return text;
    // Words joined with single blanks could spell a JSON array the original did not.
    try {
      return parseJsonArray(text) === undefined ? text : undefined;
    } catch {
      return undefined;
    }
  }
  if (singleStrings.has(ins.keyword)) return ins.args[0] ?? '';
  return undefined;
}

/** One instruction (without its heredoc bodies) as one line. */
function formatInstruction(ins: Instruction, escape: string): string {
  const args = formatArgs(ins, escape);
  // An empty instruction only comes from a lone continuation at the end of a file.
  if (args === undefined) return goTrimSpace(ins.original);
  const flags = ins.flags.map((f) => formatFlag(f, escape));
  return [ins.keyword, ...flags, args].filter((part) => part !== '').join(' ');
}

/**
 * Prints a parsed Dockerfile as Dockerfile text: directives, then one line per instruction
 * (continuations joined, comments dropped) followed by its here-document bodies.
 *
 * @example
 * ```ts
 * formatDockerfile(parseDockerfile('from  alpine\nrun echo \\\n  hi\n')); // 'FROM alpine\nRUN echo   hi\n'
 * ```
 */
export function formatDockerfile(df: Pick<Dockerfile, 'directives' | 'instructions'>): string {
  checkParsedDockerfile(df, true);
  const escape = df.directives.escape ?? '\\';
  let out = '';
  for (const key of ['syntax', 'escape', 'check'] as const) {
    const value = df.directives[key];
    if (value !== undefined) out += `# ${key}=${value}\n`;
  }
  const e = escape === '\\' ? '\\\\' : '`';
  const continues = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`, 'u');
  for (const ins of df.instructions) {
    let line = formatInstruction(ins, escape);
    // A line ending in the escape would continue (arguments are trimmed, so a trailing NBSP or
    // the end of the file kept it from doing so): a trailing NBSP, trimmed again, stops that.
    // An empty instruction (a lone escape at the end of a file) is printed as that escape.
    if (line === '') line = escape;
    else if (continues.test(line)) line += '\u00a0';
    out += `${line}\n`;
    for (const doc of ins.heredocs ?? []) out += `${doc.content}${doc.name}\n`;
  }
  // A leading U+FEFF would be read as a byte-order mark; a blank before it is trimmed instead.
  return out.startsWith('\uFEFF') ? ` ${out}` : out;
}
