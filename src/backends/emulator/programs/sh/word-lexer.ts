/**
 * The inside of a shell word: quotes, backslashes, `$NAME`, `${...}`, `$(...)`, backquotes and
 * `$((...))`, read into the parts that expansion works on. The {@link Lexer} calls in here for
 * every word; expansion calls in for text that is re-read as a word (`${v:-$x}` defaults).
 *
 * @module
 */
import type { ParamOp, Word, WordPart } from './ast.js';
import { ShSyntaxError } from './syntax-error.js';

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '$', '!', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/** The unquoted literal text of a word, or undefined when any part is quoted or expands. */
export function plainText(word: Word): string | undefined {
  let text = '';
  for (const part of word.parts) {
    if (part.kind !== 'lit' || part.quoted) return undefined;
    text += part.text;
  }
  return text;
}

/** Something with a movable cursor over `src` (the lexer, or a plain cursor for nested words). */
export interface Cursor {
  pos: number;
}

/**
 * Reads word parts from `cursor.pos` up to an unquoted metacharacter (or, with `inBraces`,
 * up to the unmatched `}` that ends `${...}`).
 */
export function readWordParts(src: string, cursor: Cursor, inBraces: boolean, dquoted = false, stopAtSlash = false): WordPart[] {
  const parts: WordPart[] = [];
  const lit = (text: string, quoted: boolean): void => {
    const last = parts[parts.length - 1];
    if (last && last.kind === 'lit' && last.quoted === quoted) last.text += text;
    else parts.push({ kind: 'lit', text, quoted });
  };
  const wordStart = cursor.pos;
  while (cursor.pos < src.length) {
    const c = src[cursor.pos]!;
    if (inBraces ? c === '}' || (stopAtSlash && c === '/') : !dquoted && META.has(c)) break;
    if (c === '\\') {
      const n = src[cursor.pos + 1];
      cursor.pos += 2;
      if (n === undefined) {
        lit('\\', dquoted);
        break;
      }
      if (n === '\n') continue;
      if (dquoted && !'$`"\\}'.includes(n)) lit(`\\${n}`, true);
      else lit(n, true);
    } else if (c === "'" && !dquoted) {
      const end = src.indexOf("'", cursor.pos + 1);
      if (end < 0) throw new ShSyntaxError('syntax error: unterminated quoted string', true);
      lit(src.slice(cursor.pos + 1, end), true);
      if (end === cursor.pos + 1) lit('', true);
      cursor.pos = end + 1;
    } else if (c === '"' && !dquoted) {
      cursor.pos++;
      let closed = false;
      const before = parts.length;
      while (cursor.pos < src.length) {
        const d = src[cursor.pos]!;
        if (d === '"') {
          cursor.pos++;
          closed = true;
          break;
        }
        if (d === '\\') {
          const n = src[cursor.pos + 1];
          cursor.pos += 2;
          if (n === undefined) break;
          if (n === '\n') continue;
          lit('$`"\\'.includes(n) ? n : `\\${n}`, true);
        } else if (d === '$') parts.push(readDollar(src, cursor, true) ?? { kind: 'lit', text: '$', quoted: true });
        else if (d === '`') parts.push(readBacktick(src, cursor, true));
        else {
          lit(d, true);
          cursor.pos++;
        }
      }
      if (!closed) throw new ShSyntaxError('syntax error: unterminated quoted string', true);
      if (parts.length === before) lit('', true);
    } else if (c === '$') {
      const part = readDollar(src, cursor, dquoted);
      if (part) parts.push(part);
      else lit('$', dquoted);
    } else if (c === '`') {
      parts.push(readBacktick(src, cursor, dquoted));
    } else if (c === '~' && cursor.pos === wordStart && !dquoted && !inBraces) {
      const m = /^~([A-Za-z0-9_.-]*)(?=\/|$|[\s;&|<>()])/.exec(src.slice(cursor.pos));
      if (m) {
        parts.push({ kind: 'tilde', user: m[1]! });
        cursor.pos += m[0].length;
      } else {
        lit('~', false);
        cursor.pos++;
      }
    } else {
      lit(c, dquoted);
      cursor.pos++;
    }
  }
  return parts;
}

function readBacktick(src: string, cursor: Cursor, quoted: boolean): WordPart {
  let i = cursor.pos + 1;
  let out = '';
  while (i < src.length && src[i] !== '`') {
    if (src[i] === '\\' && i + 1 < src.length && '$`\\'.includes(src[i + 1]!)) {
      out += src[i + 1];
      i += 2;
    } else out += src[i++];
  }
  if (i >= src.length) throw new ShSyntaxError('syntax error: EOF in backquote substitution', true);
  cursor.pos = i + 1;
  return { kind: 'cmdsub', source: out, quoted, backquote: true };
}

/** Finds the index of the `)` that closes a `$(` whose body starts at `from`. */
function scanParen(src: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) break;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      if (--depth === 0) return i;
      i++;
    } else i++;
  }
  throw new ShSyntaxError('syntax error: unexpected end of file (expecting ")")', true);
}

function readDollar(src: string, cursor: Cursor, quoted: boolean): WordPart | undefined {
  const at = cursor.pos;
  const n = src[at + 1];
  if (n === '(' && src[at + 2] === '(') {
    // $(( ... )): the closing pair is the first `))` at depth zero.
    let depth = 0;
    for (let i = at + 3; i < src.length; i++) {
      if (src[i] === '(') depth++;
      else if (src[i] === ')') {
        if (depth === 0 && src[i + 1] === ')') {
          cursor.pos = i + 2;
          return { kind: 'arith', source: src.slice(at + 3, i), quoted };
        }
        depth--;
      }
    }
    throw new ShSyntaxError("syntax error: missing '))'", true);
  }
  if (n === '(') {
    const end = scanParen(src, at + 2);
    cursor.pos = end + 1;
    return { kind: 'cmdsub', source: src.slice(at + 2, end), quoted };
  }
  if (n === '{') return readBraced(src, cursor, quoted);
  if (n !== undefined && SPECIAL_PARAMS.has(n)) {
    cursor.pos = at + 2;
    return { kind: 'param', name: n, quoted };
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(at + 1, at + 256));
  if (!m) {
    cursor.pos = at + 1;
    return undefined;
  }
  cursor.pos = at + 1 + m[0].length;
  return { kind: 'param', name: m[0], quoted };
}

/** An unclosed `${`: inside double quotes ash finds the open quote first. */
function missingBrace(quoted: boolean): ShSyntaxError {
  return new ShSyntaxError(quoted ? 'syntax error: unterminated quoted string' : "syntax error: missing '}'", true);
}

/**
 * A `${` whose inside makes no sense: with a closing `}` it becomes a part that fails when
 * expanded (ash runs the commands before it); without one the text is incomplete.
 */
function badSubstitution(src: string, cursor: Cursor, from: number, quoted: boolean): WordPart {
  const close = src.indexOf('}', from);
  if (close < 0) throw missingBrace(quoted);
  cursor.pos = close + 1;
  return { kind: 'badsub' };
}

function readBraced(src: string, cursor: Cursor, quoted: boolean): WordPart {
  let i = cursor.pos + 2;
  let length = false;
  if (src[i] === '#' && src[i + 1] !== '}' && /[A-Za-z_0-9@*#?$!]/.test(src[i + 1] ?? '')) {
    length = true;
    i++;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-])/.exec(src.slice(i, i + 256));
  if (!m) return badSubstitution(src, cursor, i, quoted);
  const name = m[1]!;
  i += name.length;
  if (length) {
    if (src[i] !== '}') return badSubstitution(src, cursor, i, quoted);
    cursor.pos = i + 1;
    return { kind: 'param', name, op: 'length', quoted };
  }
  if (src[i] === '}') {
    cursor.pos = i + 1;
    return { kind: 'param', name, quoted };
  }
  const opMatch = /^(:-|:=|:\+|:\?|##|%%|\/\/|-|=|\+|\?|#|%|\/)/.exec(src.slice(i, i + 2));
  if (!opMatch) return badSubstitution(src, cursor, i, quoted);
  const op = opMatch[1] as ParamOp;
  const inner: Cursor = { pos: i + op.length };
  // A trimming pattern is a pattern even inside double quotes: "${f##*/}" strips a path.
  const replaces = op === '/' || op === '//';
  const trims = replaces || op === '#' || op === '##' || op === '%' || op === '%%';
  const word = readWordParts(src, inner, true, quoted && !trims, replaces);
  if (replaces) {
    let replacement: WordPart[] = [];
    if (src[inner.pos] === '/') {
      inner.pos++;
      replacement = readWordParts(src, inner, true, quoted);
    }
    if (src[inner.pos] !== '}') throw missingBrace(quoted);
    cursor.pos = inner.pos + 1;
    return { kind: 'param', name, op, word, replacement, quoted };
  }
  if (src[inner.pos] !== '}') throw missingBrace(quoted);
  cursor.pos = inner.pos + 1;
  return { kind: 'param', name, op, word, quoted };
}
