/**
 * The awk lexer. A `/` starts a regular expression only where an operand may begin (awk's
 * classic ambiguity), so the lexer remembers whether the previous token ended an operand.
 * Newlines are tokens (they end statements); a backslash before a newline joins lines.
 *
 * @module
 */
import { parseNumber } from './values.js';

/** Kinds of token. `funcname` is a name written right before `(` (a call). */
export type TokenKind = 'number' | 'string' | 'ere' | 'name' | 'funcname' | 'builtin' | 'keyword' | 'punct' | 'newline' | 'eof';

/** One token with its source line (1-based) for error messages. */
export interface AwkToken {
  /** What kind of token this is. */
  kind: TokenKind;
  /** The text: the decoded value for strings and regexes, the spelling otherwise. */
  text: string;
  /** The numeric value of a number token. */
  value?: number;
  /** Source line. */
  line: number;
}

/** A syntax error in the program text, reported as busybox does and ending awk with status 2. */
export class AwkSyntaxError extends Error {
  /** The source line it was found on. */
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
  override get name(): string {
    return 'AwkSyntaxError';
  }
}

const KEYWORDS = new Set([
  'BEGIN', 'END', 'function', 'func', 'if', 'else', 'while', 'for', 'do', 'break', 'continue', 'next', 'nextfile',
  'exit', 'return', 'delete', 'in', 'getline', 'print', 'printf',
]);

/** Built-in function names (called with or, for `length`, without parentheses). */
export const BUILTINS = new Set([
  'length', 'substr', 'index', 'split', 'sub', 'gsub', 'match', 'sprintf', 'tolower', 'toupper', 'int', 'sqrt',
  'exp', 'log', 'sin', 'cos', 'atan2', 'rand', 'srand', 'system', 'close', 'fflush',
]);

// Longest first, so `**=` wins over `**` and `*`.
const PUNCTS = [
  '**=', '&&', '||', '==', '!=', '<=', '>=', '!~', '++', '--', '+=', '-=', '*=', '/=', '%=', '^=', '**', '>>',
  '{', '}', '(', ')', '[', ']', ';', ',', '+', '-', '*', '/', '%', '^', '!', '>', '<', '|', '?', ':', '~', '$', '=',
];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '/': '/', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** Tokenises awk program text on demand. */
export class Lexer {
  readonly #src: string;
  #pos = 0;
  #line = 1;
  #operandEnded = false;

  constructor(src: string) {
    this.#src = src;
  }

  /** Whether the previous token could end an operand (decides `/` as division or a regex). */
  #setOperand(t: AwkToken): AwkToken {
    this.#operandEnded =
      t.kind === 'number' || t.kind === 'string' || t.kind === 'ere' || t.kind === 'name' || t.kind === 'builtin' ||
      (t.kind === 'punct' && [')', ']', '$', '++', '--'].includes(t.text));
    return t;
  }

  /** Reads the next token. */
  next(): AwkToken {
    return this.#setOperand(this.#scan());
  }

  #scan(): AwkToken {
    const s = this.#src;
    for (;;) {
      const c = s[this.#pos];
      if (c === ' ' || c === '\t' || c === '\r') this.#pos++;
      else if (c === '\\' && s[this.#pos + 1] === '\n') {
        this.#pos += 2;
        this.#line++;
      } else if (c === '\\' && s[this.#pos + 1] === '\r' && s[this.#pos + 2] === '\n') {
        this.#pos += 3;
        this.#line++;
      } else if (c === '#') {
        while (this.#pos < s.length && s[this.#pos] !== '\n') this.#pos++;
      } else break;
    }
    const line = this.#line;
    const c = s[this.#pos];
    if (c === undefined) return { kind: 'eof', text: '', line };
    if (c === '\n') {
      this.#pos++;
      this.#line++;
      return { kind: 'newline', text: '\n', line };
    }
    if (c === '"') return { kind: 'string', text: this.#string(), line };
    if (c === '/' && !this.#operandEnded) return { kind: 'ere', text: this.#regex(), line };
    const num = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/.exec(s.slice(this.#pos, this.#pos + 64));
    if (num) {
      this.#pos += num[0].length;
      return { kind: 'number', text: num[0], value: parseNumber(num[0]), line };
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.#pos, this.#pos + 256));
    if (word) {
      const w = word[0];
      this.#pos += w.length;
      if (KEYWORDS.has(w)) return { kind: 'keyword', text: w === 'func' ? 'function' : w, line };
      if (BUILTINS.has(w)) return { kind: 'builtin', text: w, line };
      return { kind: s[this.#pos] === '(' ? 'funcname' : 'name', text: w, line };
    }
    for (const p of PUNCTS) {
      if (s.startsWith(p, this.#pos)) {
        this.#pos += p.length;
        return { kind: 'punct', text: p, line };
      }
    }
    throw new AwkSyntaxError('Unexpected token', line);
  }

  #string(): string {
    const s = this.#src;
    let out = '';
    for (this.#pos++; ; this.#pos++) {
      const c = s[this.#pos];
      if (c === undefined || c === '\n') throw new AwkSyntaxError('Unexpected end of string', this.#line);
      if (c === '"') {
        this.#pos++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        continue;
      }
      const n = s[++this.#pos];
      if (n === undefined) throw new AwkSyntaxError('Unexpected end of string', this.#line);
      if (n === '\n') {
        this.#line++;
        continue;
      }
      const oct = /^[0-7]{1,3}/.exec(s.slice(this.#pos, this.#pos + 3));
      if (oct) {
        out += String.fromCharCode(parseInt(oct[0], 8));
        this.#pos += oct[0].length - 1;
      } else out += ESCAPES[n] ?? `\\${n}`;
    }
  }

  /** A regex literal: the text between slashes, with `\/` unescaped (other escapes kept for the ERE translator). */
  #regex(): string {
    const s = this.#src;
    let out = '';
    let inBracket = false;
    for (this.#pos++; ; this.#pos++) {
      const c = s[this.#pos];
      if (c === undefined || c === '\n') throw new AwkSyntaxError('Unexpected end of regex', this.#line);
      if (c === '/' && !inBracket) {
        this.#pos++;
        return out;
      }
      if (c === '\\' && s[this.#pos + 1] !== undefined) {
        const n = s[++this.#pos]!;
        // Character escapes become the characters (as busybox's lexer does); the rest, like
        // `\.`, stay for the regex compiler.
        const oct = /^[0-7]{1,3}/.exec(s.slice(this.#pos, this.#pos + 3));
        if (oct) {
          out += String.fromCharCode(parseInt(oct[0], 8));
          this.#pos += oct[0].length - 1;
        } else if ('ntrfva"/'.includes(n)) out += ESCAPES[n] ?? n;
        else out += `\\${n}`;
        continue;
      }
      if (c === '[' && !inBracket) {
        inBracket = true;
        out += c;
        // A `]` (or `^]`) right after the opening bracket is a literal member.
        if (s[this.#pos + 1] === '^') out += s[++this.#pos];
        if (s[this.#pos + 1] === ']') out += s[++this.#pos];
        continue;
      }
      if (c === '[' && inBracket && s[this.#pos + 1] === ':') {
        const end = s.indexOf(':]', this.#pos + 2);
        if (end > 0) {
          out += s.slice(this.#pos, end + 2);
          this.#pos = end + 1;
          continue;
        }
      }
      if (c === ']' && inBracket) inBracket = false;
      out += c;
    }
  }
}
