/**
 * Syntax errors of the shell, worded as busybox ash words them.
 *
 * @module
 */
import type { Token } from './lexer.js';
import { plainText } from './word-lexer.js';

/** The words ash names in its messages; any other word is just "word". */
const RESERVED = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}', 'if', 'while', 'until', 'for', 'case', 'in', '{', '!']);

/** A syntax error; `incomplete` is true when more input could complete it (an open quote, a missing `fi`). */
export class ShSyntaxError extends Error {
  /** True when the text ended too early rather than being wrong. */
  readonly incomplete: boolean;
  /** The source line the lexer had reached (ash reports that one, not the construct's first). */
  line: number | undefined;
  constructor(message: string, incomplete = false, line?: number) {
    super(message);
    this.incomplete = incomplete;
    this.line = line;
  }
  override get name(): string {
    return 'ShSyntaxError';
  }
}

/** ash's wording: `unexpected "fi"`, `unexpected end of file (expecting "fi")`, `unexpected word`. */
export function unexpected(t: Token, expecting?: string): ShSyntaxError {
  const tail = expecting !== undefined ? ` (expecting "${expecting}")` : '';
  return new ShSyntaxError(`syntax error: unexpected ${describe(t)}${tail}`, t.type === 'eof', t.line);
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of file';
    case 'newline':
      return 'newline';
    case 'op':
      return `"${t.op}"`;
    default: {
      // ash names reserved words; any other word is just "word".
      const text = plainText(t.word);
      return text !== undefined && RESERVED.has(text) ? `"${text}"` : 'word';
    }
  }
}
