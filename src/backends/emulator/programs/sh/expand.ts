/**
 * Word expansion in POSIX order: tilde, parameters, command substitution and arithmetic, then
 * field splitting of unquoted results, pathname expansion, and quote removal.
 *
 * @module
 */
import type { FileSystemApi } from '../../../../fs-union/fs-api.js';
import { ArithmeticError, evaluateArithmetic } from './arith.js';
import type { CommandSubstitution, Word, WordPart } from './ast.js';
import { readWordParts } from './word-lexer.js';
import { escapePattern, glob, hasGlobChars, patternSource, unescapePattern } from './pattern.js';

/** What expansion needs from the shell. */
export interface ExpandHost {
  /** The value of a variable or special parameter (`?`, `#`, `1`...); undefined when unset. */
  lookup(name: string): string | undefined;
  /** The positional parameters (`$@`). */
  positional(): string[];
  /** Assigns a variable (for `${X:=w}`). */
  assign(name: string, value: string): void;
  /** Runs a command substitution and returns its output (trailing newlines kept). */
  substitute(part: CommandSubstitution): Promise<string>;
  /** Fails the expansion (unset variable under `set -u`, `${X:?msg}`). */
  fail(message: string): never;
  /** True under `set -u`. */
  readonly nounset: boolean;
  /** The filesystem for pathname expansion. */
  readonly fs: FileSystemApi;
  /** The working directory for relative patterns. */
  readonly cwd: string;
}

interface Segment {
  text: string;
  quoted: boolean;
}

class Fields {
  fields: { segs: Segment[]; keep: boolean }[] = [];
  #cur: { segs: Segment[]; keep: boolean } = { segs: [], keep: false };

  add(text: string, quoted: boolean): void {
    this.#cur.segs.push({ text, quoted });
    if (quoted) this.#cur.keep = true;
  }

  split(text: string, ifs: string): void {
    if (ifs === '') {
      this.add(text, false);
      return;
    }
    const cls = `[${ifs.replace(/[\]\\^-]/g, '\\$&')}]`;
    const pieces = text.split(new RegExp(`${cls}+`));
    pieces.forEach((piece, i) => {
      if (i > 0) this.end();
      if (piece !== '') this.add(piece, false);
    });
  }

  end(): void {
    if (this.#cur.keep || this.#cur.segs.some((s) => s.text !== '')) this.fields.push(this.#cur);
    this.#cur = { segs: [], keep: false };
  }
}

function ifsOf(host: ExpandHost): string {
  return host.lookup('IFS') ?? ' \t\n';
}

async function expandParts(parts: WordPart[], host: ExpandHost, out: Fields): Promise<void> {
  for (const part of parts) {
    switch (part.kind) {
      case 'lit':
        out.add(part.text, part.quoted);
        break;
      case 'tilde': {
        const home = part.user === '' ? (host.lookup('HOME') ?? '/') : part.user === 'root' ? '/root' : `/home/${part.user}`;
        out.add(home, true);
        break;
      }
      case 'param': {
        if ((part.name === '@' || part.name === '*') && part.op === undefined) {
          const params = host.positional();
          if (part.quoted && part.name === '*') out.add(params.join(ifsOf(host).slice(0, 1)), true);
          else if (part.quoted) {
            params.forEach((p, i) => {
              if (i > 0) out.end();
              out.add(p, true);
            });
          } else {
            params.forEach((p, i) => {
              if (i > 0) out.end();
              out.split(p, ifsOf(host));
            });
          }
          break;
        }
        const value = await expandParam(part, host);
        if (part.quoted) out.add(value, true);
        else out.split(value, ifsOf(host));
        break;
      }
      case 'badsub':
        host.fail('syntax error: bad substitution');
        break;
      case 'cmdsub': {
        const text = (await host.substitute(part)).replace(/\n+$/, '');
        if (part.quoted) out.add(text, true);
        else out.split(text, ifsOf(host));
        break;
      }
      case 'arith': {
        const source = await expandString(part.source, host);
        let text: string;
        try {
          text = String(evaluateArithmetic(source, (n) => host.lookup(n), (n, v) => host.assign(n, v)));
        } catch (e) {
          // As in ash, a bad expression or a division by zero ends a non-interactive shell.
          if (e instanceof ArithmeticError) host.fail(e.message);
          throw e;
        }
        if (part.quoted) out.add(text, true);
        else out.split(text, ifsOf(host));
        break;
      }
    }
  }
}

async function expandParam(part: Extract<WordPart, { kind: 'param' }>, host: ExpandHost): Promise<string> {
  const value = part.name === '@' || part.name === '*' ? host.positional().join(' ') : host.lookup(part.name);
  const word = async (): Promise<string> => (part.word ? joinFields(part.word, host) : '');
  switch (part.op) {
    case undefined:
      if (value === undefined && host.nounset && part.name !== '@' && part.name !== '*') {
        host.fail(`${part.name}: parameter not set`);
      }
      return value ?? '';
    case 'length':
      if (value === undefined && host.nounset) host.fail(`${part.name}: parameter not set`);
      return String([...(value ?? '')].length);
    case ':-':
      return value === undefined || value === '' ? word() : value;
    case '-':
      return value === undefined ? word() : value;
    case ':=':
    case '=': {
      if (value === undefined || (part.op === ':=' && value === '')) {
        const w = await word();
        host.assign(part.name, w);
        return w;
      }
      return value;
    }
    case ':+':
      return value === undefined || value === '' ? '' : word();
    case '+':
      return value === undefined ? '' : word();
    case ':?':
    case '?':
      if (value === undefined || (part.op === ':?' && value === '')) {
        const w = await word();
        host.fail(`${part.name}: ${w !== '' ? w : part.op === '?' ? 'parameter not set' : 'parameter not set or null'}`);
      }
      return value!;
    case '/':
    case '//': {
      const pattern = part.word ? await expandPattern({ parts: part.word, raw: '' }, host) : '';
      const replacement = part.replacement ? await joinFields(part.replacement, host) : '';
      return replace(value ?? '', pattern, replacement, part.op === '//');
    }
    default: {
      const text = value ?? '';
      const pattern = part.word ? await expandPattern({ parts: part.word, raw: '' }, host) : '';
      return trim(text, pattern, part.op);
    }
  }
}

/** `${v/pat/rep}` and `${v//pat/rep}`: the longest match at the leftmost position, once or everywhere. */
function replace(text: string, pattern: string, replacement: string, all: boolean): string {
  if (pattern === '') return text;
  const re = new RegExp(patternSource(pattern), all ? 'g' : '');
  return text.replace(re, () => replacement);
}

function trim(text: string, pattern: string, op: '#' | '##' | '%' | '%%'): string {
  const re = new RegExp(`^${patternSource(pattern)}$`);
  if (op === '#' || op === '##') {
    const lengths = [...Array(text.length + 1).keys()];
    if (op === '##') lengths.reverse();
    for (const n of lengths) if (re.test(text.slice(0, n))) return text.slice(n);
  } else {
    const starts = [...Array(text.length + 1).keys()].reverse();
    if (op === '%%') starts.reverse();
    for (const n of starts) if (re.test(text.slice(n))) return text.slice(0, n);
  }
  return text;
}

async function joinFields(parts: WordPart[], host: ExpandHost): Promise<string> {
  const out = new Fields();
  await expandParts(parts, { ...hostProxy(host), lookup: (n) => (n === 'IFS' ? '' : host.lookup(n)) }, out);
  out.end();
  return out.fields.map((f) => f.segs.map((s) => s.text).join('')).join(' ');
}

// Spreading a class instance loses its prototype methods; bind them explicitly.
function hostProxy(host: ExpandHost): ExpandHost {
  return {
    lookup: (n) => host.lookup(n),
    positional: () => host.positional(),
    assign: (n, v) => host.assign(n, v),
    substitute: (p) => host.substitute(p),
    fail: (m) => host.fail(m),
    get nounset() {
      return host.nounset;
    },
    get fs() {
      return host.fs;
    },
    get cwd() {
      return host.cwd;
    },
  };
}

/**
 * Expands words into argument fields: splitting, globbing and quote removal included.
 *
 * @example
 * ```ts
 * await expandWords([word('"$@"'), word('*.txt')], host); // ['a b', 'c', 'x.txt', 'y.txt']
 * ```
 */
export async function expandWords(words: Word[], host: ExpandHost): Promise<string[]> {
  const result: string[] = [];
  for (const word of words) {
    const out = new Fields();
    await expandParts(word.parts, host, out);
    out.end();
    for (const field of out.fields) {
      const pattern = field.segs.map((s) => (s.quoted ? escapePattern(s.text) : s.text)).join('');
      const globbable = field.segs.some((s) => !s.quoted && hasGlobChars(s.text));
      if (globbable) {
        const matches = await glob(host.fs, host.cwd, pattern);
        if (matches.length > 0) {
          result.push(...matches);
          continue;
        }
      }
      result.push(field.segs.map((s) => s.text).join(''));
    }
  }
  return result;
}

/** Expands one word without splitting or globbing (assignments, redirection targets, `case`). */
export async function expandWord(word: Word, host: ExpandHost): Promise<string> {
  const out = new Fields();
  await expandParts(word.parts, { ...hostProxy(host), lookup: (n) => (n === 'IFS' ? '' : host.lookup(n)) }, out);
  out.end();
  return out.fields.map((f) => f.segs.map((s) => s.text).join('')).join(' ');
}

/** Expands a word into a pattern: quoted characters escaped, unquoted ones special. */
export async function expandPattern(word: Word, host: ExpandHost): Promise<string> {
  const out = new Fields();
  await expandParts(word.parts, { ...hostProxy(host), lookup: (n) => (n === 'IFS' ? '' : host.lookup(n)) }, out);
  out.end();
  return out.fields.map((f) => f.segs.map((s) => (s.quoted ? escapePattern(s.text) : s.text)).join('')).join(' ');
}

/** Expands `$...`, backticks and backslashes in text, as in double quotes or a here-document. */
export async function expandString(text: string, host: ExpandHost): Promise<string> {
  const parts = readWordParts(text, { pos: 0 }, false, true);
  return expandWord({ parts, raw: text }, host);
}

/** Removes a pattern's escapes, for a `case` word compared literally. */
export { unescapePattern };
