/**
 * The state one build stage carries from instruction to instruction: its layers, config and
 * history, the variables in scope, and the cache key of the last step.
 *
 * Variables follow BuildKit: the scope starts with the base image's ENV; ENV sets a variable in
 * the image and the scope; ARG sets it in the scope only (so a later ENV of the same name wins
 * in the image, and an ARG after an ENV wins for expansion and RUN, as the engine shows).
 *
 * @module
 */
import type { BuildBaseImage, BuildHistoryEntry, BuildImageConfig, BuildLayer } from './host.js';

/** Docker's default PATH, given to images that set none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The comment BuildKit writes on every history row of a Dockerfile build. */
export const HISTORY_COMMENT = 'buildkit.dockerfile.v0';

/** An ARG a stage declared, with the value it got (undefined: declared without one). */
export interface DeclaredArg {
  /** Name. */
  key: string;
  /** Value, when it has one. */
  value?: string;
}

/** What a stage has built so far. */
export interface StageState<L extends BuildLayer> {
  /** Layers, bottom first. */
  layers: L[];
  /** The image config. */
  config: BuildImageConfig;
  /** History, oldest first. */
  history: BuildHistoryEntry[];
  /** Top-level author. */
  author: string;
  /** Variables for expansion and RUN, in the order they were set (later wins). */
  vars: Map<string, string>;
  /** The stage's ARGs in order, for RUN's `|N k=v` history prefix and its cache key. */
  args: DeclaredArg[];
  /** Whether CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  /** Cache key of the last step (the base image's ID at the start). */
  cacheKey: string;
  /** False once a step missed the cache: every later step runs. */
  cacheValid: boolean;
}

/** Splits `K=V` (a missing `=` gives an empty value). */
export function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** Sets `key` in a `K=V` list in place (replacing the first entry of that name), as Docker's addEnv. */
export function setEnv(env: string[], key: string, value: string): void {
  const at = env.findIndex((e) => splitEnv(e)[0] === key);
  if (at >= 0) env[at] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
}

/** A deep copy of a config, so a stage never changes the image it started from. */
export function cloneConfig(config: BuildImageConfig): BuildImageConfig {
  return structuredClone(config);
}

/** The state a stage starts with on top of an image (or a finished stage). */
export function stageFromImage<L extends BuildLayer>(base: BuildBaseImage<L>, cacheKey: string): StageState<L> {
  const config = cloneConfig(base.config);
  // Triggers are for the children of the base, not inherited by them.
  config.onBuild = [];
  if (!config.env.some((e) => splitEnv(e)[0] === 'PATH')) config.env.push(`PATH=${DEFAULT_PATH}`);
  const vars = new Map<string, string>();
  for (const e of config.env) vars.set(...splitEnv(e));
  return {
    layers: [...base.layers],
    config,
    history: [...base.history],
    author: base.author,
    vars,
    args: [],
    cmdSet: false,
    cacheKey,
    cacheValid: true,
  };
}

/** The empty config of `FROM scratch`. */
export function emptyBuildConfig(): BuildImageConfig {
  return {
    env: [], cmd: null, entrypoint: null, workingDir: '', user: '', exposedPorts: [], volumes: [], labels: {}, stopSignal: '', onBuild: [],
  };
}

/** The variables of a stage as a lookup for expansion. */
export function lookupOf<L extends BuildLayer>(state: StageState<L>): (name: string) => string | undefined {
  // A copy: an instruction expands every word against the values from before it.
  const snapshot = new Map(state.vars);
  return (name) => snapshot.get(name);
}

/** The environment of a RUN step: every variable in scope, as `K=V`. */
export function runEnv<L extends BuildLayer>(state: StageState<L>): string[] {
  return [...state.vars].map(([k, v]) => `${k}=${v}`);
}
