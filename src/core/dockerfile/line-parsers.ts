/**
 * Per-instruction argument parsing, after BuildKit's `frontend/dockerfile/parser/line_parsers.go`.
 * Each function turns the text after a keyword (flags already removed) into `args`. Only what
 * BuildKit's parser itself refuses fails here (a JSON array of non-strings, `ENV a` without a
 * value); argument counts and flags are checked by the instructions view (instructions.ts).
 *
 * @module
 */
import { asciiBlanks, goQuote, goTrimLeft, isGoSpace } from './go-text.js';

/** Arguments of one instruction, before validation. */
export interface ParsedArgs {
  /** See `Instruction.args` in types.ts. */
  args: string[];
  /** True for the JSON (exec) form. */
  json: boolean;
}

/** A failure of an argument parser; the caller adds the line and column. */
export class LineParseError extends Error {}

const isSpace = isGoSpace;

/**
 * Splits leading `--flag=value` words off a line; quotes inside a flag are removed and `\`
 * escapes one character, as BuildKit's `extractBuilderFlags`. A bare `--` ends the flags.
 */
export function extractBuilderFlags(line: string, escape = '\\'): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    let ch = line[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isSpace(ch)) continue;
      // Only a word starting with `--` is a flag; anything else starts the arguments.
      if (ch !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags };
        if (blankOK || word.length > 0) flags.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === line.length) continue;
        pos++;
        ch = line[pos] ?? '';
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === escape) {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
      ch = line[pos] ?? '';
    }
    word += ch;
  }
  return { rest: '', flags };
}

/**
 * Splits on whitespace but keeps quoted runs (quotes and escapes are kept in the words), as
 * BuildKit's `parseWords` for ENV, LABEL and ARG.
 */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  const chars = [...rest];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        // Outside quotes the escape and the next character are both kept, even a quote.
        word += ch;
        pos++;
        ch = chars[pos] ?? '';
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    // Inside single quotes the escape is an ordinary character.
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos] ?? '';
    }
    word += ch;
  }
  return words;
}

/**
 * Parses a JSON array of strings (the exec form); undefined when the text is not a JSON array
 * (the caller falls back to the shell form).
 *
 * @throws LineParseError when it is a JSON array with something other than strings in it:
 *   BuildKit refuses that rather than reading it as a shell command.
 */
export function parseJsonArray(rest: string): string[] | undefined {
  const trimmed = goTrimLeft(rest);
  if (!trimmed.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) {
    throw new LineParseError('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value as string[];
}

function whitespaceDelimited(rest: string): string[] {
  return rest === '' ? [] : rest.split(asciiBlanks);
}

function maybeJson(rest: string): ParsedArgs {
  if (rest === '') return { args: [], json: false };
  const arr = parseJsonArray(rest);
  return arr ? { args: arr, json: true } : { args: [rest], json: false };
}

function maybeJsonToList(rest: string): ParsedArgs {
  const arr = parseJsonArray(rest);
  return arr ? { args: arr, json: true } : { args: whitespaceDelimited(rest), json: false };
}

/** What {@link parseArgs} returns for ENV and LABEL. */
export interface ParsedKeyValues extends ParsedArgs {
  /** True for the legacy `KEY value with spaces` form (one pair, no `=`). */
  legacy: boolean;
}

/** ENV/LABEL: `k=v k2=v2` or the legacy `k v with spaces`; args alternate key and value. */
function nameVal(rest: string, keyword: string, escape: string): ParsedKeyValues {
  const words = parseWords(rest, escape);
  if (words.length === 0) return { args: [], json: false, legacy: false };
  const [first = ''] = words;
  if (!first.includes('=')) {
    const blank = asciiBlanks.exec(rest);
    if (!blank) throw new LineParseError(`${keyword} must have two arguments`);
    return { args: [rest.slice(0, blank.index), rest.slice(blank.index + blank[0].length)], json: false, legacy: true };
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new LineParseError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    args.push(word.slice(0, eq), word.slice(eq + 1));
  }
  return { args, json: false, legacy: false };
}

/** HEALTHCHECK: the type word, then the command in either form. */
function healthConfig(rest: string): ParsedArgs {
  const m = /^([^\t\n\v\f\r \u0085\u00a0]+)[\t\n\v\f\r \u0085\u00a0]*([\s\S]*)$/u.exec(rest);
  if (!m || rest === '') return { args: [], json: false };
  const cmd = maybeJson(m[2] ?? '');
  return { args: [m[1] ?? '', ...cmd.args], json: cmd.json };
}

/** Keywords BuildKit knows (anything else parses, with no arguments, and fails when built). */
export const KNOWN_KEYWORDS: readonly string[] = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

/**
 * Parses the argument text of a keyword (ONBUILD is handled by the caller). An unknown
 * keyword gets no arguments, as BuildKit's parser ignores them.
 *
 * @throws LineParseError with BuildKit's message.
 */
export function parseArgs(keyword: string, rest: string, escape: string): ParsedArgs | ParsedKeyValues {
  switch (keyword) {
    case 'ADD':
    case 'COPY':
    case 'VOLUME':
      return maybeJsonToList(rest);
    case 'CMD':
    case 'ENTRYPOINT':
    case 'RUN':
    case 'SHELL':
      return maybeJson(rest);
    case 'ENV':
    case 'LABEL':
      return nameVal(rest, keyword, escape);
    case 'ARG':
      return { args: parseWords(rest, escape), json: false };
    case 'EXPOSE':
    case 'FROM':
      return { args: whitespaceDelimited(rest), json: false };
    case 'HEALTHCHECK':
      return healthConfig(rest);
    case 'MAINTAINER':
    case 'STOPSIGNAL':
    case 'USER':
    case 'WORKDIR':
      return { args: rest === '' ? [] : [rest], json: false };
    default:
      return { args: [], json: false };
  }
}
