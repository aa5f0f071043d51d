/**
 * Dockerfile variable expansion and quote removal, after BuildKit's shell lexer
 * (`frontend/dockerfile/shell/lex.go`): `$v`, `${v}`, `${v:-w}`, `${v-w}`, `${v:+w}`,
 * `${v+w}`, `${v:?msg}`, `${v?msg}`, single and double quotes, and the escape character.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { isGoSpace } from './go-text.js';
import { shellPatternRegex, trimPrefix, trimSuffix } from './shell-pattern.js';

/** Options of {@link expandWord} and {@link expandWords}. */
export interface ExpandOptions {
  /** Escape character (`\` by default, or a backtick after `# escape=\``). */
  escape?: '\\' | '`';
  /** Leave references to unset variables as written (`$x`, `${x:-y}`) instead of expanding them. */
  skipUnset?: boolean;
  /** Keep quote characters in the output (quotes still group and protect). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (BuildKit's `SkipProcessQuotes`, for `RUN --mount` values). */
  skipQuotes?: boolean;
}

/** Variables for expansion: a record or a lookup function (undefined = unset). */
export type ExpandVars = Readonly<Record<string, string>> | ((name: string) => string | undefined);

const EOF = '';

class ShellWord {
  readonly #chars: string[];
  #pos = 0;
  readonly #lookup: (name: string) => string | undefined;
  readonly #escape: string;
  readonly #opts: ExpandOptions;
  readonly #word: string;
  /** Words for {@link expandWords}: `current` is undefined between words. */
  readonly words: string[] = [];
  #current: string | undefined;

  constructor(word: string, vars: ExpandVars, opts: ExpandOptions) {
    this.#word = word;
    this.#chars = [...word];
    this.#lookup = typeof vars === 'function'
      ? vars
      : (name) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined);
    this.#escape = opts.escape ?? '\\';
    this.#opts = opts;
  }

  #peek(): string {
    return this.#chars[this.#pos] ?? EOF;
  }

  #next(): string {
    const ch = this.#chars[this.#pos] ?? EOF;
    if (ch !== EOF) this.#pos++;
    return ch;
  }

  #fail(message: string): InvalidArgumentError {
    // The word is the whole text being expanded, for the caller to show with the message.
    return new InvalidArgumentError(message, { details: { word: this.#word } });
  }

  // Word splitting as BuildKit's: unquoted whitespace ends a non-empty word; quoted or escaped
  // text never does; an empty word (`""`) is never produced.
  #addChar(ch: string): void {
    if (isGoSpace(ch)) {
      if (this.#current !== undefined && this.#current !== '') {
        this.words.push(this.#current);
        this.#current = undefined;
      }
    } else {
      this.#addRaw(ch);
    }
  }

  #addRaw(s: string): void {
    this.#current = (this.#current ?? '') + s;
  }

  finishWords(): string[] {
    if (this.#current !== undefined && this.#current !== '') this.words.push(this.#current);
    this.#current = undefined;
    return this.words;
  }

  /**
   * Processes until `stop` (or the end when `stop` is EOF); returns the expanded text.
   * `rawEscapes` overrides the option for a pattern word (`${v#pat}` keeps its escapes).
   */
  processStopOn(stop: string, rawEscapes = this.#opts.rawEscapes === true): string {
    let result = '';
    while (this.#peek() !== EOF) {
      const ch = this.#peek();
      if (stop !== EOF && ch === stop) {
        this.#next();
        return result;
      }
      if (ch === '$') {
        const v = this.#processDollar();
        result += v;
        for (const c of v) this.#addChar(c);
      } else if (ch === '<' && this.#chars[this.#pos + 1] === '<') {
        // `<<` and the blanks after it stay with the word that follows, so `<< EOF` is one
        // word when heredocs are looked for.
        let v = this.#next() + this.#next();
        while (' \t\r'.includes(this.#peek()) && this.#peek() !== EOF) v += this.#next();
        result += v;
        this.#addRaw(v);
      } else if (ch === "'" && !this.#opts.skipQuotes) {
        const v = this.#processSingleQuote();
        result += v;
        this.#addRaw(v);
      } else if (ch === '"' && !this.#opts.skipQuotes) {
        const v = this.#processDoubleQuote();
        result += v;
        this.#addRaw(v);
      } else {
        let c = this.#next();
        if (c === this.#escape) {
          if (rawEscapes) {
            result += c;
            this.#addRaw(c);
          }
          // An escape escapes any next character, except at the very end where it vanishes.
          c = this.#next();
          if (c === EOF) break;
          this.#addRaw(c);
        } else {
          this.#addChar(c);
        }
        result += c;
      }
    }
    if (stop !== EOF) throw this.#fail(`unexpected end of statement while looking for matching ${stop}`);
    return result;
  }

  #processSingleQuote(): string {
    // Everything between single quotes is literal; a single quote cannot be escaped inside.
    let result = '';
    const open = this.#next();
    if (this.#opts.rawQuotes) result += open;
    for (;;) {
      const ch = this.#next();
      if (ch === EOF) throw this.#fail('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.#opts.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  #processDoubleQuote(): string {
    let result = '';
    const open = this.#next();
    if (this.#opts.rawQuotes) result += open;
    for (;;) {
      const peek = this.#peek();
      if (peek === EOF) throw this.#fail('unexpected end of statement while looking for matching double-quote');
      if (peek === '"') {
        const ch = this.#next();
        if (this.#opts.rawQuotes) result += ch;
        return result;
      }
      if (peek === '$') {
        result += this.#processDollar();
        continue;
      }
      let ch = this.#next();
      if (ch === this.#escape) {
        if (this.#opts.rawEscapes) result += ch;
        const after = this.#peek();
        if (after === EOF) continue;
        // Inside double quotes only `"`, `$` and the escape itself can be escaped.
        if (after === '"' || after === '$' || after === this.#escape) ch = this.#next();
      }
      result += ch;
    }
  }

  #processName(): string {
    let name = '';
    for (;;) {
      const ch = this.#peek();
      if (ch === EOF) return name;
      if (name === '' && /\p{Nd}/u.test(ch)) {
        // Positional parameters ($1, $10) are read as a run of digits.
        while (/\p{Nd}/u.test(this.#peek())) name += this.#next();
        return name;
      }
      if (name === '' && '*#@?-$!0'.includes(ch)) return this.#next();
      if (!/[\p{L}\p{Nd}_]/u.test(ch)) return name;
      name += this.#next();
    }
  }

  #processDollar(): string {
    this.#next();
    if (this.#peek() !== '{') {
      const name = this.#processName();
      if (name === '') return '$';
      const value = this.#lookup(name);
      if (value === undefined && this.#opts.skipUnset) return `$${name}`;
      return value ?? '';
    }
    this.#next();
    const first = this.#peek();
    if (first === EOF) throw this.#fail("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw this.#fail('syntax error: bad substitution');
    const name = this.#processName();
    let ch = this.#next();
    const value = this.#lookup(name);
    const set = value !== undefined;
    if (ch === '}') {
      if (!set && this.#opts.skipUnset) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === '/') return this.#replace(name, value);
    let modifier = ch;
    const nullIsUnset = ch === ':';
    if (nullIsUnset) {
      ch = this.#next();
      modifier += ch;
    } else if (!'+-?#%'.includes(ch) || ch === EOF) {
      if (ch === EOF) throw this.#fail("syntax error: missing '}'");
      throw this.#fail(`unsupported modifier (${modifier}) in substitution`);
    }
    const pattern = ch === '#' || ch === '%';
    if (nullIsUnset && pattern) throw this.#fail(`unsupported modifier (${modifier}) in substitution`);
    let word = this.#stopOnBrace('}', pattern);
    if (!set && this.#opts.skipUnset) return `\${${name}${modifier}${word}}`;
    const unset = !set || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unset ? word : value ?? '';
      case '+':
        return unset ? '' : word;
      case '?':
        if (!set) throw this.#fail(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw this.#fail(`${name}: ${word || 'is not allowed to be empty'}`);
        return value ?? '';
      case '#':
      case '%': {
        // `#`/`%` remove the shortest matching prefix/suffix, `##`/`%%` the longest.
        const greedy = word.startsWith(ch);
        if (greedy) word = word.slice(1);
        return ch === '%' ? trimSuffix(word, value ?? '', greedy, this.#fail.bind(this)) : trimPrefix(word, value ?? '', greedy, this.#fail.bind(this));
      }
      default:
        throw this.#fail(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** `${v/pattern/replacement}` and `${v//pattern/replacement}`. */
  #replace(name: string, value: string | undefined): string {
    const all = this.#peek() === '/';
    if (all) this.#next();
    const patternWord = this.#stopOnBrace('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.#stopOnBrace('}', true);
    if (value === undefined && this.#opts.skipUnset) return `\${${name}/${patternWord}/${replacement}}`;
    const re = shellPatternRegex(patternWord, true, false, this.#fail.bind(this), all ? 'g' : '');
    return (value ?? '').replace(re, () => replacement);
  }

  #stopOnBrace(stop = '}', rawEscapes = false, missing = "syntax error: missing '}'"): string {
    // The word of `${v:-word}` is a nested word: quotes and `$` work inside it. Its own words
    // must not leak into the outer word list, so save and restore the splitting state.
    const saved = this.#current;
    const savedLen = this.words.length;
    try {
      return this.processStopOn(stop, rawEscapes);
    } catch (e) {
      if (this.#peek() === EOF) throw this.#fail(missing);
      throw e;
    } finally {
      this.words.length = savedLen;
      this.#current = saved;
    }
  }
}

/**
 * Expands variables in one Dockerfile word and removes its quotes and escapes, as BuildKit's
 * `ProcessWord` does for ENV, LABEL, COPY, WORKDIR... arguments.
 *
 * @param word - The raw word (`"${HOME:-/root}/x"`).
 * @param vars - Variables in scope (build args and ENV so far).
 * @throws InvalidArgumentError with BuildKit's text: `syntax error: missing '}'`,
 *   `syntax error: bad substitution`, `unsupported modifier (x) in substitution`,
 *   `unexpected end of statement while looking for matching double-quote`, `v: is not allowed to be unset`.
 * @example
 * ```ts
 * expandWord('${A:-none}/"$B"', { B: 'b c' }); // 'none/b c'
 * ```
 */
export function expandWord(word: string, vars: ExpandVars, options: ExpandOptions = {}): string {
  return new ShellWord(word, vars, options).processStopOn(EOF);
}

/**
 * Expands a string and splits it into words on unquoted whitespace, as BuildKit's
 * `ProcessWords` (used for heredoc detection and shell-form word lists). Text produced by an
 * unquoted expansion is split too; quoted text never is.
 */
export function expandWords(text: string, vars: ExpandVars, options: ExpandOptions = {}): string[] {
  const sw = new ShellWord(text, vars, options);
  sw.processStopOn(EOF);
  return sw.finishWords();
}
