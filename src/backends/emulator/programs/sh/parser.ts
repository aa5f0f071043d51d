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
import { Lexer, type Token } from './lexer.js';
import { ShSyntaxError, unexpected } from './syntax-error.js';
import { plainText } from './word-lexer.js';

export { plainText } from './word-lexer.js';

const REDIRECT_OPS = new Set(['<', '>', '>>', '>|', '<>', '>&', '<&', '<<', '<<-']);
const LIST_ENDS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);

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
  #lexer: Lexer;
  #buffer: Token[] = [];

  constructor(source: string, firstLine: number, final: boolean, substitution = false) {
    this.#lexer = new Lexer(source, firstLine, final, substitution);
  }

  /** The inside of `$(...)`: a list and the `)` that the lexer reports at its end. */
  #substitution(): List {
    const list = this.#list();
    this.#expectOp(')');
    const t = this.#peek();
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
    const t = this.#peek();
    if (t.type !== 'eof') throw unexpected(t);
    return list;
  }

  *lines(): Generator<List> {
    for (;;) {
      this.#skipNewlines();
      if (this.#peek().type === 'eof') return;
      const list: List = { items: [] };
      while (this.#peek().type !== 'newline' && this.#peek().type !== 'eof') {
        if (this.#atListEnd()) throw unexpected(this.#peek());
        list.items.push(this.#item());
      }
      yield list;
    }
  }

  #peek(n = 0): Token {
    while (this.#buffer.length <= n) {
      const t = this.#lexer.next();
      if (t.type === 'word') this.#parseSubstitutions(t.word.parts, t.line);
      this.#buffer.push(t);
    }
    return this.#buffer[n]!;
  }

  #take(): Token {
    const t = this.#peek();
    this.#buffer.shift();
    return t;
  }

  #isOp(op: string, n = 0): boolean {
    const t = this.#peek(n);
    return t.type === 'op' && t.op === op;
  }

  #isReserved(word: string): boolean {
    const t = this.#peek();
    return t.type === 'word' && plainText(t.word) === word;
  }

  #expectReserved(word: string): void {
    this.#expect(this.#isReserved(word), word);
  }

  #expectOp(op: string): void {
    this.#expect(this.#isOp(op), op);
  }

  /** Takes the next token when `found`, else fails with ash's "expecting" message. */
  #expect(found: boolean, expected: string): void {
    if (!found) {
      const t = this.#peek();
      throw unexpected(t, expected);
    }
    this.#take();
  }

  #skipNewlines(): void {
    while (this.#peek().type === 'newline') this.#take();
  }

  #atListEnd(): boolean {
    const t = this.#peek();
    if (t.type === 'eof') return true;
    if (t.type === 'op') return t.op === ')' || t.op === ';;';
    if (t.type === 'word') {
      const text = plainText(t.word);
      return text !== undefined && LIST_ENDS.has(text);
    }
    return false;
  }

  #list(): List {
    const list: List = { items: [] };
    for (;;) {
      this.#skipNewlines();
      if (this.#atListEnd()) break;
      list.items.push(this.#item());
    }
    return list;
  }

  /** One and-or list with the `;` or `&` after it. */
  #item(): List['items'][number] {
    const command = this.#andOr();
    let background = false;
    if (this.#isOp('&')) {
      this.#take();
      background = true;
    } else if (this.#isOp(';')) this.#take();
    else if (this.#peek().type !== 'newline' && !this.#atListEnd()) {
      throw unexpected(this.#peek());
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
      const t = this.#peek();
      throw unexpected(t, t.type === 'eof' ? closer : undefined);
    }
    return list;
  }

  #andOr(): AndOr {
    const first = this.#pipeline();
    const rest: AndOr['rest'] = [];
    while (this.#isOp('&&') || this.#isOp('||')) {
      const op = (this.#take() as { op: '&&' | '||' }).op;
      this.#skipNewlines();
      rest.push({ op, pipeline: this.#pipeline() });
    }
    return { first, rest };
  }

  #pipeline(): Pipeline {
    let bang = false;
    if (this.#isReserved('!')) {
      this.#take();
      bang = true;
    }
    const commands = [this.#command()];
    while (this.#isOp('|')) {
      this.#take();
      this.#skipNewlines();
      commands.push(this.#command());
    }
    return { bang, commands };
  }

  #command(): Command {
    const t = this.#peek();
    if (t.type === 'op' && t.op === '(') {
      this.#take();
      const body = this.#compoundList(')');
      this.#expectOp(')');
      return { type: 'subshell', body, redirects: this.#redirects() };
    }
    if (t.type === 'word') {
      const text = plainText(t.word);
      switch (text) {
        case '{': {
          this.#take();
          const body = this.#compoundList('}');
          this.#expectReserved('}');
          return { type: 'group', body, redirects: this.#redirects() };
        }
        case 'if':
          return this.#if();
        case 'while':
        case 'until': {
          this.#take();
          const cond = this.#compoundList('do');
          this.#expectReserved('do');
          const body = this.#compoundList('done');
          this.#expectReserved('done');
          return { type: 'loop', until: text === 'until', cond, body, redirects: this.#redirects() };
        }
        case 'for':
          return this.#for();
        case 'case':
          return this.#case();
        default:
          if (text !== undefined && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(text) && this.#isOp('(', 1) && this.#isOp(')', 2)) {
            this.#take();
            this.#take();
            this.#take();
            this.#skipNewlines();
            // `f() }`: a closing word cannot be a body (ash takes any other command, even `f() echo`).
            if (this.#atListEnd()) throw unexpected(this.#peek());
            const body = this.#command();
            return { type: 'function', name: text, body, redirects: [] };
          }
      }
    }
    return this.#simple();
  }

  #if(): Command {
    this.#take();
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | undefined;
    for (;;) {
      const cond = this.#compoundList('then');
      this.#expectReserved('then');
      const body = this.#compoundList('fi');
      clauses.push({ cond, body });
      if (this.#isReserved('elif')) {
        this.#take();
        continue;
      }
      if (this.#isReserved('else')) {
        this.#take();
        elseBody = this.#compoundList('fi');
      }
      this.#expectReserved('fi');
      break;
    }
    return { type: 'if', clauses, ...(elseBody ? { elseBody } : {}), redirects: this.#redirects() };
  }

  #for(): Command {
    this.#take();
    const nameTok = this.#take();
    const name = nameTok.type === 'word' ? plainText(nameTok.word) : undefined;
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ShSyntaxError('syntax error: bad for loop variable', nameTok.type === 'eof', nameTok.line);
    }
    let items: Word[] | undefined;
    this.#skipNewlines();
    if (this.#isReserved('in')) {
      this.#take();
      items = [];
      for (;;) {
        const t = this.#peek();
        if (t.type !== 'word') break;
        items.push(t.word);
        this.#take();
      }
      if (this.#isOp(';')) this.#take();
      else if (this.#peek().type !== 'newline') {
        const t = this.#peek();
        throw unexpected(t);
      }
    } else if (this.#isOp(';')) this.#take();
    this.#skipNewlines();
    this.#expectReserved('do');
    const body = this.#compoundList('done');
    this.#expectReserved('done');
    return { type: 'for', name, ...(items ? { items } : {}), body, redirects: this.#redirects() };
  }

  #case(): Command {
    this.#take();
    const wordTok = this.#take();
    if (wordTok.type !== 'word') throw unexpected(wordTok);
    this.#skipNewlines();
    this.#expectReserved('in');
    const items: { patterns: Word[]; body: List }[] = [];
    for (;;) {
      this.#skipNewlines();
      if (this.#isReserved('esac')) break;
      if (this.#isOp('(')) this.#take();
      const patterns: Word[] = [];
      for (;;) {
        const t = this.#take();
        if (t.type !== 'word') throw unexpected(t, t.type === 'eof' ? ')' : undefined);
        patterns.push(t.word);
        if (this.#isOp('|')) {
          this.#take();
          continue;
        }
        break;
      }
      this.#expectOp(')');
      const body = this.#list();
      items.push({ patterns, body });
      if (this.#isOp(';;')) {
        this.#take();
        continue;
      }
      this.#skipNewlines();
      if (!this.#isReserved('esac')) throw unexpected(this.#peek(), ';;');
    }
    this.#expectReserved('esac');
    return { type: 'case', word: wordTok.word, items, redirects: this.#redirects() };
  }

  #redirect(): Redirect | undefined {
    const t = this.#peek();
    if (t.type !== 'op' || !REDIRECT_OPS.has(t.op)) return undefined;
    this.#take();
    const target = this.#take();
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
    const cmd: SimpleCommand = { type: 'simple', assigns: [], words: [], redirects: [], line: this.#peek().line };
    for (;;) {
      const r = this.#redirect();
      if (r) {
        cmd.redirects.push(r);
        continue;
      }
      const t = this.#peek();
      if (t.type !== 'word') break;
      this.#take();
      const first = t.word.parts[0];
      const eq = first && first.kind === 'lit' && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text) : null;
      if (cmd.words.length === 0 && eq && first?.kind === 'lit') {
        const rest = first.text.slice(eq[0].length);
        const parts = [...(rest === '' ? [] : [{ ...first, text: rest }]), ...t.word.parts.slice(1)];
        cmd.assigns.push({ name: eq[1]!, value: { parts, raw: t.word.raw.slice(eq[0].length) } });
      } else cmd.words.push(t.word);
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirects.length === 0) {
      const t = this.#peek();
      throw unexpected(t);
    }
    if (cmd.words.length === 1 && cmd.assigns.length === 0 && this.#isOp('(')) {
      // ash reads `word (` as the start of a function definition, whatever the word.
      this.#take();
      this.#expectOp(')');
      throw new ShSyntaxError('syntax error: bad function name', false, cmd.line);
    }
    return cmd;
  }
}
