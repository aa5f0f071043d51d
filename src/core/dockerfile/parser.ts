/**
 * The Dockerfile parser: directives, escape character, line continuations, comments,
 * here-documents, instruction flags, and the checks BuildKit makes before building
 * (unknown instructions, argument counts, stage names).
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { KNOWN_KEYWORDS, LineParseError, extractBuilderFlags, parseArgs } from './line-parsers.js';
import { expandWords } from './shell-lex.js';
import type { Dockerfile, DockerfileDirectives, Heredoc, Instruction, Stage } from './types.js';

const directiveRe = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const heredocRe = /^(\d*)<<(-?)([^<]*)$/;
const stageNameRe = /^[a-z][a-z0-9-_.]*$/;
const heredocKeywords = new Set(['RUN', 'COPY', 'ADD']);

/** Flags each instruction accepts (BuildKit's), by name without `--`. */
const allowedFlags: Record<string, readonly string[]> = {
  FROM: ['platform'],
  RUN: ['mount', 'network', 'security', 'device'],
  COPY: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  ADD: ['chown', 'chmod', 'link', 'keep-git-dir', 'checksum', 'exclude', 'unpack'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

/** Where a parse error points. */
interface Location {
  line: number;
  endLine: number;
  column: number;
}

function parseError(reason: string, at: Location): InvalidArgumentError {
  return new InvalidArgumentError(`dockerfile parse error line ${at.line}: ${reason}`, {
    details: { path: 'dockerfile', line: at.line, endLine: at.endLine, column: at.column, reason: 'dockerfile-syntax', problem: reason },
  });
}

/** Reads the parser directives at the top; returns them and the escape character. */
function readDirectives(lines: readonly string[]): DockerfileDirectives {
  const directives: DockerfileDirectives = {};
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const m = directiveRe.exec((lines[i] ?? '').trimStart());
    // The first line that is not a known directive ends the directive block for good.
    if (!m) break;
    const key = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    if (key !== 'syntax' && key !== 'escape' && key !== 'check') break;
    const at = { line: i + 1, endLine: i + 1, column: 1 };
    if (seen.has(key)) throw parseError(`only one ${key} parser directive can be used`, at);
    seen.add(key);
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') throw parseError(`invalid escape token '${value}' does not match \` or \\`, at);
      directives.escape = value;
    } else {
      directives[key] = value;
    }
  }
  return directives;
}

const isComment = (line: string): boolean => line.trimStart().startsWith('#');

/** Finds the here-document delimiters of a line, as BuildKit's `heredocsFromLine`. */
function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = expandWords(line, {}, { rawQuotes: true, rawEscapes: true });
  } catch {
    // A line the lexer cannot split (an unbalanced quote in a shell command) has no heredocs.
    return [];
  }
  const out: Omit<Heredoc, 'content'>[] = [];
  for (const word of words) {
    const m = heredocRe.exec(word);
    const rest = m?.[3] ?? '';
    if (!m || rest === '') continue;
    let plain: string[];
    let raw: string[];
    try {
      plain = expandWords(rest, {}, { skipUnset: true });
      raw = expandWords(rest, {}, { skipUnset: true, rawQuotes: true });
    } catch {
      continue;
    }
    const [name] = plain;
    if (name === undefined || plain.length !== 1 || raw.length !== 1) continue;
    const quotes = (s: string): number => (s.match(/['"]/g) ?? []).length;
    // Any quoting of the delimiter turns expansion of the body off, as in the shell.
    out.push({ name, expand: quotes(name) === quotes(raw[0] ?? ''), chomp: m[2] === '-' });
  }
  return out;
}

/** Builds one instruction from its logical line (used for ONBUILD triggers too). */
function newInstruction(line: string, at: Location, escape: string): Instruction {
  const trimmed = line.trim();
  const m = /^(\S+)(?:\s+([\s\S]*))?$/u.exec(trimmed);
  const word = m?.[1] ?? '';
  const keyword = word.toUpperCase();
  if (!KNOWN_KEYWORDS.includes(keyword)) throw parseError(`unknown instruction: ${keyword}`, at);
  const { rest: afterFlags, flags } = extractBuilderFlags(m?.[2] ?? '');
  const rest = afterFlags.trim();
  const allowed = allowedFlags[keyword] ?? [];
  for (const flag of flags) {
    const name = flag.replace(/^--/, '').split('=')[0] ?? '';
    if (!allowed.includes(name)) throw parseError(`unknown flag: ${name}`, at);
  }
  const instruction: Instruction = {
    keyword, flags, args: [], json: false, line: at.line, endLine: at.endLine, original: trimmed,
  };
  if (keyword === 'ONBUILD') {
    if (rest === '') throw parseError('ONBUILD requires at least one argument', at);
    const trigger = newInstruction(rest, at, escape);
    if (trigger.keyword === 'ONBUILD') throw parseError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', at);
    if (trigger.keyword === 'FROM' || trigger.keyword === 'MAINTAINER') {
      throw parseError(`${trigger.keyword} isn't allowed as an ONBUILD trigger`, at);
    }
    instruction.args = [rest];
    instruction.trigger = trigger;
    return instruction;
  }
  try {
    const parsed = parseArgs(keyword, rest, escape);
    instruction.args = parsed.args;
    instruction.json = parsed.json;
  } catch (e) {
    if (e instanceof LineParseError) throw parseError(e.message, at);
    throw e;
  }
  checkArgs(instruction, at);
  return instruction;
}

/** Argument-count checks BuildKit's instructions package makes. */
function checkArgs(ins: Instruction, at: Location): void {
  const { keyword, args } = ins;
  const atLeastOne = (): void => {
    if (args.length === 0) throw parseError(`${keyword} requires at least one argument`, at);
  };
  switch (keyword) {
    case 'FROM':
      if (!(args.length === 1 || (args.length === 3 && (args[1] ?? '').toLowerCase() === 'as'))) {
        throw parseError('FROM requires either one or three arguments', at);
      }
      if (args.length === 3 && !stageNameRe.test((args[2] ?? '').toLowerCase())) {
        throw parseError(
          `invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`, at);
      }
      return;
    case 'COPY':
    case 'ADD':
      if (args.length < 2) {
        throw parseError(args.length === 0
          ? `${keyword} requires at least two arguments`
          : `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined.`,
        at);
      }
      return;
    case 'USER':
    case 'WORKDIR':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      if (args.length !== 1) throw parseError(`${keyword} requires exactly one argument`, at);
      return;
    case 'SHELL':
      atLeastOne();
      if (!ins.json) throw parseError('SHELL requires the arguments to be in JSON form', at);
      return;
    case 'HEALTHCHECK': {
      atLeastOne();
      const type = (args[0] ?? '').toUpperCase();
      if (type === 'NONE') {
        if (args.length > 1) throw parseError('HEALTHCHECK NONE takes no arguments', at);
      } else if (type !== 'CMD') {
        throw parseError(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`, at);
      } else if (args.length < 2) {
        throw parseError('Missing command after HEALTHCHECK CMD', at);
      }
      return;
    }
    case 'ENV':
    case 'LABEL':
    case 'ARG':
    case 'EXPOSE':
    case 'VOLUME':
    case 'RUN':
      atLeastOne();
      return;
    default:
      return;
  }
}

/**
 * Parses a Dockerfile into directives, instructions and stages, as BuildKit's parser and
 * instruction checks do.
 *
 * Instruction arguments are returned as written (quotes kept, variables not expanded): expand
 * them with `expandWord` where Docker does (see `EXPANDING_KEYWORDS`).
 *
 * @throws InvalidArgumentError `dockerfile parse error line N: <reason>` with
 *   `details.line`, `details.column`, `details.endLine`, `details.reason` `dockerfile-syntax`
 *   and `details.problem` (for example `unknown instruction: FOO`, `ENV must have two
 *   arguments`, `unterminated heredoc`).
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
  const { directives, instructions } = parseInstructions(text);
  if (instructions.length === 0) {
    throw new InvalidArgumentError('file with no instructions', { details: { path: 'dockerfile' } });
  }
  return { directives, instructions, ...splitStages(instructions) };
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
}

/**
 * Parses Dockerfile text into directives and a flat instruction list, without stage checks
 * (used for `commit`/`import` changes, which have no FROM).
 *
 * @throws InvalidArgumentError as {@link parseDockerfile} does.
 */
export function parseInstructions(text: string, options: ParseInstructionsOptions = {}): ParsedInstructions {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // A final newline does not start another line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const directives = readDirectives(lines);
  const escape = directives.escape ?? '\\';
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const trimContinuation = (s: string): [string, boolean] =>
    continuation.test(s) ? [s.replace(continuation, ''), false] : [s, true];

  const instructions: Instruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i] ?? '';
    i++;
    const startLine = i;
    const column = raw.length - raw.trimStart().length + 1;
    const first = isComment(raw) ? '' : raw.trimStart();
    let [line, isEnd] = trimContinuation(first);
    if (isEnd && line.trim() === '') continue;
    while (!isEnd && i < lines.length) {
      const next = lines[i] ?? '';
      i++;
      // Comments and blank lines inside a continuation are skipped, not line ends.
      if (isComment(next) || next.trim() === '') continue;
      let part: string;
      [part, isEnd] = trimContinuation(next);
      line += part;
    }
    const at: Location = { line: startLine, endLine: i, column };
    options.checkKeyword?.(/^\S*/u.exec(line.trim())?.[0] ?? '', startLine);
    const ins = newInstruction(line, at, escape);
    const target = ins.trigger ?? ins;
    if (heredocKeywords.has(target.keyword) && line.includes('<<')) {
      const docs: Heredoc[] = [];
      for (const doc of heredocsFromLine(line)) {
        let content = '';
        let terminated = false;
        while (i < lines.length) {
          const body = lines[i] ?? '';
          i++;
          const candidate = doc.chomp ? body.replace(/^\t+/, '') : body;
          if (candidate === doc.name) {
            terminated = true;
            break;
          }
          content += `${body}\n`;
        }
        if (!terminated) throw parseError('unterminated heredoc', { line: startLine, endLine: i, column });
        docs.push({ ...doc, content });
      }
      if (docs.length > 0) {
        target.heredocs = docs;
        if (ins.trigger) ins.heredocs = docs;
      }
    }
    ins.endLine = i;
    if (ins.trigger) ins.trigger.endLine = i;
    instructions.push(ins);
  }
  return { directives, instructions };
}

function splitStages(instructions: readonly Instruction[]): { metaArgs: Instruction[]; stages: Stage[] } {
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const stage: Stage = { base: ins.args[0] ?? '', from: ins, instructions: [] };
      if (ins.args.length === 3) stage.name = (ins.args[2] ?? '').toLowerCase();
      const platform = ins.flags.find((f) => f.startsWith('--platform='));
      if (platform !== undefined) stage.platform = platform.slice('--platform='.length);
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) {
      current.instructions.push(ins);
    } else if (ins.keyword === 'ARG') {
      metaArgs.push(ins);
    } else {
      throw parseError('no build stage in current context', { line: ins.line, endLine: ins.endLine, column: 1 });
    }
  }
  return { metaArgs, stages };
}
