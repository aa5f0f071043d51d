/**
 * The syntax tree of the shell language subset `sh` understands.
 *
 * Words keep their quoting as parts, because expansion needs it: quoted text is neither split
 * nor globbed, and `"$@"` still yields one field per parameter.
 *
 * @module
 */

/** One piece of a word. `quoted` is true inside '', "" or after a backslash. */
export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'param'; name: string; op?: ParamOp; word?: WordPart[]; replacement?: WordPart[]; quoted: boolean }
  | CommandSubstitution
  | { kind: 'arith'; source: string; quoted: boolean }
  | { kind: 'tilde'; user: string }
  /** A `${...}` ash cannot read (`${x!}`): like ash, it only fails when it is expanded. */
  | { kind: 'badsub' };

/**
 * `$(...)` or a backquoted command: its source and, once the parser has read it (as ash does,
 * with the command it stands in), its tree and the line it starts on.
 */
export interface CommandSubstitution {
  /** Discriminant. */
  kind: 'cmdsub';
  /** The text between the parentheses or backquotes. */
  source: string;
  /** True inside double quotes: the output is not split. */
  quoted: boolean;
  /** The parsed source (absent for text only read at run time, as a here-document's). */
  list?: List;
  /** The number of the substitution's first line. */
  line?: number;
  /** True for the backquoted form. */
  backquote?: boolean;
}

/** The operators of `${NAME<op>word}` (`${#NAME}` as `length`; `/` and `//` replace, as ash does). */
export type ParamOp = ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?' | 'length' | '#' | '##' | '%' | '%%' | '/' | '//';

/** A word: its parts and its source text (for `set -x` and error messages). */
export interface Word {
  /** The parts in order. */
  parts: WordPart[];
  /** The word as written. */
  raw: string;
}

/** A redirection (`2>&1`, `>> log`, `<<EOF`). */
export interface Redirect {
  /** The file descriptor redirected (default 0 for input, 1 for output). */
  fd: number;
  /** The operator. */
  op: '<' | '>' | '>>' | '>|' | '<>' | '>&' | '<&' | '<<' | '<<-';
  /** The target word (the file, the fd number, the heredoc delimiter). */
  target: Word;
  /** The body of a here-document. */
  heredoc?: HeredocBody;
}

/** A here-document body, filled in by the lexer once the line that holds `<<` ends. */
export interface HeredocBody {
  /** The text (tabs already stripped for `<<-`). */
  text: string;
  /** False when the delimiter was quoted (`<<'EOF'`): no expansion. */
  expand: boolean;
}

/** A simple command: assignments, words, redirections. */
export interface SimpleCommand {
  /** Discriminant. */
  type: 'simple';
  /** `NAME=value` prefixes. */
  assigns: { name: string; value: Word }[];
  /** The command's words (may be empty: assignments only). */
  words: Word[];
  /** Its redirections. */
  redirects: Redirect[];
  /** The source line it starts on, as the shell reports it (`sh: cd: line 3: ...`). */
  line: number;
}

/** Every compound and simple command. */
export type Command =
  | SimpleCommand
  | { type: 'subshell'; body: List; redirects: Redirect[] }
  | { type: 'group'; body: List; redirects: Redirect[] }
  | { type: 'if'; clauses: { cond: List; body: List }[]; elseBody?: List; redirects: Redirect[] }
  | { type: 'loop'; until: boolean; cond: List; body: List; redirects: Redirect[] }
  | { type: 'for'; name: string; items?: Word[]; body: List; redirects: Redirect[] }
  | { type: 'case'; word: Word; items: { patterns: Word[]; body: List }[]; redirects: Redirect[] }
  | { type: 'function'; name: string; body: Command; redirects: Redirect[] };

/** `a | b | c`, optionally negated with `!`. */
export interface Pipeline {
  /** True for `! pipeline`. */
  bang: boolean;
  /** The commands, left to right. */
  commands: Command[];
}

/** `p1 && p2 || p3`. */
export interface AndOr {
  /** The first pipeline. */
  first: Pipeline;
  /** The rest with the operator before each. */
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}

/** A sequence of and-or lists, each run in the foreground (`;`) or background (`&`). */
export interface List {
  /** The items in order. */
  items: { command: AndOr; background: boolean }[];
}
