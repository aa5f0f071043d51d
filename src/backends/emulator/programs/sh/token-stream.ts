/**
 * The parser's view of the lexer: tokens with lookahead, and the small tests and expectations
 * that recursive descent repeats everywhere.
 *
 * @module
 */
import type { Word } from './ast.js';
import type { Lexer, Token } from './lexer.js';
import { unexpected } from './syntax-error.js';
import { plainText } from './word-lexer.js';

const LIST_ENDS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);

/** Tokens from a {@link Lexer} with lookahead. */
export class TokenStream {
  #lexer: Lexer;
  #buffer: Token[] = [];
  #onWord: (word: Word, line: number) => void;

  /** `onWord` sees every word once, as it is read (the parser reads its `$(...)` then). */
  constructor(lexer: Lexer, onWord: (word: Word, line: number) => void) {
    this.#lexer = lexer;
    this.#onWord = onWord;
  }

  /** The token `n` places ahead, read (and its word seen by `onWord`) when first needed. */
  peek(n = 0): Token {
    while (this.#buffer.length <= n) {
      const t = this.#lexer.next();
      if (t.type === 'word') this.#onWord(t.word, t.line);
      this.#buffer.push(t);
    }
    return this.#buffer[n]!;
  }

  /** Takes the next token. */
  take(): Token {
    const t = this.peek();
    this.#buffer.shift();
    return t;
  }

  /** True when the token `n` ahead is operator `op`. */
  isOp(op: string, n = 0): boolean {
    const t = this.peek(n);
    return t.type === 'op' && t.op === op;
  }

  /** True when the next token is the unquoted word `word` (a reserved word in command position). */
  isReserved(word: string): boolean {
    const t = this.peek();
    return t.type === 'word' && plainText(t.word) === word;
  }

  /** Takes reserved word `word`, else fails with ash's "expecting" message. */
  expectReserved(word: string): void {
    this.#expect(this.isReserved(word), word);
  }

  /** Takes operator `op`, else fails with ash's "expecting" message. */
  expectOp(op: string): void {
    this.#expect(this.isOp(op), op);
  }

  /** Takes the next token when `found`, else fails with ash's "expecting" message. */
  #expect(found: boolean, expected: string): void {
    if (!found) {
      const t = this.peek();
      throw unexpected(t, expected);
    }
    this.take();
  }

  /** Skips newline tokens. */
  skipNewlines(): void {
    while (this.peek().type === 'newline') this.take();
  }

  /** True at a token that ends a list (`)`, `;;`, `fi`, `done`...) or at the end. */
  atListEnd(): boolean {
    const t = this.peek();
    if (t.type === 'eof') return true;
    if (t.type === 'op') return t.op === ')' || t.op === ';;';
    if (t.type === 'word') {
      const text = plainText(t.word);
      return text !== undefined && LIST_ENDS.has(text);
    }
    return false;
  }
}
