/**
 * The syntactic Dockerfile parser, after BuildKit's `frontend/dockerfile/parser` package:
 * directives, the escape character, line continuations, comments, here-documents, instruction
 * flags and per-keyword argument forms. It accepts every file BuildKit's parser accepts (no
 * FROM yet, unknown instructions and flags, missing arguments); the checks BuildKit makes
 * before building live in the instructions view (instructions.ts), reached through
 * `Dockerfile.stages` or `dockerfileStages()`.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { goTrimLeft, goTrimSpace } from './go-text.js';
import { heredocsFromLine } from './heredoc.js';
import { dockerfileStages, type DockerfileStages } from './instructions.js';
import { LineParseError, extractBuilderFlags, parseArgs, type ParsedKeyValues } from './line-parsers.js';
import type { Dockerfile, DockerfileDirectives, DockerfileWarning, Heredoc, Instruction } from './types.js';

const directiveRe = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\v\f\r ]*=[\t\n\v\f\r ]*(.+?)[\t\n\v\f\r ]*$/su;
const heredocKeywords = new Set(['RUN', 'COPY', 'ADD']);
/** bufio.Scanner's limit: a line with its newline must fit in 64 KiB. */
const maxLineBytes = 64 * 1024;

/** Where a parse error points. */
interface Location {
  line: number;
  endLine: number;
}

/** A syntax error, worded as BuildKit's parser words it (it adds no line prefix). */
function syntaxError(reason: string, at: Location): InvalidArgumentError {
  return new InvalidArgumentError(`dockerfile parse error on line ${at.line}: ${reason}`, {
    details: { path: 'dockerfile', line: at.line, endLine: at.endLine, reason: 'dockerfile-syntax', problem: reason },
  });
}

/** The directive block at the top of a file: read line by line until the first other line. */
class DirectiveReader {
  readonly directives: DockerfileDirectives = {};
  escape: '\\' | '`' = '\\';
  #done = false;
  readonly #seen = new Set<string>();

  /** Looks at one (left-trimmed) line; true when it was a directive. */
  read(line: string, at: Location): boolean {
    if (this.#done) return false;
    if (!line.startsWith('#')) {
      this.#done = true;
      return false;
    }
    const m = directiveRe.exec(goTrimLeft(line.slice(1)));
    const key = (m?.[1] ?? '').toLowerCase();
    if (!m || (key !== 'syntax' && key !== 'escape' && key !== 'check')) {
      this.#done = true;
      return false;
    }
    if (this.#seen.has(key)) throw syntaxError(`only one ${key} parser directive can be used`, at);
    this.#seen.add(key);
    const value = m[2] ?? '';
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') throw syntaxError(`invalid escape token '${value}' does not match \` or \\`, at);
      this.escape = value;
      this.directives.escape = value;
    } else {
      this.directives[key] = value;
    }
    return true;
  }
}

const isComment = (line: string): boolean => goTrimLeft(line).startsWith('#');
/** Drops the line terminator(s): Go's `bytes.TrimRight(line, "\r\n")`. */
const trimNewline = (line: string): string => line.replace(/[\r\n]+$/, '');

/** The continuation rule: a final escape, unless it is itself escaped (`\\`). */
function continuationRule(escape: string): (line: string) => [string, boolean] {
  const e = escape === '\\' ? '\\\\' : '`';
  const re = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`, 'u');
  return (line) => (re.test(line) ? [line.replace(re, '$1'), false] : [line, true]);
}

/** Builds one instruction from its logical line (used for ONBUILD triggers too). */
function newInstruction(line: string, at: Location, escape: string): Instruction {
  const trimmed = goTrimSpace(line);
  const m = /^([^\t\v\f\r ]*)(?:[\t\v\f\r ]+([\s\S]*))?$/u.exec(trimmed);
  const word = m?.[1] ?? '';
  const keyword = word.toUpperCase();
  const { rest: afterFlags, flags } = m?.[2] === undefined ? { rest: '', flags: [] } : extractBuilderFlags(m[2], escape);
  const rest = goTrimSpace(afterFlags);
  const instruction: Instruction = { keyword, flags, args: [], json: false, line: at.line, endLine: at.endLine, original: line };
  if (keyword === 'ONBUILD') {
    if (rest !== '') {
      instruction.trigger = newInstruction(rest, at, escape);
      instruction.args = [rest];
    }
    return instruction;
  }
  try {
    const parsed = parseArgs(keyword, rest, escape);
    instruction.args = parsed.args;
    instruction.json = parsed.json;
    if ((parsed as ParsedKeyValues).legacy) instruction.legacyKeyValue = true;
  } catch (e) {
    if (e instanceof LineParseError) throw syntaxError(e.message, at);
    throw e;
  }
  return instruction;
}

/** Splits text into lines that keep their `\n` (the last one may have none). */
function scanLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Parses a Dockerfile into directives and instructions, as BuildKit's parser does. The stage
 * view (`stages`, `metaArgs`) is computed on first access and throws there, not here, for
 * what only the build refuses.
 *
 * Instruction arguments are returned as written (quotes kept, variables not expanded): expand
 * them with `expandWord` where Docker does (see `EXPANDING_KEYWORDS`).
 *
 * @throws InvalidArgumentError `dockerfile parse error on line N: <reason>` with `details.line`,
 *   `details.endLine`, `details.reason` `dockerfile-syntax` and `details.problem` (BuildKit's
 *   words) for what BuildKit's parser refuses: `file with no
 *   instructions`, `unterminated heredoc`, a repeated or invalid directive, a JSON array of
 *   non-strings, `ENV must have two arguments`, a line over 64 KiB.
 * @example
 * ```ts
 * const df = parseDockerfile('FROM alpine AS base\nRUN <<EOF\necho hi\nEOF\n');
 * df.stages[0]?.name;                         // 'base'
 * df.instructions[1]?.heredocs?.[0]?.content; // 'echo hi\n'
 * ```
 */
export function parseDockerfile(text: string): Dockerfile {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError(`invalid dockerfile: expected string, received ${text === null ? 'null' : typeof text}`, { details: { path: 'dockerfile' } });
  }
  const { directives, instructions, warnings } = parseInstructions(text);
  if (instructions.length === 0) {
    const lines = scanLines(text).length;
    throw new InvalidArgumentError('file with no instructions', {
      details: { path: 'dockerfile', line: lines, endLine: lines, reason: 'dockerfile-syntax', problem: 'file with no instructions' },
    });
  }
  let view: DockerfileStages | undefined;
  const stagesView = (): DockerfileStages => (view ??= dockerfileStages(instructions));
  const df: Dockerfile = {
    directives,
    instructions,
    warnings,
    get stages() {
      return stagesView().stages;
    },
    get metaArgs() {
      return stagesView().metaArgs;
    },
  };
  return df;
}

/** Options of {@link parseInstructions}. */
export interface ParseInstructionsOptions {
  /**
   * Called with each instruction's keyword (as written) before it is parsed, so a caller with
   * a narrower grammar (commit `changes`) can refuse it with its own error first.
   */
  checkKeyword?: (keyword: string, line: number) => void;
}

/** What {@link parseInstructions} returns. */
export interface ParsedInstructions {
  /** Parser directives found at the top. */
  directives: DockerfileDirectives;
  /** Every instruction in file order. */
  instructions: Instruction[];
  /** Remarks that did not stop the parse. */
  warnings: DockerfileWarning[];
}

/**
 * Parses Dockerfile text into directives and a flat instruction list without requiring any
 * instruction (used for `commit`/`import` changes, which have no FROM).
 *
 * @throws InvalidArgumentError as {@link parseDockerfile} does, except for an empty file.
 */
export function parseInstructions(text: string, options: ParseInstructionsOptions = {}): ParsedInstructions {
  const lines = scanLines(text.replace(/^\uFEFF/, ''));
  const reader = new DirectiveReader();
  const warnings: DockerfileWarning[] = [];
  const instructions: Instruction[] = [];
  let trimContinuation = continuationRule('\\');
  let current = 0;
  // Each physical line goes through the directive reader first, as BuildKit's processLine.
  const processLine = (raw: string, stripLeft: boolean): [string, boolean] => {
    if (Buffer.byteLength(raw) > maxLineBytes) {
      throw syntaxError(`dockerfile line greater than max allowed size of ${maxLineBytes - 1}`, { line: current + 1, endLine: current + 1 });
    }
    let token = trimNewline(raw);
    if (stripLeft) token = goTrimLeft(token);
    const wasDirective = reader.read(token, { line: current + 1, endLine: current + 1 });
    if (wasDirective) trimContinuation = continuationRule(reader.escape);
    return [isComment(token) ? '' : token, wasDirective];
  };
  let i = 0;
  while (i < lines.length) {
    const [first] = processLine(lines[i] ?? '', true);
    i++;
    current++;
    const startLine = current;
    let [buf, isEnd] = trimContinuation(first);
    if (isEnd && buf === '') continue;
    let emptyContinuation = false;
    while (!isEnd && i < lines.length) {
      const raw = lines[i] ?? '';
      const [next] = processLine(raw, false);
      i++;
      current++;
      if (isComment(raw)) continue;
      if (goTrimLeft(next) === '') {
        emptyContinuation = true;
        continue;
      }
      let part: string;
      [part, isEnd] = trimContinuation(next);
      buf += part;
    }
    if (emptyContinuation) warnings.push({ message: `Empty continuation line found in: ${buf}`, line: current });
    const at: Location = { line: startLine, endLine: current };
    options.checkKeyword?.(/^[^\t\v\f\r ]*/u.exec(goTrimSpace(buf))?.[0] ?? '', startLine);
    const ins = newInstruction(buf, at, reader.escape);
    const target = ins.trigger ?? ins;
    if (heredocKeywords.has(target.keyword) && !target.json && buf.includes('<<')) {
      const docs: Heredoc[] = [];
      for (const header of heredocsFromLine(buf)) {
        let content = '';
        let terminated = false;
        while (i < lines.length) {
          const body = lines[i] ?? '';
          i++;
          current++;
          let candidate = trimNewline(body);
          if (header.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === header.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) throw syntaxError('unterminated heredoc', { line: startLine, endLine: current });
        docs.push({ ...header, content });
      }
      if (docs.length > 0) {
        ins.heredocs = docs;
        if (ins.trigger) ins.trigger.heredocs = docs;
      }
    }
    ins.endLine = current;
    if (ins.trigger) ins.trigger.endLine = current;
    instructions.push(ins);
  }
  return { directives: reader.directives, instructions, warnings };
}
