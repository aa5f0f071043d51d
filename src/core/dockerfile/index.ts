/**
 * The Dockerfile front end: parser, variable expansion, and `commit`/`import` changes.
 *
 * @module
 */
export * from './types.js';
export { parseDockerfile, parseInstructions } from './parser.js';
export type { ParseInstructionsOptions, ParsedInstructions } from './parser.js';
export { expandWord, expandWords } from './shell-lex.js';
export type { ExpandOptions, ExpandVars } from './shell-lex.js';
export { EXPANDING_KEYWORDS, expandInstruction } from './expand-instruction.js';
export { applyChanges, CHANGE_KEYWORDS, isValidSignal } from './changes.js';
export type { ChangeableConfig, HealthcheckConfig } from './changes.js';
export { parseGoDuration } from './go-duration.js';
export { KNOWN_KEYWORDS } from './line-parsers.js';
