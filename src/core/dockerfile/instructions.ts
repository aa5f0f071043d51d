/**
 * The instructions view, after BuildKit's `frontend/dockerfile/instructions` package: what the
 * syntactic parse accepted is checked the way a build checks it (known instruction, known and
 * well-formed flags, argument counts, stage names, nothing but ARG before the first FROM) and
 * split into stages. The error texts are BuildKit's.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { parseGoDuration } from './go-duration.js';
import { goQuote, goTrimSpace } from './go-text.js';
import { parseHeredocWord } from './heredoc.js';
import { checkInstructions } from './input-check.js';
import type { Instruction, Stage } from './types.js';

/** How a flag takes its value, as BuildKit's BFlags types. */
type FlagKind = 'bool' | 'string' | 'strings';

/** Flags each instruction declares; `undefined`: the instruction never parses its flags. */
const declaredFlags: Record<string, Record<string, FlagKind> | undefined> = {
  ADD: { chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', unpack: 'bool', exclude: 'strings' },
  COPY: { chown: 'string', from: 'string', chmod: 'string', link: 'bool', exclude: 'strings', parents: 'bool' },
  FROM: { platform: 'string' },
  RUN: { mount: 'strings', network: 'string', security: 'string', device: 'strings' },
  HEALTHCHECK: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
  ENV: {}, MAINTAINER: {}, LABEL: {}, ONBUILD: {}, WORKDIR: {}, CMD: {}, ENTRYPOINT: {}, EXPOSE: {}, USER: {}, VOLUME: {}, SHELL: {},
  // BuildKit never calls Parse() on the flags of these two: whatever is written is ignored.
  ARG: undefined, STOPSIGNAL: undefined,
};

/** Parsed flag values: a string for string flags, `'true'`/`'false'` for booleans, every value for repeatable ones. */
export type FlagValues = Map<string, string | string[]>;

/** An instruction check failure; {@link dockerfileStages} adds the line. */
class CheckError extends Error {}

/**
 * Parses an instruction's flags as BuildKit's BFlags does for that instruction.
 *
 * @throws InvalidArgumentError `unknown flag: --x`, `duplicate flag specified: --x`,
 *   `missing a value on flag: --x`, `expecting boolean value for flag --x, not: y`.
 */
export function instructionFlags(ins: Instruction): FlagValues {
  try {
    return parseFlags(ins.keyword, ins.flags);
  } catch (e) {
    if (e instanceof CheckError) throw locate(e.message, ins);
    throw e;
  }
}

function parseFlags(keyword: string, flags: readonly string[]): FlagValues {
  const values: FlagValues = new Map();
  if (keyword in declaredFlags && declaredFlags[keyword] === undefined) return values;
  const declared = declaredFlags[keyword] ?? {};
  for (const flag of flags) {
    if (flag === '--') break;
    const eq = flag.indexOf('=');
    const flagName = eq < 0 ? flag : flag.slice(0, eq);
    const value = eq < 0 ? '' : flag.slice(eq + 1);
    const name = flagName.slice(2);
    const kind = Object.prototype.hasOwnProperty.call(declared, name) ? declared[name] : undefined;
    if (kind === undefined) throw new CheckError(`unknown flag: ${flagName}`);
    if (values.has(name) && kind !== 'strings') throw new CheckError(`duplicate flag specified: ${flagName}`);
    if (kind === 'bool') {
      if (eq >= 0 && value === '') throw new CheckError(`missing a value on flag: ${flagName}`);
      const v = value.toLowerCase();
      if (v !== '' && v !== 'true' && v !== 'false') throw new CheckError(`expecting boolean value for flag ${flagName}, not: ${value}`);
      values.set(name, v === 'false' ? 'false' : 'true');
      continue;
    }
    if (eq < 0) throw new CheckError(`missing a value on flag: ${flagName}`);
    if (kind === 'strings') values.set(name, [...((values.get(name) as string[] | undefined) ?? []), value]);
    else values.set(name, value);
  }
  return values;
}

const stageNameRe = /^[a-z][a-z0-9-_.]*$/;

const needArgs = (keyword: string, args: readonly string[]): void => {
  if (args.length === 0) throw new CheckError(`${keyword} requires at least one argument`);
};
const exactlyOne = (keyword: string, args: readonly string[]): void => {
  if (args.length !== 1) throw new CheckError(`${keyword} requires exactly one argument`);
};

function checkKeyValues(keyword: string, args: readonly string[]): void {
  needArgs(keyword, args);
  for (let i = 0; i < args.length; i += 2) if (args[i] === '') throw new CheckError(`${keyword} names can not be blank`);
}

function checkSourcesAndDest(ins: Instruction): void {
  if (ins.args.length < 2) {
    throw new CheckError(`${ins.keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
  }
  if (parseHeredocWord(ins.args[ins.args.length - 1] ?? '')) throw new CheckError(`${ins.keyword} cannot accept a heredoc as a destination`);
}

function checkHealthcheck(ins: Instruction): void {
  needArgs('HEALTHCHECK', ins.args);
  const type = (ins.args[0] ?? '').toUpperCase();
  if (type === 'NONE') {
    if (ins.args.length > 1) throw new CheckError('HEALTHCHECK NONE takes no arguments');
    return;
  }
  const flags = parseFlags('HEALTHCHECK', ins.flags);
  if (type !== 'CMD') throw new CheckError(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  if (ins.args.length < 2) throw new CheckError('Missing command after HEALTHCHECK CMD');
  for (const name of ['interval', 'timeout', 'start-period', 'start-interval']) {
    const value = flags.get(name);
    if (typeof value !== 'string' || value === '') continue;
    const ns = parseGoDuration(value);
    if (ns === undefined) throw new CheckError(`time: invalid duration ${goQuote(value)}`);
    if (ns !== 0 && ns < 1e6) throw new CheckError(`Interval ${goQuote(name)} cannot be less than 1ms`);
  }
  const retries = flags.get('retries');
  if (typeof retries === 'string' && retries !== '') {
    if (!/^[+-]?[0-9]+$/.test(retries)) throw new CheckError(`strconv.ParseInt: parsing ${goQuote(retries)}: invalid syntax`);
    if (Number(retries) < 0) throw new CheckError(`--retries cannot be negative (${Number(retries)})`);
  }
}

/** The checks BuildKit's `ParseInstruction` makes for one instruction. */
function checkInstruction(ins: Instruction): void {
  const { keyword, args } = ins;
  switch (keyword) {
    case 'FROM':
      if (args.length === 3 && (args[1] ?? '').toLowerCase() === 'as') {
        if (!stageNameRe.test((args[2] ?? '').toLowerCase())) {
          throw new CheckError(`invalid name for build stage: ${goQuote(args[2] ?? '')}, name can't start with a number or contain symbols`);
        }
      } else if (args.length !== 1) {
        throw new CheckError('FROM requires either one or three arguments');
      }
      break;
    case 'ENV':
    case 'LABEL':
      parseFlags(keyword, ins.flags);
      checkKeyValues(keyword, args);
      return;
    case 'MAINTAINER':
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
      exactlyOne(keyword, args);
      break;
    case 'ADD':
    case 'COPY':
      if (args.length < 2) checkSourcesAndDest(ins);
      parseFlags(keyword, ins.flags);
      checkSourcesAndDest(ins);
      return;
    case 'ONBUILD': {
      needArgs('ONBUILD', args);
      parseFlags(keyword, ins.flags);
      const trigger = (ins.trigger?.keyword ?? '').toUpperCase();
      if (trigger === 'ONBUILD') throw new CheckError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new CheckError(`${trigger} isn't allowed as an ONBUILD trigger`);
      return;
    }
    case 'HEALTHCHECK':
      checkHealthcheck(ins);
      return;
    case 'EXPOSE':
      needArgs(keyword, args);
      break;
    case 'VOLUME':
      needArgs(keyword, args);
      parseFlags(keyword, ins.flags);
      if (args.some((v) => v.trim() === '')) throw new CheckError('VOLUME specified can not be an empty string');
      return;
    case 'ARG':
      needArgs(keyword, args);
      if (args.some((a) => a.startsWith('='))) throw new CheckError('ARG names can not be blank');
      return;
    case 'SHELL':
      parseFlags(keyword, ins.flags);
      needArgs(keyword, args);
      if (!ins.json) throw new CheckError('SHELL requires the arguments to be in JSON form');
      return;
    case 'RUN':
    case 'CMD':
    case 'ENTRYPOINT':
      break;
    default:
      throw new CheckError(`unknown instruction: ${/^[^\t\v\f\r ]*/u.exec(goTrimSpace(ins.original))?.[0] ?? keyword}`);
  }
  parseFlags(keyword, ins.flags);
}

function locate(reason: string, ins: Instruction, prefix = true): InvalidArgumentError {
  const message = prefix ? `dockerfile parse error on line ${ins.line}: ${reason}` : reason;
  return new InvalidArgumentError(message, {
    details: { path: 'dockerfile', line: ins.line, endLine: ins.endLine, reason: 'dockerfile-syntax', problem: reason, keyword: ins.keyword },
  });
}

/**
 * Checks one instruction as a build would (used for ONBUILD triggers when they run).
 *
 * @throws InvalidArgumentError `dockerfile parse error on line N: <reason>`
 */
export function checkDockerfileInstruction(ins: Instruction): void {
  try {
    checkInstruction(ins);
  } catch (e) {
    if (e instanceof CheckError) throw locate(e.message, ins);
    throw e;
  }
}

/** What {@link dockerfileStages} returns. */
export interface DockerfileStages {
  /** ARG instructions before the first FROM. */
  metaArgs: Instruction[];
  /** The stages, in file order. */
  stages: Stage[];
}

/**
 * Checks instructions and splits them into global ARGs and stages, as BuildKit's
 * `instructions.Parse` does.
 *
 * @throws InvalidArgumentError `dockerfile parse error on line N: <reason>` for an instruction
 *   BuildKit refuses (`unknown instruction: FOO`, `unknown flag: --x`, `COPY requires at least
 *   two arguments...`), or `no build stage in current context` (with `details.line`) for an
 *   instruction other than ARG before the first FROM.
 * @example
 * ```ts
 * const { metaArgs, stages } = dockerfileStages(parseDockerfile('ARG V=1\nFROM x:$V AS a\nRUN make\n').instructions);
 * stages[0]?.name; // 'a'
 * ```
 */
export function dockerfileStages(instructions: readonly Instruction[]): DockerfileStages {
  checkInstructions(instructions, 'instructions');
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    checkDockerfileInstruction(ins);
    if (ins.keyword === 'FROM') {
      const stage: Stage = { base: ins.args[0] ?? '', from: ins, instructions: [] };
      if (ins.args.length === 3) stage.name = (ins.args[2] ?? '').toLowerCase();
      const platform = parseFlags('FROM', ins.flags).get('platform');
      if (typeof platform === 'string') stage.platform = platform;
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) current.instructions.push(ins);
    else if (ins.keyword === 'ARG') metaArgs.push(ins);
    else throw locate('no build stage in current context', ins, false);
  }
  return { metaArgs, stages };
}
