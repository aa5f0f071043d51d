/**
 * Per-instruction argument parsing, after BuildKit's `frontend/dockerfile/parser/line_parsers.go`.
 * Each function turns the text after a keyword (flags already removed) into `args`.
 *
 * @module
 */

/** Arguments of one instruction, before validation. */
export interface ParsedArgs {
  /** See `Instruction.args` in types.ts. */
  args: string[];
  /** True for the JSON (exec) form. */
  json: boolean;
}

/** A failure of an argument parser; the caller adds the line and column. */
export class LineParseError extends Error {}

const isSpace = (ch: string): boolean => /\s/u.test(ch);

/**
 * Splits leading `--flag=value` words off a line; quotes inside a flag are removed and `\`
 * escapes one character, as BuildKit's `extractBuilderFlags`. A bare `--` ends the flags.
 */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
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
      if (ch === '\\') {
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
    if (ch === '\\') {
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

/** Parses a JSON array of strings (the exec form); undefined when the text is not one. */
export function parseJsonArray(rest: string): string[] | undefined {
  const trimmed = rest.trimStart();
  if (!trimmed.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
  return value as string[];
}

function whitespaceDelimited(rest: string): string[] {
  return rest.split(/[\t\v\f\r ]+/).filter((w) => w !== '');
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

/** ENV/LABEL: `k=v k2=v2` or the legacy `k v with spaces`; args alternate key and value. */
function nameVal(rest: string, keyword: string, escape: string): ParsedArgs {
  const words = parseWords(rest, escape);
  if (words.length === 0) return { args: [], json: false };
  const [first = ''] = words;
  if (!first.includes('=')) {
    const m = /^(\S+)\s+([\s\S]+)$/u.exec(rest);
    if (!m) throw new LineParseError(`${keyword} must have two arguments`);
    return { args: [m[1] ?? '', m[2] ?? ''], json: false };
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new LineParseError(`Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
    }
    args.push(word.slice(0, eq), word.slice(eq + 1));
  }
  return { args, json: false };
}

function healthConfig(rest: string): ParsedArgs {
  const m = /^(\S+)\s*([\s\S]*)$/u.exec(rest);
  if (!m) return { args: [], json: false };
  const cmd = maybeJson(m[2] ?? '');
  return { args: [m[1] ?? '', ...cmd.args], json: cmd.json };
}

/** Keywords BuildKit knows, with the argument parser each uses. */
export const KNOWN_KEYWORDS: readonly string[] = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

/**
 * Parses the argument text of a known keyword (ONBUILD is handled by the caller).
 *
 * @throws LineParseError with BuildKit's message.
 */
export function parseArgs(keyword: string, rest: string, escape: string): ParsedArgs {
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
    default:
      // MAINTAINER, STOPSIGNAL, USER, WORKDIR take the rest as one string.
      return { args: rest === '' ? [] : [rest], json: false };
  }
}
