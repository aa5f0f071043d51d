/**
 * The shapes the Dockerfile front end produces (API.md "Dockerfile front end").
 *
 * @module
 */

/** Parser directives from the top of a Dockerfile (`# syntax=`, `# escape=`, `# check=`). */
export interface DockerfileDirectives {
  /** Frontend image named by `# syntax=`. */
  syntax?: string;
  /** Escape character: `\` (default) or a backtick. */
  escape?: '\\' | '`';
  /** Build-check configuration named by `# check=`. */
  check?: string;
}

/** A here-document attached to a RUN, COPY or ADD instruction. */
export interface Heredoc {
  /** Delimiter word, without quotes (`EOF`). */
  name: string;
  /** Body as written: every line followed by `\n`, leading tabs kept even when `chomp`. */
  content: string;
  /** False when the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no variable expansion in the body. */
  expand: boolean;
  /** True for `<<-EOF`: leading tabs are stripped from the body and the terminator (the front end's `chompHeredoc()` applies that; `content` keeps them). */
  chomp: boolean;
  /** The file descriptor written before the marker (`3<<EOF`), when there is one. */
  fileDescriptor?: number;
}

/**
 * One instruction of a Dockerfile, as BuildKit's parser reads it: nothing is checked beyond
 * syntax (an unknown keyword, an unknown flag or a missing argument parse; the instructions view,
 * `dockerfileStages()`, and the build refuse them).
 */
export interface Instruction {
  /** Keyword in upper case (`RUN`); any word for an instruction BuildKit does not know. */
  keyword: string;
  /** Leading `--name=value` flags as written, without quotes (`--mount=type=cache,target=/x`). */
  flags: string[];
  /**
   * Arguments. Exec form (`json: true`): the array's strings. Shell form of RUN/CMD/ENTRYPOINT/
   * SHELL and single-string instructions (USER, WORKDIR, STOPSIGNAL, MAINTAINER): one string.
   * ENV and LABEL: alternating key and value, quotes kept (quotes and variables are resolved
   * later, when the instruction is expanded against the build's variables).
   * FROM, EXPOSE, and the shell form of COPY/ADD/VOLUME: whitespace-separated words. ARG: its
   * `name` or `name=value` words. HEALTHCHECK: the type (`CMD`, `NONE`) then its command.
   * ONBUILD: the trigger's text. An unknown keyword: none.
   */
  args: string[];
  /** True when the arguments were a JSON array (exec form). */
  json: boolean;
  /** First line (1-based) of the instruction. */
  line: number;
  /** Last line, including continuation lines and here-document bodies. */
  endLine: number;
  /** The instruction's logical line, continuations joined, comments removed. */
  original: string;
  /** Here-documents, in the order their delimiters appear on the line. */
  heredocs?: Heredoc[];
  /** For ONBUILD: the parsed trigger instruction. */
  trigger?: Instruction;
  /** ENV and LABEL in the legacy `KEY value with spaces` form (one pair, no `=`). */
  legacyKeyValue?: boolean;
}

/** A remark the parser makes without failing (BuildKit's parser warnings). */
export interface DockerfileWarning {
  /** What was found (`Empty continuation line found in: RUN a b`). */
  message: string;
  /** Line it refers to. */
  line: number;
}

/** One build stage: a FROM and the instructions up to the next FROM. */
export interface Stage {
  /** Stage name from `FROM image AS name`, lower-cased as Docker does. */
  name?: string;
  /** Base image or stage name as written (variables not yet expanded). */
  base: string;
  /** Value of `FROM --platform=...`, as written. */
  platform?: string;
  /** The FROM instruction itself. */
  from: Instruction;
  /** Instructions after FROM, in order. */
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** Parser directives found at the top. */
  directives: DockerfileDirectives;
  /** Every instruction in file order, FROM included. */
  instructions: Instruction[];
  /** Remarks that do not stop the parse (empty continuation lines). */
  warnings: DockerfileWarning[];
  /**
   * ARG instructions before the first FROM (global build arguments usable in FROM lines).
   * Computed with {@link Dockerfile.stages} on first access.
   *
   * @throws InvalidArgumentError as {@link Dockerfile.stages} does
   */
  readonly metaArgs: Instruction[];
  /**
   * Build stages in order: the instructions view, checked as BuildKit's `instructions` package
   * checks them (an instruction before FROM, an unknown instruction or flag, argument counts,
   * stage names). Computed on first access.
   *
   * @throws InvalidArgumentError `dockerfile parse error on line N: <reason>` with
   *   `details.line`, `details.reason` `dockerfile-syntax` and `details.problem`
   */
  readonly stages: Stage[];
}

/**
 * Strips the leading tabs of every body line of a `<<-` here-document, as the shell does;
 * returns the content unchanged when `chomp` is false.
 */
export function chompHeredoc(heredoc: Heredoc): string {
  return heredoc.chomp ? heredoc.content.replace(/^\t+/gm, '') : heredoc.content;
}
