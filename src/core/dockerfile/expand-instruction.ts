/**
 * Which instructions Docker expands variables in, and how.
 *
 * @module
 */
import { expandWord } from './shell-lex.js';
import type { ExpandOptions, ExpandVars } from './shell-lex.js';
import type { Instruction } from './types.js';

/**
 * Keywords whose arguments Docker expands (`$v`, `${v:-w}`...): ADD COPY ENV EXPOSE FROM LABEL
 * STOPSIGNAL USER VOLUME WORKDIR, and ONBUILD, whose trigger is expanded when it runs in a
 * child build (not where it is declared). RUN, CMD, ENTRYPOINT and SHELL are left to the shell.
 */
export const EXPANDING_KEYWORDS: ReadonlySet<string> = new Set([
  'ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** Flags whose values Docker expands (`COPY --chown=$UID`, `FROM --platform=$BUILDPLATFORM`). */
const expandingFlags = new Set(['platform', 'chown', 'chmod', 'from']);

/**
 * Returns a copy of an instruction with its arguments (and value flags such as `--chown`)
 * expanded and unquoted where Docker does so; other instructions come back unchanged.
 *
 * For FROM only the image is expanded (not `AS name`), with the global ARGs as `vars`.
 *
 * @throws InvalidArgumentError from {@link expandWord} for a bad substitution.
 * @example
 * ```ts
 * expandInstruction(parseDockerfile('FROM x\nWORKDIR $HOME/app').instructions[1]!, { HOME: '/root' }).args;
 * // ['/root/app']
 * ```
 */
export function expandInstruction(ins: Instruction, vars: ExpandVars, options: ExpandOptions = {}): Instruction {
  if (!EXPANDING_KEYWORDS.has(ins.keyword) || ins.keyword === 'ONBUILD') return ins;
  const word = (w: string): string => expandWord(w, vars, options);
  const flags = ins.flags.map((f) => {
    const m = /^--([^=]+)=([\s\S]*)$/u.exec(f);
    return m && expandingFlags.has(m[1] ?? '') ? `--${m[1]}=${word(m[2] ?? '')}` : f;
  });
  let args: string[];
  if (ins.keyword === 'FROM') {
    args = ins.args.map((a, i) => (i === 0 ? word(a) : a));
  } else if (ins.json && (ins.keyword === 'COPY' || ins.keyword === 'ADD' || ins.keyword === 'VOLUME')) {
    // Exec-form strings are already unquoted by JSON; only variables remain to expand.
    const esc = options.escape ?? '\\';
    const protect = (a: string): string => [...a].map((c) => (c === '"' || c === "'" || c === esc ? esc + c : c)).join('');
    args = ins.args.map((a) => word(protect(a)));
  } else {
    args = ins.args.map(word);
  }
  return { ...ins, flags, args };
}
