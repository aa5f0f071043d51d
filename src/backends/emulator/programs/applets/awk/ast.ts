/**
 * The awk syntax tree: expressions, statements, rules and functions.
 *
 * @module
 */

/** An expression node. */
export type Expr =
  | { type: 'num'; value: number }
  | { type: 'str'; value: string }
  | { type: 'regex'; source: string }
  | { type: 'var'; name: string }
  | { type: 'index'; name: string; subscripts: Expr[] }
  | { type: 'field'; index: Expr }
  | { type: 'assign'; op: string; target: LValue; value: Expr }
  | { type: 'cond'; test: Expr; then: Expr; else: Expr }
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'in'; subscripts: Expr[]; name: string }
  | { type: 'match'; negate: boolean; left: Expr; right: Expr }
  | { type: 'binary'; op: string; left: Expr; right: Expr }
  | { type: 'concat'; left: Expr; right: Expr }
  | { type: 'unary'; op: '-' | '+' | '!'; operand: Expr }
  | { type: 'incdec'; op: '++' | '--'; prefix: boolean; target: LValue }
  | { type: 'call'; name: string; args: Expr[]; line: number }
  | { type: 'builtin'; name: string; args: Expr[]; line: number }
  | { type: 'getline'; target?: LValue; file?: Expr; command?: Expr }
  | { type: 'group'; items: Expr[] };

/** What can be assigned to: a variable, an array element or a field. */
export type LValue = Extract<Expr, { type: 'var' | 'index' | 'field' }>;

/** Output redirection of print/printf. */
export interface Redirect {
  /** `>` truncates on first use, `>>` appends, `|` pipes into a command. */
  mode: '>' | '>>' | '|';
  /** The file name or command. */
  target: Expr;
}

/** A statement node. */
export type Stmt =
  | { type: 'expr'; expr: Expr }
  | { type: 'print'; args: Expr[]; redirect?: Redirect }
  | { type: 'printf'; args: Expr[]; redirect?: Redirect; line: number }
  | { type: 'block'; body: Stmt[] }
  | { type: 'if'; test: Expr; then: Stmt; else?: Stmt }
  | { type: 'while'; test: Expr; body: Stmt }
  | { type: 'do'; body: Stmt; test: Expr }
  | { type: 'for'; init?: Expr; test?: Expr; update?: Expr; body: Stmt }
  | { type: 'forin'; variable: LValue; array: string; body: Stmt }
  | { type: 'break' | 'continue' | 'next' | 'nextfile' }
  | { type: 'exit'; code?: Expr }
  | { type: 'return'; value?: Expr }
  | { type: 'delete'; name: string; subscripts?: Expr[] };

/** A pattern-action rule; a missing action prints the record, a missing pattern always matches. */
export interface Rule {
  /** `BEGIN`, `END`, a single expression or a range. */
  pattern: { kind: 'begin' } | { kind: 'end' } | { kind: 'always' } | { kind: 'expr'; expr: Expr } | { kind: 'range'; from: Expr; to: Expr };
  /** The action, undefined for `{ print }`. */
  action?: Stmt[];
}

/** A user-defined function. */
export interface FunctionDef {
  /** Its name. */
  name: string;
  /** Parameter names (extra ones are the idiomatic locals). */
  params: string[];
  /** Its body. */
  body: Stmt[];
}

/** A parsed program. */
export interface AwkProgram {
  /** Rules in source order (BEGIN and END included). */
  rules: Rule[];
  /** Functions by name. */
  functions: Map<string, FunctionDef>;
}
