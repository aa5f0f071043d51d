/**
 * awk expressions by recursive descent, one method per precedence level (lowest first):
 * assignment, `?:`, `||`, `&&`, `in`, `~ !~`, comparisons, concatenation, `+ -`, `* / %`,
 * unary `! - +`, `^`/`**` (right-associative), `++`/`--`, `$`, primaries.
 *
 * @module
 */
import type { Expr, LValue } from './ast.js';
import { AwkSyntaxError, Lexer, type AwkToken } from './lexer.js';

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '^=', '**=']);
const REL_OPS = new Set(['<', '<=', '==', '!=', '>', '>=']);

/** Whether an expression can be assigned to. */
export function isLValue(e: Expr): e is LValue {
  return e.type === 'var' || e.type === 'index' || e.type === 'field';
}

/** Token access with lookahead, and the expression grammar; the statement parser extends it. */
export class ExprParser {
  readonly #lexer: Lexer;
  readonly #ahead: AwkToken[] = [];
  /** While parsing print's arguments outside parentheses, `>` is a redirection, not a comparison. */
  protected noGt = false;

  constructor(src: string) {
    this.#lexer = new Lexer(src);
  }

  /** The token `n` places ahead, without consuming it. */
  protected peek(n = 0): AwkToken {
    while (this.#ahead.length <= n) this.#ahead.push(this.#lexer.next());
    return this.#ahead[n]!;
  }

  /** Consumes a token. */
  protected take(): AwkToken {
    const t = this.peek();
    this.#ahead.shift();
    return t;
  }

  /** Whether the next token is the punctuation or keyword `text`. */
  protected at(text: string, n = 0): boolean {
    const t = this.peek(n);
    return (t.kind === 'punct' || t.kind === 'keyword') && t.text === text;
  }

  /** Consumes `text` if it is next. */
  protected accept(text: string): boolean {
    if (!this.at(text)) return false;
    this.take();
    return true;
  }

  /** Consumes `text` or fails. */
  protected expect(text: string): void {
    if (!this.accept(text)) this.fail();
  }

  /** Fails at the current token. */
  protected fail(message = 'Unexpected token'): never {
    const t = this.peek();
    throw new AwkSyntaxError(t.kind === 'eof' && message === 'Unexpected token' ? 'Unexpected end of input' : message, t.line);
  }

  /** Skips newline tokens (allowed after `,`, `{`, `&&`, `||`, `do`, `else` ...). */
  protected newlines(): void {
    while (this.peek().kind === 'newline') this.take();
  }

  /** A full expression (assignment level). */
  expr(): Expr {
    const left = this.#ternary();
    const t = this.peek();
    if (t.kind === 'punct' && ASSIGN_OPS.has(t.text) && isLValue(left)) {
      this.take();
      this.newlines();
      return { type: 'assign', op: t.text === '**=' ? '^=' : t.text, target: left, value: this.expr() };
    }
    return left;
  }

  #ternary(): Expr {
    const test = this.#or();
    if (!this.at('?')) return test;
    this.take();
    this.newlines();
    const then = this.expr();
    this.newlines();
    this.expect(':');
    this.newlines();
    return { type: 'cond', test, then, else: this.expr() };
  }

  #or(): Expr {
    let left = this.#and();
    while (this.accept('||')) {
      this.newlines();
      left = { type: 'or', left, right: this.#and() };
    }
    return left;
  }

  #and(): Expr {
    let left = this.#in();
    while (this.accept('&&')) {
      this.newlines();
      left = { type: 'and', left, right: this.#in() };
    }
    return left;
  }

  #in(): Expr {
    let left = this.#match();
    while (this.at('in')) {
      this.take();
      left = { type: 'in', subscripts: left.type === 'group' ? left.items : [left], name: this.#arrayName() };
    }
    return left;
  }

  #arrayName(): string {
    const t = this.take();
    if (t.kind !== 'name') throw new AwkSyntaxError('Unexpected token', t.line);
    return t.text;
  }

  #match(): Expr {
    let left = this.#compare();
    while (this.at('~') || this.at('!~')) {
      const negate = this.take().text === '!~';
      left = { type: 'match', negate, left, right: this.#compare() };
    }
    return left;
  }

  #compare(): Expr {
    const left = this.#concat();
    const t = this.peek();
    if (t.kind === 'punct' && REL_OPS.has(t.text) && !(this.noGt && t.text === '>')) {
      this.take();
      return { type: 'binary', op: t.text, left, right: this.#concat() };
    }
    return left;
  }

  /** Whether the next token can begin an operand of an implicit concatenation. */
  #startsConcat(): boolean {
    const t = this.peek();
    if (['number', 'string', 'ere', 'name', 'funcname', 'builtin'].includes(t.kind)) return true;
    // `-`, `+` and `!` are not taken: `a -1` is a subtraction, as awk's grammar decides.
    return t.kind === 'punct' && ['$', '(', '++', '--'].includes(t.text);
  }

  #concat(): Expr {
    let left = this.#additive();
    for (;;) {
      if (this.at('|') && this.at('getline', 1)) {
        this.take();
        this.take();
        left = { type: 'getline', command: left, ...this.#getlineTarget() };
        continue;
      }
      if (!this.#startsConcat()) return left;
      left = { type: 'concat', left, right: this.#additive() };
    }
  }

  #additive(): Expr {
    let left = this.#multiplicative();
    while (this.at('+') || this.at('-')) {
      const op = this.take().text;
      left = { type: 'binary', op, left, right: this.#multiplicative() };
    }
    return left;
  }

  #multiplicative(): Expr {
    let left = this.#unary();
    while (this.at('*') || this.at('/') || this.at('%')) {
      const op = this.take().text;
      left = { type: 'binary', op, left, right: this.#unary() };
    }
    return left;
  }

  #unary(): Expr {
    if (this.at('!') || this.at('-') || this.at('+')) {
      const op = this.take().text as '!' | '-' | '+';
      return { type: 'unary', op, operand: this.#unary() };
    }
    return this.#power();
  }

  #power(): Expr {
    const base = this.#incdec();
    if (this.at('^') || this.at('**')) {
      this.take();
      const exponent = this.at('-') || this.at('+') || this.at('!') ? this.#unary() : this.#power();
      return { type: 'binary', op: '^', left: base, right: exponent };
    }
    return base;
  }

  #incdec(): Expr {
    if (this.at('++') || this.at('--')) {
      const op = this.take().text as '++' | '--';
      const target = this.#incdec();
      if (!isLValue(target)) this.fail();
      return { type: 'incdec', op, prefix: true, target };
    }
    const e = this.#primary();
    if (isLValue(e) && (this.at('++') || this.at('--'))) {
      return { type: 'incdec', op: this.take().text as '++' | '--', prefix: false, target: e };
    }
    return e;
  }

  /** Comma-separated expressions up to (not including) `close`. */
  protected exprList(close: string): Expr[] {
    const items: Expr[] = [];
    this.newlines();
    if (this.at(close)) return items;
    for (;;) {
      items.push(this.expr());
      this.newlines();
      if (!this.accept(',')) return items;
      this.newlines();
    }
  }

  /** `[var] [< file]` after `getline`. */
  #getlineTarget(): { target?: LValue } {
    if (this.at('$') || this.peek().kind === 'name') {
      const target = this.#primary();
      if (isLValue(target)) return { target };
      this.fail();
    }
    return {};
  }

  #primary(): Expr {
    const t = this.take();
    switch (t.kind) {
      case 'number':
        return { type: 'num', value: t.value ?? 0 };
      case 'string':
        return { type: 'str', value: t.text };
      case 'ere':
        return { type: 'regex', source: t.text };
      case 'name':
        if (this.accept('[')) {
          const subscripts = this.exprList(']');
          this.expect(']');
          if (subscripts.length === 0) this.fail();
          return { type: 'index', name: t.text, subscripts };
        }
        return { type: 'var', name: t.text };
      case 'funcname': {
        this.expect('(');
        const args = this.exprList(')');
        this.expect(')');
        return { type: 'call', name: t.text, args, line: t.line };
      }
      case 'builtin': {
        if (!this.at('(')) {
          if (t.text === 'length') return { type: 'builtin', name: 'length', args: [], line: t.line };
          this.fail();
        }
        this.take();
        const args = this.exprList(')');
        this.expect(')');
        return { type: 'builtin', name: t.text, args, line: t.line };
      }
      case 'keyword':
        if (t.text === 'getline') {
          const target = this.#getlineTarget();
          if (this.accept('<')) return { type: 'getline', ...target, file: this.#incdec() };
          return { type: 'getline', ...target };
        }
        break;
      case 'punct':
        if (t.text === '$') {
          const index = this.at('++') || this.at('--') ? this.#incdec() : this.at('-') ? this.#unary() : this.#primary();
          return { type: 'field', index };
        }
        if (t.text === '(') {
          const saved = this.noGt;
          this.noGt = false;
          const items = this.exprList(')');
          this.noGt = saved;
          this.expect(')');
          if (items.length === 0) break;
          if (items.length === 1) return { type: 'group', items };
          if (!this.at('in') && !this.noGt) this.fail();
          return { type: 'group', items };
        }
        break;
      default:
        break;
    }
    throw new AwkSyntaxError(t.kind === 'eof' ? 'Unexpected end of input' : 'Unexpected token', t.line);
  }
}
