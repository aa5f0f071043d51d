/**
 * The shell's tokenizer: words (with their quoting kept as parts), operators, newlines.
 *
 * Shell tokens depend on context only in a few places, and those are handled here so the
 * parser can stay a plain recursive descent: here-document bodies are read when the line that
 * holds their `<<` ends, `2>` is one operator carrying its fd, and `$(...)`, backticks and
 * `$((...))` are kept as source text that the evaluator parses when it runs them.
 *
 * @module
 */
import type { HeredocBody, Word } from './ast.js';
import { ShSyntaxError } from './syntax-error.js';
import { readWordParts } from './word-lexer.js';

export { ShSyntaxError } from './syntax-error.js';

/** A token, with the source line it starts on (error messages and `$LINENO`-style reports). */
export type Token = (
  | { type: 'word'; word: Word; heredoc?: HeredocBody }
  | { type: 'op'; op: string; fd?: number }
  | { type: 'newline' }
  | { type: 'eof' }
) & { line: number };

/** A token before its line is attached. */
type BareToken = Token extends infer T ? (T extends Token ? Omit<T, 'line'> : never) : never;

const OPERATORS = ['<<-', '&&', '||', ';;', '<<', '>>', '>&', '<&', '<>', '>|', ';', '&', '|', '(', ')', '<', '>'];

interface PendingHeredoc {
  delimiter: string;
  strip: boolean;
  body: HeredocBody;
}

/** Turns shell source into tokens on demand. */
export class Lexer {
  #src: string;
  #pos = 0;
  #pending: PendingHeredoc[] = [];
  #heredocOp: '<<' | '<<-' | undefined;
  /** Line counting resumes from the last position asked about (tokens come in order). */
  #counted = { pos: 0, line: 1 };

  /** True when no more text can follow: the end then closes open here-documents, as in ash. */
  readonly #final: boolean;
  /**
   * True for the inside of `$(...)`: its end reads as the `)` that closed it, so errors are
   * worded as ash's (which parses it in place) are: `unexpected ")"`, not `end of file`.
   */
  #closeParen: boolean;

  /**
   * `firstLine` numbers the first line of `source` (ash counts from 0 under `-c`, from 1 in
   * files); `final` says the text is all there is (not the start of a stream still arriving);
   * `closeParen` reads it as the inside of `$(...)`.
   */
  constructor(source: string, firstLine = 1, final = false, closeParen = false) {
    this.#src = source;
    this.#counted.line = firstLine;
    this.#final = final;
    this.#closeParen = closeParen;
  }

  /** The line that offset `pos` is on. */
  lineAt(pos: number): number {
    let { pos: from, line } = this.#counted;
    if (pos < from) {
      line -= countNewlines(this.#src, pos, from);
    } else line += countNewlines(this.#src, from, pos);
    this.#counted = { pos, line };
    return line;
  }

  /** Reads the next token. */
  next(): Token {
    this.#skipBlanks();
    const line = this.lineAt(Math.min(this.#pos, this.#src.length));
    try {
      return { ...this.#scan(), line } as Token;
    } catch (e) {
      // Errors found inside a word (an open quote) are reported where the scan stopped.
      if (e instanceof ShSyntaxError && e.line === undefined) e.line = this.lineAt(Math.min(this.#pos, this.#src.length));
      throw e;
    }
  }

  #skipBlanks(): void {
    const src = this.#src;
    for (;;) {
      const c = src[this.#pos];
      if (c === ' ' || c === '\t') this.#pos++;
      else if (c === '\\' && src[this.#pos + 1] === '\n') this.#pos += 2;
      else if (c === '#') {
        while (this.#pos < src.length && src[this.#pos] !== '\n') this.#pos++;
      } else break;
    }
  }

  #scan(): BareToken {
    const src = this.#src;
    this.#skipBlanks();
    if (this.#pos >= src.length) {
      if (this.#pending.length > 0) {
        if (!this.#final) throw new ShSyntaxError('here-document without its delimiter', true);
        this.#readHeredocs();
      }
      if (this.#closeParen) {
        this.#closeParen = false;
        return { type: 'op', op: ')' };
      }
      return { type: 'eof' };
    }
    const c = src[this.#pos]!;
    if (c === '\n') {
      this.#pos++;
      this.#readHeredocs();
      return { type: 'newline' };
    }
    const fdMatch = /^(\d+)(?=[<>])/.exec(src.slice(this.#pos, this.#pos + 12));
    if (fdMatch) {
      this.#pos += fdMatch[1]!.length;
      const op = this.#readOperator()!;
      return { type: 'op', op, fd: Number(fdMatch[1]) };
    }
    const op = this.#readOperator();
    if (op) return { type: 'op', op };
    const start = this.#pos;
    const parts = readWordParts(src, this, false);
    const word: Word = { parts, raw: src.slice(start, this.#pos) };
    if (this.#heredocOp) {
      const quoted = parts.some((p) => p.kind !== 'lit' || p.quoted);
      const delimiter = parts.map((p) => (p.kind === 'lit' ? p.text : '')).join('');
      const body: HeredocBody = { text: '', expand: !quoted };
      this.#pending.push({ delimiter, strip: this.#heredocOp === '<<-', body });
      this.#heredocOp = undefined;
      return { type: 'word', word, heredoc: body };
    }
    return { type: 'word', word };
  }

  /** Current offset (for sub-scanners). */
  get pos(): number {
    return this.#pos;
  }

  set pos(value: number) {
    this.#pos = value;
  }

  #readOperator(): string | undefined {
    for (const op of OPERATORS) {
      if (this.#src.startsWith(op, this.#pos)) {
        this.#pos += op.length;
        if (op === '<<' || op === '<<-') this.#heredocOp = op;
        return op;
      }
    }
    return undefined;
  }

  #readHeredocs(): void {
    const src = this.#src;
    for (const doc of this.#pending) {
      const lines: string[] = [];
      let text: string | undefined;
      for (;;) {
        if (this.#pos >= src.length) {
          if (!this.#final) throw new ShSyntaxError(`here-document delimited by end-of-file (wanted '${doc.delimiter}')`, true);
          // The end of the text ends the body; a last line without its newline stays without.
          text = lines.map((l) => `${l}\n`).join('');
          if (!src.endsWith('\n') && text.endsWith('\n')) text = text.slice(0, -1);
          break;
        }
        const nl = src.indexOf('\n', this.#pos);
        let line = nl < 0 ? src.slice(this.#pos) : src.slice(this.#pos, nl);
        this.#pos = nl < 0 ? src.length : nl + 1;
        if (doc.strip) line = line.replace(/^\t+/, '');
        if (line === doc.delimiter) break;
        lines.push(line);
      }
      doc.body.text = text ?? lines.map((l) => `${l}\n`).join('');
    }
    this.#pending = [];
  }
}

function countNewlines(src: string, from: number, to: number): number {
  let n = 0;
  for (let i = src.indexOf('\n', from); i >= 0 && i < to; i = src.indexOf('\n', i + 1)) n++;
  return n;
}
