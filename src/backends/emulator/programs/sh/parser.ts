/**
 * The shell's parser: tokens from {@link Lexer} to the tree in `ast.ts`.
 *
 * Recursive descent over the POSIX grammar's subset: lists, and-or lists, pipelines, simple
 * commands with assignments and redirections, subshells, brace groups, if/while/until/for/case
 * and function definitions. Reserved words are only recognised in command position, so
 * `echo done` is an ordinary command.
 *
 * @module
 */
import type { AndOr, Command, List, Pipeline, Redirect, SimpleCommand, Word, WordPart } from './ast.js';
import { Lexer } from './lexer.js';
import { ShSyntaxError, unexpected } from './syntax-error.js';
import { TokenStream } from './token-stream.js';
import { plainText } from './word-lexer.js';

export { plainText } from './word-lexer.js';

const REDIRECT_OPS = new Set(['<', '>', '>>', '>|', '<>', '>&', '<&', '<<', '<<-']);

/**
 * Parses a whole script.
 *
 * @example
 * ```ts
 * const list = parseScript('for i in 1 2; do echo $i; done | wc -l');
 * ```
 * `firstLine` numbers the first line of `source` for error messages; `final` says no more text
 * can follow (the end then closes an open here-document instead of leaving it incomplete).
 *
 * @throws ShSyntaxError (with `incomplete` set when more text could complete it)
 */
export function parseScript(source: string, firstLine = 1, final = false): List {
  return new Parser(source, firstLine, final).parseProgram();
}

/**
 * Parses `source` one complete command line at a time, as ash reads a script: each list is
 * yielded (and can be run) before the next line is parsed, so a syntax error further down
 * only stops the script when it is reached.
 *
 * @throws ShSyntaxError from the iterator, at the line that does not parse
 */
export function* parseLines(source: string, firstLine = 1): Generator<List> {
  yield* new Parser(source, firstLine, true).lines();
}

class Parser {
  #ts: TokenStream;

  constructor(source: string, firstLine: number, final: boolean, substitution = false) {
    this.#ts = new TokenStream(new Lexer(source, firstLine, final, substitution), (word, line) => this.#parseSubstitutions(word.parts, line));
  }

  /** The inside of `$(...)`: a list and the `)` that the lexer reports at its end. */
  #substitution(): List {
    const list = this.#list();
    this.#ts.expectOp(')');
    const t = this.#ts.peek();
    if (t.type !== 'eof') throw unexpected(t);
    return list;
  }

  /**
   * Parses each `$(...)` and backquoted command in `parts` now, as ash does: a syntax error
   * inside stops the script before the command runs, and the tree is kept for every run.
   */
  #parseSubstitutions(parts: WordPart[], line: number): void {
    for (const part of parts) {
      if (part.kind === 'cmdsub' && part.list === undefined) {
        // ash numbers a backquoted command's lines from one less than the line it stands on.
        part.line = part.backquote ? line - 1 : line;
        part.list = new Parser(part.source, part.line, true, true).#substitution();
      } else if (part.kind === 'param') {
        if (part.word) this.#parseSubstitutions(part.word, line);
        if (part.replacement) this.#parseSubstitutions(part.replacement, line);
      }
    }
  }

  parseProgram(): List {
    const list = this.#list();
    const t = this.#ts.peek();
    if (t.type !== 'eof') throw unexpected(t);
    return list;
  }

  *lines(): Generator<List> {
    for (;;) {
      this.#ts.skipNewlines();
      if (this.#ts.peek().type === 'eof') return;
      const list: List = { items: [] };
      while (this.#ts.peek().type !== 'newline' && this.#ts.peek().type !== 'eof') {
        if (this.#ts.atListEnd()) throw unexpected(this.#ts.peek());
        list.items.push(this.#item());
      }
      yield list;
    }
  }

  #list(): List {
    const list: List = { items: [] };
    for (;;) {
      this.#ts.skipNewlines();
      if (this.#ts.atListEnd()) break;
      list.items.push(this.#item());
    }
    return list;
  }

  /** One and-or list with the `;` or `&` after it. */
  #item(): List['items'][number] {
    const command = this.#andOr();
    let background = false;
    if (this.#ts.isOp('&')) {
      this.#ts.take();
      background = true;
    } else if (this.#ts.isOp(';')) this.#ts.take();
    else if (this.#ts.peek().type !== 'newline' && !this.#ts.atListEnd()) {
      throw unexpected(this.#ts.peek());
    }
    return { command, background };
  }

  /**
   * A list that must hold at least one command (`if` conditions, loop bodies); when the text
   * ends instead, ash names the word that would close it (`closer`).
   */
  #compoundList(closer: string): List {
    const list = this.#list();
    if (list.items.length === 0) {
      const t = this.#ts.peek();
      throw unexpected(t, t.type === 'eof' ? closer : undefined);
    }
    return list;
  }

  #andOr(): AndOr {
    const first = this.#pipeline();
    const rest: AndOr['rest'] = [];
    while (this.#ts.isOp('&&') || this.#ts.isOp('||')) {
      const op = (this.#ts.take() as { op: '&&' | '||' }).op;
      this.#ts.skipNewlines();
      rest.push({ op, pipeline: this.#pipeline() });
    }
    return { first, rest };
  }

  #pipeline(): Pipeline {
    let bang = false;
    if (this.#ts.isReserved('!')) {
      this.#ts.take();
      bang = true;
    }
    const commands = [this.#command()];
    while (this.#ts.isOp('|')) {
      this.#ts.take();
      this.#ts.skipNewlines();
      commands.push(this.#command());
    }
    return { bang, commands };
  }

  #command(): Command {
    const t = this.#ts.peek();
    if (t.type === 'op' && t.op === '(') {
      this.#ts.take();
      const body = this.#compoundList(')');
      this.#ts.expectOp(')');
      return { type: 'subshell', body, redirects: this.#redirects() };
    }
    if (t.type === 'word') {
      const text = plainText(t.word);
      switch (text) {
        case '{': {
          this.#ts.take();
          const body = this.#compoundList('}');
          this.#ts.expectReserved('}');
          return { type: 'group', body, redirects: this.#redirects() };
        }
        case 'if':
          return this.#if();
        case 'while':
        case 'until': {
          this.#ts.take();
          const cond = this.#compoundList('do');
          this.#ts.expectReserved('do');
          const body = this.#compoundList('done');
          this.#ts.expectReserved('done');
          return { type: 'loop', until: text === 'until', cond, body, redirects: this.#redirects() };
        }
        case 'for':
          return this.#for();
        case 'case':
          return this.#case();
        default:
          if (text !== undefined && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(text) && this.#ts.isOp('(', 1) && this.#ts.isOp(')', 2)) {
            this.#ts.take();
            this.#ts.take();
            this.#ts.take();
            this.#ts.skipNewlines();
            // `f() }`: a closing word cannot be a body (ash takes any other command, even `f() echo`).
            if (this.#ts.atListEnd()) throw unexpected(this.#ts.peek());
            const body = this.#command();
            return { type: 'function', name: text, body, redirects: [] };
          }
      }
    }
    return this.#simple();
  }

  #if(): Command {
    this.#ts.take();
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | undefined;
    for (;;) {
      const cond = this.#compoundList('then');
      this.#ts.expectReserved('then');
      const body = this.#compoundList('fi');
      clauses.push({ cond, body });
      if (this.#ts.isReserved('elif')) {
        this.#ts.take();
        continue;
      }
      if (this.#ts.isReserved('else')) {
        this.#ts.take();
        elseBody = this.#compoundList('fi');
      }
      this.#ts.expectReserved('fi');
      break;
    }
    return { type: 'if', clauses, ...(elseBody ? { elseBody } : {}), redirects: this.#redirects() };
  }

  #for(): Command {
    this.#ts.take();
    const nameTok = this.#ts.take();
    const name = nameTok.type === 'word' ? plainText(nameTok.word) : undefined;
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ShSyntaxError('syntax error: bad for loop variable', nameTok.type === 'eof', nameTok.line);
    }
    let items: Word[] | undefined;
    this.#ts.skipNewlines();
    if (this.#ts.isReserved('in')) {
      this.#ts.take();
      items = [];
      for (;;) {
        const t = this.#ts.peek();
        if (t.type !== 'word') break;
        items.push(t.word);
        this.#ts.take();
      }
      if (this.#ts.isOp(';')) this.#ts.take();
      else if (this.#ts.peek().type !== 'newline') {
        const t = this.#ts.peek();
        throw unexpected(t);
      }
    } else if (this.#ts.isOp(';')) this.#ts.take();
    this.#ts.skipNewlines();
    this.#ts.expectReserved('do');
    const body = this.#compoundList('done');
    this.#ts.expectReserved('done');
    return { type: 'for', name, ...(items ? { items } : {}), body, redirects: this.#redirects() };
  }

  #case(): Command {
    this.#ts.take();
    const wordTok = this.#ts.take();
    if (wordTok.type !== 'word') throw unexpected(wordTok);
    this.#ts.skipNewlines();
    this.#ts.expectReserved('in');
    const items: { patterns: Word[]; body: List }[] = [];
    for (;;) {
      this.#ts.skipNewlines();
      if (this.#ts.isReserved('esac')) break;
      if (this.#ts.isOp('(')) this.#ts.take();
      const patterns: Word[] = [];
      for (;;) {
        const t = this.#ts.take();
        if (t.type !== 'word') throw unexpected(t, t.type === 'eof' ? ')' : undefined);
        patterns.push(t.word);
        if (this.#ts.isOp('|')) {
          this.#ts.take();
          continue;
        }
        break;
      }
      this.#ts.expectOp(')');
      const body = this.#list();
      items.push({ patterns, body });
      if (this.#ts.isOp(';;')) {
        this.#ts.take();
        continue;
      }
      this.#ts.skipNewlines();
      if (!this.#ts.isReserved('esac')) throw unexpected(this.#ts.peek(), ';;');
    }
    this.#ts.expectReserved('esac');
    return { type: 'case', word: wordTok.word, items, redirects: this.#redirects() };
  }

  #redirect(): Redirect | undefined {
    const t = this.#ts.peek();
    if (t.type !== 'op' || !REDIRECT_OPS.has(t.op)) return undefined;
    this.#ts.take();
    const target = this.#ts.take();
    if (target.type !== 'word') {
      throw unexpected(target);
    }
    const op = t.op as Redirect['op'];
    const fd = t.fd ?? (op.startsWith('<') ? 0 : 1);
    return { fd, op, target: target.word, ...(target.heredoc ? { heredoc: target.heredoc } : {}) };
  }

  #redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (let r = this.#redirect(); r; r = this.#redirect()) out.push(r);
    return out;
  }

  #simple(): SimpleCommand {
    const cmd: SimpleCommand = { type: 'simple', assigns: [], words: [], redirects: [], line: this.#ts.peek().line };
    for (;;) {
      const r = this.#redirect();
      if (r) {
        cmd.redirects.push(r);
        continue;
      }
      const t = this.#ts.peek();
      if (t.type !== 'word') break;
      this.#ts.take();
      const first = t.word.parts[0];
      const eq = first && first.kind === 'lit' && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text) : null;
      if (cmd.words.length === 0 && eq && first?.kind === 'lit') {
        const rest = first.text.slice(eq[0].length);
        const parts = [...(rest === '' ? [] : [{ ...first, text: rest }]), ...t.word.parts.slice(1)];
        cmd.assigns.push({ name: eq[1]!, value: { parts, raw: t.word.raw.slice(eq[0].length) } });
      } else cmd.words.push(t.word);
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirects.length === 0) {
      const t = this.#ts.peek();
      throw unexpected(t);
    }
    if (cmd.words.length === 1 && cmd.assigns.length === 0 && this.#ts.isOp('(')) {
      // ash reads `word (` as the start of a function definition, whatever the word.
      this.#ts.take();
      this.#ts.expectOp(')');
      throw new ShSyntaxError('syntax error: bad function name', false, cmd.line);
    }
    return cmd;
  }
}
