/**
 * The Dockerfile front end: the syntactic parser, the instructions view, variable expansion,
 * printers, and `commit`/`import` changes.
 *
 * @module
 */
export * from './types.js';
export { parseDockerfile, parseInstructions } from './parser.js';
export type { ParseInstructionsOptions, ParsedInstructions } from './parser.js';
export { checkDockerfileInstruction, dockerfileStages, instructionFlags } from './instructions.js';
export type { DockerfileStages, FlagValues } from './instructions.js';
export { heredocsFromLine, parseHeredocWord } from './heredoc.js';
export type { HeredocHeader } from './heredoc.js';
export { expandWord, expandWords } from './shell-lex.js';
export type { ExpandOptions, ExpandVars } from './shell-lex.js';
export { EXPANDING_KEYWORDS, expandInstruction } from './expand-instruction.js';
export { applyChanges, CHANGE_KEYWORDS, healthcheckOf, isValidSignal } from './changes.js';
export type { ChangeableConfig, HealthcheckConfig } from './changes.js';
export { parseGoDuration } from './go-duration.js';
export { KNOWN_KEYWORDS } from './line-parsers.js';
export { dumpDockerfile } from './dump.js';
export { formatDockerfile } from './format.js';
