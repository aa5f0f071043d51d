/**
 * The awk statement and program grammar on top of {@link ExprParser}: rules (BEGIN, END,
 * expression and range patterns), functions, and the statements of actions.
 *
 * @module
 */
import type { AwkProgram, Expr, FunctionDef, Redirect, Rule, Stmt } from './ast.js';
import { ExprParser } from './parse-expr.js';

class Parser extends ExprParser {
  /** The whole program. */
  program(): AwkProgram {
    const rules: Rule[] = [];
    const functions = new Map<string, FunctionDef>();
    for (;;) {
      while (this.peek().kind === 'newline' || this.at(';')) this.take();
      if (this.peek().kind === 'eof') break;
      if (this.accept('function')) {
        const f = this.#function();
        if (functions.has(f.name)) this.fail(`Duplicate function '${f.name}'`);
        functions.set(f.name, f);
        continue;
      }
      rules.push(this.#rule());
    }
    return { rules, functions };
  }

  #function(): FunctionDef {
    const name = this.take();
    if (name.kind !== 'name' && name.kind !== 'funcname') this.fail();
    this.expect('(');
    const params: string[] = [];
    this.newlines();
    while (!this.at(')')) {
      const p = this.take();
      if (p.kind !== 'name') this.fail();
      params.push(p.text);
      this.newlines();
      if (!this.accept(',')) break;
      this.newlines();
    }
    this.expect(')');
    this.newlines();
    return { name: name.text, params, body: this.#block() };
  }

  #rule(): Rule {
    if (this.accept('BEGIN')) {
      this.newlines();
      return { pattern: { kind: 'begin' }, action: this.#block() };
    }
    if (this.accept('END')) {
      this.newlines();
      return { pattern: { kind: 'end' }, action: this.#block() };
    }
    if (this.at('{')) return { pattern: { kind: 'always' }, action: this.#block() };
    const from = this.expr();
    let pattern: Rule['pattern'] = { kind: 'expr', expr: from };
    if (this.accept(',')) {
      this.newlines();
      pattern = { kind: 'range', from, to: this.expr() };
    }
    if (this.at('{')) return { pattern, action: this.#block() };
    if (this.peek().kind !== 'newline' && this.peek().kind !== 'eof' && !this.at(';')) this.fail();
    return { pattern };
  }

  /** `{ statements }`. */
  #block(): Stmt[] {
    this.expect('{');
    const body: Stmt[] = [];
    for (;;) {
      while (this.peek().kind === 'newline' || this.at(';')) this.take();
      if (this.accept('}')) return body;
      if (this.peek().kind === 'eof') this.fail();
      body.push(this.#statement());
    }
  }

  /** Ends a simple statement: `;`, a newline, or (without consuming it) `}`. */
  #end(): void {
    if (this.accept(';') || this.peek().kind === 'newline') {
      if (this.peek().kind === 'newline') this.take();
      return;
    }
    if (this.at('}') || this.peek().kind === 'eof') return;
    this.fail();
  }

  /** A statement used as the body of if/while/for: newlines may come first. */
  #body(): Stmt {
    this.newlines();
    if (this.accept(';')) return { type: 'block', body: [] };
    return this.#statement();
  }

  #statement(): Stmt {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '{') return { type: 'block', body: this.#block() };
    if (t.kind !== 'keyword' || t.text === 'getline') {
      const expr = this.expr();
      this.#end();
      return { type: 'expr', expr };
    }
    this.take();
    switch (t.text) {
      case 'if': {
        this.expect('(');
        const test = this.expr();
        this.expect(')');
        const then = this.#body();
        // `else` may follow after newlines or one `;` that ended the then-branch.
        let n = 0;
        while (this.peek(n).kind === 'newline' || (this.peek(n).kind === 'punct' && this.peek(n).text === ';')) n++;
        if (!this.at('else', n)) return { type: 'if', test, then };
        for (let i = 0; i <= n; i++) this.take();
        return { type: 'if', test, then, else: this.#body() };
      }
      case 'while': {
        this.expect('(');
        const test = this.expr();
        this.expect(')');
        if (this.accept(';')) return { type: 'while', test, body: { type: 'block', body: [] } };
        return { type: 'while', test, body: this.#body() };
      }
      case 'do': {
        const body = this.#body();
        while (this.peek().kind === 'newline' || this.at(';')) this.take();
        this.expect('while');
        this.expect('(');
        const test = this.expr();
        this.expect(')');
        this.#end();
        return { type: 'do', body, test };
      }
      case 'for':
        return this.#for();
      case 'break':
      case 'continue':
      case 'next':
      case 'nextfile':
        this.#end();
        return { type: t.text };
      case 'exit':
      case 'return': {
        const value = this.#atEnd() ? undefined : this.expr();
        this.#end();
        if (t.text === 'exit') return value ? { type: 'exit', code: value } : { type: 'exit' };
        return value ? { type: 'return', value } : { type: 'return' };
      }
      case 'delete': {
        const name = this.take();
        if (name.kind !== 'name') this.fail();
        let subscripts: Expr[] | undefined;
        if (this.accept('[')) {
          subscripts = this.exprList(']');
          this.expect(']');
        }
        this.#end();
        return subscripts ? { type: 'delete', name: name.text, subscripts } : { type: 'delete', name: name.text };
      }
      case 'print':
      case 'printf':
        return this.#print(t.text, t.line);
      default:
        this.fail();
    }
  }

  #atEnd(): boolean {
    const k = this.peek().kind;
    return k === 'newline' || k === 'eof' || this.at(';') || this.at('}');
  }

  #for(): Stmt {
    this.expect('(');
    if (this.peek().kind === 'name' && this.at('in', 1) && this.peek(2).kind === 'name' && this.at(')', 3)) {
      const variable = { type: 'var' as const, name: this.take().text };
      this.take();
      const array = this.take().text;
      this.take();
      return { type: 'forin', variable, array, body: this.#body() };
    }
    const init = this.at(';') ? undefined : this.expr();
    this.expect(';');
    this.newlines();
    const test = this.at(';') ? undefined : this.expr();
    this.expect(';');
    this.newlines();
    const update = this.at(')') ? undefined : this.expr();
    this.expect(')');
    const body = this.accept(';') ? ({ type: 'block', body: [] } as Stmt) : this.#body();
    return { type: 'for', ...(init && { init }), ...(test && { test }), ...(update && { update }), body };
  }

  #print(kind: 'print' | 'printf', line: number): Stmt {
    let args: Expr[] = [];
    if (!this.#atEnd() && !this.at('>') && !this.at('>>') && !this.at('|')) {
      this.noGt = true;
      try {
        args = [this.expr()];
        while (this.accept(',')) {
          this.newlines();
          args.push(this.expr());
        }
      } finally {
        this.noGt = false;
      }
    }
    // `print (a, b)` is a parenthesised argument list, not a grouping.
    if (args.length === 1 && args[0]!.type === 'group') args = args[0]!.items;
    let redirect: Redirect | undefined;
    if (this.at('>') || this.at('>>') || this.at('|')) {
      const mode = this.take().text as Redirect['mode'];
      this.noGt = true;
      try {
        redirect = { mode, target: this.expr() };
      } finally {
        this.noGt = false;
      }
    }
    this.#end();
    if (kind === 'printf') {
      if (args.length === 0) this.fail();
      return redirect ? { type: 'printf', args, redirect, line } : { type: 'printf', args, line };
    }
    return redirect ? { type: 'print', args, redirect } : { type: 'print', args };
  }
}

/**
 * Parses awk program text.
 *
 * @throws AwkSyntaxError with busybox's message and the source line
 */
export function parseAwk(src: string): AwkProgram {
  return new Parser(src).program();
}
