/**
 * The Dockerfile builder the emulator and native backends share: parse, check, pick the
 * stages the target needs, run each stage's steps (with the cache) over a {@link BuildHost},
 * and store the final image.
 *
 * @module
 */
import { dockerfileStages } from '../core/dockerfile/instructions.js';
import { parseDockerfile } from '../core/dockerfile/parser.js';
import type { Instruction, Stage } from '../core/dockerfile/types.js';
import { checkDockerfileInstruction } from '../core/dockerfile/instructions.js';
import { BuildError, InvalidArgumentError, StowageError, throwIfAborted } from '../core/errors.js';
import type { BuildStep } from '../core/schemas/index.js';
import { applyConfigStep } from './config-step.js';
import { loadBuildContext } from './context.js';
import type { BuildContextSource, BuildHost, BuildLayer } from './host.js';
import { copyStep, runStep, workdirStep, type StepInfo } from './layer-steps.js';
import { BuildSession, cacheKey, type BuildOptions } from './session.js';
import { globalArgsOf, planStages, type PlannedStage } from './stage-graph.js';
import { emptyBuildConfig, stageFromImage, type StageState } from './stage-state.js';

/** What {@link buildDockerfile} builds. */
export interface DockerfileBuildRequest extends BuildOptions {
  /** The context: a host directory or a tar stream. */
  context: BuildContextSource;
  /** Path of the Dockerfile in the context. */
  dockerfile: string;
}

/** What {@link buildDockerfile} resolves with. */
export interface DockerfileBuildResult {
  /** The image's ID. */
  id: string;
  /** Every step, in order, with whether it came from the cache and the layer it made. */
  steps: BuildStep[];
}

/** Turns a front-end error into the build's error class, keeping its line and reason. */
function asBuildError(e: unknown): unknown {
  if (e instanceof InvalidArgumentError) return new BuildError(e.message, { details: { ...e.details }, cause: e });
  return e;
}

/** An instruction as a step shows it: the keyword upper-cased, the rest as written. */
function display(ins: Instruction): string {
  const text = ins.original.trim();
  const space = text.search(/[\t\v\f\r ]/);
  return space < 0 ? ins.keyword : `${ins.keyword}${text.slice(space).replace(/^[\t\v\f\r ]+/, ' ')}`;
}

/** Runs one instruction of a stage. */
async function step<L extends BuildLayer>(session: BuildSession<L>, state: StageState<L>, ins: Instruction, info: StepInfo, names: readonly (string | undefined)[]): Promise<void> {
  throwIfAborted(session.options.signal);
  switch (ins.keyword) {
    case 'RUN':
      return runStep(session, state, ins, info);
    case 'COPY':
    case 'ADD':
      return copyStep(session, state, ins, info, names);
    case 'WORKDIR':
      return workdirStep(session, state, ins, info);
    default: {
      const { report } = session.begin(info.instruction);
      const createdBy = applyConfigStep(state, ins, { escape: session.escape, buildArgs: session.options.buildArgs, globalArgs: session.globalArgs });
      const key = cacheKey(['CONFIG', state.cacheKey, createdBy ?? info.instruction]);
      const hit = await session.lookup(key);
      if (!hit) await session.host.cache.put(key, {}, session.options.signal);
      session.finish(state, { instruction: info.instruction, key, cached: hit !== undefined, ...(createdBy === undefined ? {} : { createdBy }) }, report);
    }
  }
}

/** Starts a stage on its base: scratch, an earlier stage, or an image (pulled when missing). */
async function startStage<L extends BuildLayer>(session: BuildSession<L>, planned: PlannedStage): Promise<{ state: StageState<L>; triggers: string[] }> {
  if (planned.baseStage !== undefined) {
    const base = session.stages.get(planned.baseStage);
    if (!base) throw new BuildError(`stage ${planned.baseStage} was not built`);
    const state = structuredCloneState(base);
    // Triggers of a stage's own ONBUILD are for images built FROM it elsewhere, not here.
    state.config.onBuild = [];
    state.cmdSet = false;
    return { state, triggers: [] };
  }
  if (planned.base.toLowerCase() === 'scratch') {
    return { state: stageFromImage<L>({ id: 'scratch', layers: [], config: emptyBuildConfig(), history: [], author: '' }, 'scratch'), triggers: [] };
  }
  const signal = session.options.signal;
  const image = await session.host.resolveImage(planned.base, { pull: 'missing', ...(signal ? { signal } : {}) });
  // The base's triggers run first in this stage (the new image does not inherit them).
  return { state: stageFromImage(image, image.id), triggers: [...image.config.onBuild] };
}

function structuredCloneState<L extends BuildLayer>(s: StageState<L>): StageState<L> {
  return { ...s, layers: [...s.layers], config: structuredClone(s.config), history: [...s.history], vars: new Map(s.vars), args: [...s.args] };
}

/** Parses an ONBUILD trigger into the instruction it runs. */
function triggerInstruction(text: string, line: number): Instruction {
  const parsed = parseDockerfile(text).instructions;
  const ins = parsed[0];
  if (!ins || parsed.length !== 1) throw new BuildError('onbuild trigger should be a single expression', { details: { line } });
  if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(ins.keyword)) {
    throw new BuildError(`${ins.keyword} isn't allowed as an ONBUILD trigger`, { details: { line } });
  }
  checkDockerfileInstruction({ ...ins, line, endLine: line });
  return { ...ins, line, endLine: line };
}

/**
 * Builds a Dockerfile over a host and stores the image of the target stage.
 *
 * @throws BuildError for what the Dockerfile or a step gets wrong (`details.step`,
 *   `details.instruction`, and for RUN `details.exitCode` and `details.output`, the last lines
 *   of its output); UnsupportedError for what the host cannot do (ADD from a URL, RUN --mount);
 *   NotFoundError for a base image that cannot be found; AbortError when cancelled
 * @example
 * ```ts
 * const { id, steps } = await buildDockerfile(host, { context: './app', dockerfile: 'Dockerfile', buildArgs: {}, noCache: false, labels: {}, tags: ['app:1'] });
 * ```
 */
export async function buildDockerfile<L extends BuildLayer>(host: BuildHost<L>, request: DockerfileBuildRequest): Promise<DockerfileBuildResult> {
  const { signal } = request;
  const context = await loadBuildContext(request.context, request.dockerfile, signal);
  let stages: Stage[];
  let metaArgs: Instruction[];
  let escape: '\\' | '`';
  try {
    const df = parseDockerfile(context.dockerfile);
    escape = df.directives.escape ?? '\\';
    ({ stages, metaArgs } = dockerfileStages(df.instructions));
  } catch (e) {
    throw asBuildError(e);
  }
  if (stages.length === 0) throw new BuildError('dockerfile contains no stages to build');
  const globalArgs = globalArgsOf(metaArgs, request.buildArgs, escape);
  const { planned, needed } = planStages(stages, globalArgs, request.target, escape);
  const total = needed.reduce((n, i) => n + 1 + (stages[i]?.instructions.length ?? 0), 0);
  const session = new BuildSession(host, context, request, escape, globalArgs, total);
  const names = stages.map((s) => s.name);
  let last: StageState<L> | undefined;
  try {
    for (const i of needed) {
      const p = planned[i];
      if (!p) continue;
      const info: StepInfo = { instruction: '', stage: { index: i, ...(p.stage.name ? { name: p.stage.name } : {}) } };
      const { report } = session.begin(display(p.stage.from));
      const { state, triggers } = await startStage(session, p);
      // FROM builds nothing: it is always "cached" (a missing base was pulled above).
      report(' ---> Using cache');
      session.steps.push({ instruction: display(p.stage.from), cached: true });
      session.total += triggers.length;
      for (const text of triggers) {
        const ins = triggerInstruction(text, p.stage.from.line);
        await step(session, state, ins, { ...info, instruction: display(ins) }, names);
      }
      for (const ins of p.stage.instructions) {
        await step(session, state, ins, { ...info, instruction: display(ins) }, names);
      }
      session.stages.set(i, state);
      last = state;
    }
  } catch (e) {
    if (e instanceof StowageError && !(e instanceof InvalidArgumentError)) throw e;
    throw asBuildError(e);
  }
  if (!last) throw new BuildError('dockerfile contains no stages to build');
  const config = { ...last.config, labels: { ...last.config.labels, ...request.labels } };
  const { id } = await host.commitImage({
    layers: last.layers, config, history: last.history, author: last.author, created: session.now(), tags: request.tags,
  }, signal);
  return { id, steps: session.steps };
}
