/**
 * Which stages a build needs: the target and, transitively, the stages it is built FROM and
 * copies `--from`, as BuildKit prunes them (a stage nobody needs is never built, so its failing
 * RUN does not fail the build).
 *
 * @module
 */
import { instructionFlags } from '../core/dockerfile/instructions.js';
import { expandWord } from '../core/dockerfile/shell-lex.js';
import type { Instruction, Stage } from '../core/dockerfile/types.js';
import { BuildError } from '../core/errors.js';

/** The global ARGs: `--build-arg` values first, else the defaults (which may use earlier ones). */
export function globalArgsOf(metaArgs: readonly Instruction[], buildArgs: Readonly<Record<string, string>>, escape: '\\' | '`'): Map<string, string> {
  const values = new Map<string, string>();
  for (const ins of metaArgs) {
    for (const raw of ins.args) {
      const eq = raw.indexOf('=');
      const key = eq < 0 ? raw : raw.slice(0, eq);
      if (Object.prototype.hasOwnProperty.call(buildArgs, key)) values.set(key, buildArgs[key] ?? '');
      else if (eq >= 0) values.set(key, expandWord(raw.slice(eq + 1), (k) => values.get(k), { escape }));
    }
  }
  return values;
}

/** A stage with its base resolved against the global ARGs. */
export interface PlannedStage {
  /** Position in the Dockerfile. */
  index: number;
  /** The parsed stage. */
  stage: Stage;
  /** The base image reference (or stage name) after expansion. */
  base: string;
  /** The earlier stage it is built on, when its base names one. */
  baseStage?: number;
  /** Stages its `COPY --from` instructions read. */
  copiesFrom: number[];
}

/** Where `COPY --from=x` reads: a stage index, or an image reference. */
export function copySourceOf(from: string, stages: readonly { name?: string | undefined }[]): { stage: number } | { image: string } {
  if (/^[0-9]+$/.test(from)) return { stage: Number(from) };
  const byName = stages.findIndex((s) => s.name !== undefined && s.name === from.toLowerCase());
  return byName >= 0 ? { stage: byName } : { image: from };
}

/**
 * Resolves every stage's base and dependencies, and the stages the target needs (in file order).
 *
 * @throws BuildError `target stage "x" could not be found`, `base name (x) should not be blank`,
 *   `invalid stage index N`
 */
export function planStages(stages: readonly Stage[], globalArgs: ReadonlyMap<string, string>, target: string | undefined, escape: '\\' | '`'): { planned: PlannedStage[]; needed: number[] } {
  const planned: PlannedStage[] = stages.map((stage, index) => {
    let base: string;
    try {
      base = expandWord(stage.base, (k) => globalArgs.get(k), { escape });
    } catch (e) {
      throw new BuildError((e as Error).message, { details: { line: stage.from.line }, cause: e });
    }
    if (base === '') throw new BuildError(`base name (${stage.base}) should not be blank`, { details: { line: stage.from.line } });
    const p: PlannedStage = { index, stage, base, copiesFrom: [] };
    const byName = stages.findIndex((s, i) => i < index && s.name !== undefined && s.name === base.toLowerCase());
    if (byName >= 0) p.baseStage = byName;
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = instructionFlags(ins).get('from');
      if (typeof from !== 'string' || from === '') continue;
      const src = copySourceOf(from, stages);
      if ('stage' in src) {
        if (src.stage < 0 || src.stage >= stages.length) throw new BuildError(`invalid stage index ${src.stage}`, { details: { line: ins.line } });
        p.copiesFrom.push(src.stage);
      }
    }
    return p;
  });
  let targetIndex = stages.length - 1;
  if (target !== undefined && target !== '') {
    targetIndex = stages.findIndex((s) => s.name === target.toLowerCase());
    if (targetIndex < 0) throw new BuildError(`target stage "${target}" could not be found`, { details: { target } });
  }
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    const p = planned[i];
    if (!p) return;
    if (p.baseStage !== undefined) visit(p.baseStage);
    for (const dep of p.copiesFrom) visit(dep);
  };
  visit(targetIndex);
  return { planned, needed: [...needed].sort((a, b) => a - b) };
}
