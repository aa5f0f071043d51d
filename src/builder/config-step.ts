/**
 * The instructions that change only the image config (ENV, ARG, LABEL, MAINTAINER, CMD,
 * ENTRYPOINT, EXPOSE, VOLUME, USER, STOPSIGNAL, SHELL, HEALTHCHECK, ONBUILD), with BuildKit's
 * expansion rules and history texts.
 *
 * @module
 */
import { healthcheckOf, isValidSignal } from '../core/dockerfile/changes.js';
import { expandWord } from '../core/dockerfile/shell-lex.js';
import type { Instruction } from '../core/dockerfile/types.js';
import { BuildError } from '../core/errors.js';
import { formatExposedPort, parseExposedPorts } from '../core/specs/ports.js';
import type { BuildLayer } from './host.js';
import { goList, goQuotedList, healthcheckText } from './history-text.js';
import { lookupOf, setEnv, type StageState } from './stage-state.js';

/** The shell of shell forms when SHELL has not set one. */
export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

/** What expansion needs besides the stage: the escape character and the build's ARG values. */
export interface ConfigStepContext {
  /** The Dockerfile's escape character. */
  escape: '\\' | '`';
  /** `--build-arg` values. */
  buildArgs: Readonly<Record<string, string>>;
  /** Values of the ARGs declared before the first FROM. */
  globalArgs: ReadonlyMap<string, string>;
}

/** The argv of a shell-form command: the stage's shell plus the command text. */
export function withShell<L extends BuildLayer>(state: StageState<L>, command: string): string[] {
  return [...(state.config.shell ?? DEFAULT_SHELL), command];
}

function fail(ins: Instruction, message: string): BuildError {
  return new BuildError(message, { details: { line: ins.line, instruction: ins.keyword } });
}

/**
 * Applies a config-only instruction to a stage and returns its history text, or undefined
 * when BuildKit writes no history row for it (ONBUILD).
 *
 * @throws BuildError for a value the instruction refuses (an invalid signal, a bad port)
 */
export function applyConfigStep<L extends BuildLayer>(state: StageState<L>, ins: Instruction, ctx: ConfigStepContext): string | undefined {
  const lookup = lookupOf(state);
  const word = (w: string): string => expandWord(w, lookup, { escape: ctx.escape });
  const config = state.config;
  switch (ins.keyword) {
    case 'ENV':
    case 'LABEL': {
      // Every pair is expanded against the values from before this instruction.
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < ins.args.length; i += 2) pairs.push([word(ins.args[i] ?? ''), word(ins.args[i + 1] ?? '')]);
      for (const [k, v] of pairs) {
        if (ins.keyword === 'ENV') {
          setEnv(config.env, k, v);
          state.vars.delete(k);
          state.vars.set(k, v);
        } else {
          config.labels[k] = v;
        }
      }
      return `${ins.keyword} ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'ARG':
      return applyArg(state, ins, ctx);
    case 'MAINTAINER':
      state.author = ins.args[0] ?? '';
      return `MAINTAINER ${state.author}`;
    case 'CMD':
    case 'ENTRYPOINT': {
      // The shell form of nothing is the shell alone, as BuildKit builds it.
      const shell = [...(state.config.shell ?? DEFAULT_SHELL)];
      const argv: string[] | null = ins.json ? [...ins.args] : ins.args.length === 0 ? shell : withShell(state, ins.args.join(' '));
      if (ins.keyword === 'CMD') {
        config.cmd = argv;
        state.cmdSet = true;
      } else {
        config.entrypoint = argv !== null && argv.length === 0 ? null : argv;
        // A new entrypoint drops an inherited command; a CMD of this stage stays.
        if (!state.cmdSet) config.cmd = null;
      }
      return `${ins.keyword} ${goQuotedList(argv ?? [])}`;
    }
    case 'EXPOSE': {
      const ports: string[] = [];
      for (const arg of ins.args) {
        let parsed;
        try {
          parsed = parseExposedPorts(word(arg));
        } catch (e) {
          throw fail(ins, (e as Error).message);
        }
        for (const p of parsed) ports.push(formatExposedPort(p));
      }
      for (const p of ports) if (!config.exposedPorts.includes(p)) config.exposedPorts.push(p);
      return `EXPOSE ${goList(ports)}`;
    }
    case 'VOLUME': {
      const volumes = ins.args.map((a) => word(a).trim());
      if (volumes.some((v) => v === '')) throw fail(ins, 'VOLUME specified can not be an empty string');
      for (const v of volumes) if (!config.volumes.includes(v)) config.volumes.push(v);
      return `VOLUME ${goList(volumes)}`;
    }
    case 'USER':
      config.user = word(ins.args[0] ?? '');
      return `USER ${config.user}`;
    case 'STOPSIGNAL': {
      const signal = word(ins.args[0] ?? '');
      if (!isValidSignal(signal)) throw fail(ins, `Invalid signal: ${signal}`);
      config.stopSignal = signal;
      return `STOPSIGNAL ${signal}`;
    }
    case 'SHELL':
      config.shell = [...ins.args];
      return `SHELL ${goList(ins.args)}`;
    case 'HEALTHCHECK':
      config.healthcheck = healthcheckOf(ins);
      return healthcheckText(config.healthcheck);
    case 'ONBUILD': {
      // The trigger runs, and is expanded, in the child build; heredoc bodies travel with it.
      let expression = ins.args[0] ?? '';
      for (const doc of ins.heredocs ?? []) expression += `\n${doc.content}${doc.name}`;
      config.onBuild.push(expression);
      return undefined;
    }
    default:
      throw fail(ins, `unknown instruction: ${ins.keyword}`);
  }
}

/** ARG: build-arg value, else the default (expanded), else the global ARG's value. */
function applyArg<L extends BuildLayer>(state: StageState<L>, ins: Instruction, ctx: ConfigStepContext): string {
  const shown: string[] = [];
  for (const raw of ins.args) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    let value: string | undefined;
    if (Object.prototype.hasOwnProperty.call(ctx.buildArgs, key)) {
      value = ctx.buildArgs[key];
    } else if (eq >= 0) {
      // ARGs of one instruction see each other in order (BuildKit expands them one by one).
      value = expandWord(raw.slice(eq + 1), lookupOf(state), { escape: ctx.escape });
    } else {
      value = ctx.globalArgs.get(key);
    }
    if (value !== undefined) {
      state.vars.delete(key);
      state.vars.set(key, value);
    }
    state.args = state.args.filter((a) => a.key !== key);
    state.args.push(value === undefined ? { key } : { key, value });
    shown.push(eq >= 0 || Object.prototype.hasOwnProperty.call(ctx.buildArgs, key) ? `${key}=${value ?? ''}` : key);
  }
  return `ARG ${shown.join(' ')}`;
}
