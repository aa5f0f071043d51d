/**
 * `commit`/`import` changes (`docker commit --change 'CMD ["sh"]'`): the Dockerfile
 * instructions that only touch an image's config, applied to a plain config object.
 *
 * @module
 */
import type { ImageConfig as RunnableConfig } from '../schemas/image.js';
import { InvalidArgumentError } from '../errors.js';
import { parseExposedPorts, formatExposedPort } from '../specs/ports.js';
import { parseGoDuration } from './go-duration.js';
import { checkDockerfileInstruction } from './instructions.js';
import { parseInstructions } from './parser.js';
import { expandWord } from './shell-lex.js';
import type { Instruction } from './types.js';

/** A container's healthcheck, as the Engine API's `HealthConfig` (durations in nanoseconds). */
export interface HealthcheckConfig {
  /** `['NONE']`, `['CMD', ...argv]` or `['CMD-SHELL', command]`. */
  test: string[];
  /** Time between checks in nanoseconds (0 or absent: inherit). */
  interval?: number;
  /** Time a check may run in nanoseconds. */
  timeout?: number;
  /** Start-up grace period in nanoseconds. */
  startPeriod?: number;
  /** Time between checks during the start period, in nanoseconds. */
  startInterval?: number;
  /** Consecutive failures that make the container unhealthy. */
  retries?: number;
}

/**
 * The image config fields that changes can touch: the public {@link RunnableConfig} (API.md
 * `ImageInfo.config`) with an optional stop signal, plus the ONBUILD triggers and the
 * healthcheck, which the public shape does not carry.
 */
export interface ChangeableConfig extends Omit<RunnableConfig, 'stopSignal'> {
  /** Signal `stop` sends, when not SIGTERM. */
  stopSignal?: string;
  /** ONBUILD triggers, as written after the keyword. */
  onBuild?: string[];
  /** Healthcheck. */
  healthcheck?: HealthcheckConfig;
}

/** Keywords a change may use (Docker's `validCommitCommands`, plus STOPSIGNAL as newer engines allow). */
export const CHANGE_KEYWORDS: ReadonlySet<string> = new Set([
  'CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

const signalNames = [
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL',
  'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'UNUSED', 'URG',
  'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ',
];

/**
 * Checks a stop signal as moby's `signal.ParseSignal`: a number 1..64 or a name with or
 * without `SIG` (case-insensitive), `RTMIN+n`/`RTMAX-n` included.
 */
export function isValidSignal(s: string): boolean {
  if (/^[0-9]+$/.test(s)) return Number(s) >= 1 && Number(s) <= 64;
  const name = s.toUpperCase().replace(/^SIG/, '');
  if (signalNames.includes(name)) return true;
  const rt = /^RTM(IN|AX)([+-]([0-9]+))?$/.exec(name);
  return rt !== null && Number(rt[3] ?? 0) <= 15;
}

function fail(message: string, index: number, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(message, { details: { path: `changes[${index}]` }, cause });
}

function envLookup(env: readonly string[]): (name: string) => string | undefined {
  return (name) => {
    for (let i = env.length - 1; i >= 0; i--) {
      const e = env[i] ?? '';
      const eq = e.indexOf('=');
      if ((eq < 0 ? e : e.slice(0, eq)) === name) return eq < 0 ? undefined : e.slice(eq + 1);
    }
    return undefined;
  };
}

/** Applies one parsed change instruction to `config` in place. */
function applyOne(config: ChangeableConfig, ins: Instruction, index: number, state: { cmdSet: boolean }): void {
  const vars = envLookup(config.env);
  const word = (w: string): string => expandWord(w, vars);
  if (ins.keyword !== 'HEALTHCHECK' && ins.flags.length > 0) {
    throw fail(`Unknown flag: ${ins.flags[0]?.replace(/^--/, '').split('=')[0] ?? ''}`, index);
  }
  const shellForm = (): string[] => ['/bin/sh', '-c', ins.args.join(' ')];
  switch (ins.keyword) {
    case 'ENV': {
      // Every pair sees the environment as it was before this instruction, as Docker does.
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < ins.args.length; i += 2) pairs.push([word(ins.args[i] ?? ''), word(ins.args[i + 1] ?? '')]);
      for (const [key, value] of pairs) {
        const at = config.env.findIndex((e) => e === key || e.startsWith(`${key}=`));
        if (at >= 0) config.env[at] = `${key}=${value}`;
        else config.env.push(`${key}=${value}`);
      }
      return;
    }
    case 'LABEL':
      for (let i = 0; i + 1 < ins.args.length; i += 2) config.labels[word(ins.args[i] ?? '')] = word(ins.args[i + 1] ?? '');
      return;
    case 'CMD':
      config.cmd = ins.json ? [...ins.args] : ins.args.length === 0 ? null : shellForm();
      state.cmdSet = true;
      return;
    case 'ENTRYPOINT':
      config.entrypoint = ins.json ? [...ins.args] : ins.args.length === 0 ? null : shellForm();
      // A new entrypoint drops the old command unless these changes set one first.
      if (!state.cmdSet) config.cmd = null;
      return;
    case 'EXPOSE':
      for (const arg of ins.args) {
        for (const p of parseExposedPorts(word(arg), `changes[${index}]`)) {
          const key = formatExposedPort(p);
          if (!config.exposedPorts.includes(key)) config.exposedPorts.push(key);
        }
      }
      return;
    case 'VOLUME':
      for (const arg of ins.args) {
        const v = word(arg).trim();
        if (v === '') throw fail('VOLUME specified can not be an empty string', index);
        if (!config.volumes.includes(v)) config.volumes.push(v);
      }
      return;
    case 'USER':
      config.user = word(ins.args[0] ?? '');
      return;
    case 'WORKDIR': {
      const dir = word(ins.args[0] ?? '');
      config.workingDir = dir.startsWith('/') ? dir : joinPosix('/', config.workingDir, dir);
      return;
    }
    case 'STOPSIGNAL': {
      const sig = word(ins.args[0] ?? '');
      if (!isValidSignal(sig)) throw fail(`Invalid signal: ${sig}`, index);
      config.stopSignal = sig;
      return;
    }
    case 'ONBUILD':
      config.onBuild = [...(config.onBuild ?? []), ins.args[0] ?? ''];
      return;
    case 'HEALTHCHECK':
      config.healthcheck = healthcheckOf(ins, index);
      return;
    default:
      throw fail(`${ins.keyword.toLowerCase()} is not a valid change command`, index);
  }
}

function joinPosix(...parts: string[]): string {
  const segs: string[] = [];
  for (const seg of parts.join('/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segs.pop();
    else segs.push(seg);
  }
  return `/${segs.join('/')}`;
}

/**
 * The healthcheck a HEALTHCHECK instruction sets (durations in nanoseconds), as the engine reads
 * it (used by `commit --change` and by builds).
 *
 * @throws InvalidArgumentError for a bad flag or duration (`details.path`: `changes[index]`)
 */
export function healthcheckOf(ins: Instruction, index = 0): HealthcheckConfig {
  const type = (ins.args[0] ?? '').toUpperCase();
  if (type === 'NONE') {
    if (ins.flags.length > 0) throw fail('HEALTHCHECK NONE takes no flags', index);
    return { test: ['NONE'] };
  }
  const rest = ins.args.slice(1);
  const hc: HealthcheckConfig = { test: ins.json ? ['CMD', ...rest] : ['CMD-SHELL', rest.join(' ')] };
  const durations: Record<string, 'interval' | 'timeout' | 'startPeriod' | 'startInterval'> = {
    interval: 'interval', timeout: 'timeout', 'start-period': 'startPeriod', 'start-interval': 'startInterval',
  };
  for (const flag of ins.flags) {
    const m = /^--([^=]+)(?:=([\s\S]*))?$/u.exec(flag);
    const name = m?.[1] ?? '';
    const value = m?.[2];
    if (name !== 'retries' && durations[name] === undefined) throw fail(`Unknown flag: ${name}`, index);
    if (value === undefined) throw fail(`Missing a value on flag: ${name}`, index);
    if (name === 'retries') {
      if (!/^-?[0-9]+$/.test(value)) throw fail(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`, index);
      const retries = Number(value);
      if (retries < 0) throw fail(`--retries cannot be negative (${retries})`, index);
      hc.retries = retries;
      continue;
    }
    const ns = parseGoDuration(value);
    if (ns === undefined) throw fail(`time: invalid duration ${JSON.stringify(value)}`, index);
    if (ns !== 0 && ns < 1e6) throw fail(`Interval ${JSON.stringify(name)} cannot be less than 1ms`, index);
    const key = durations[name];
    if (key) hc[key] = ns;
  }
  return hc;
}

/**
 * Applies `commit`/`import` changes to an image config and returns the new config (the input
 * is not modified), as `docker commit --change` does.
 *
 * Shell-form CMD and ENTRYPOINT become `['/bin/sh', '-c', text]`; ENTRYPOINT clears the command
 * unless an earlier change set one; ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR
 * expand variables against the config's env as it stood before that change.
 *
 * @throws InvalidArgumentError `run is not a valid change command` for other instructions
 *   (Docker's lower-case wording), or the instruction's own error (`ENV must have two arguments`).
 * @example
 * ```ts
 * applyChanges(config, ['CMD ["sh"]', 'ENV A=1', 'EXPOSE 80']);
 * ```
 */
export function applyChanges(config: ChangeableConfig, changes: readonly string[]): ChangeableConfig {
  const next: ChangeableConfig = {
    ...config,
    env: [...config.env],
    cmd: config.cmd === null ? null : [...config.cmd],
    entrypoint: config.entrypoint === null ? null : [...config.entrypoint],
    exposedPorts: [...config.exposedPorts],
    volumes: [...config.volumes],
    labels: { ...config.labels },
  };
  if (config.onBuild) next.onBuild = [...config.onBuild];
  const state = { cmdSet: false };
  changes.forEach((change, index) => {
    let instructions: Instruction[];
    // The engine words a few of BuildKit's reasons its own way.
    const engineWords = (reason: string): string => reason.replace(/^unknown flag: --/, 'Unknown flag: ');
    try {
      ({ instructions } = parseInstructions(change, {
        checkKeyword: (keyword) => {
          if (!CHANGE_KEYWORDS.has(keyword.toUpperCase())) {
            throw fail(`${keyword.toLowerCase()} is not a valid change command`, index);
          }
        },
      }));
      for (const ins of instructions) checkDockerfileInstruction(ins);
    } catch (e) {
      if (e instanceof InvalidArgumentError && e.details.reason === 'dockerfile-syntax' && typeof e.details.problem === 'string') {
        throw fail(engineWords(e.details.problem), index, e);
      }
      throw e;
    }
    for (const ins of instructions) {
      try {
        applyOne(next, ins, index, state);
      } catch (e) {
        if (e instanceof InvalidArgumentError && e.details.path === undefined) throw fail(e.message, index, e);
        throw e;
      }
    }
  });
  return next;
}
