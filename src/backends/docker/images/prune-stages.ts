/**
 * BuildKit builds only the stages its target needs; Engine 20.10's classic builder (`/build`
 * without a BuildKit session) builds every stage up to the target, so an unused stage that
 * fails fails the build. Before sending a Dockerfile, the stages the target does not need are
 * cut out of its text (with the builder's own stage planning) and `COPY --from=<index>`
 * references are renumbered.
 *
 * @module
 */
import { globalArgsOf, planStages } from '../../../builder/stage-graph.js';
import { dockerfileStages } from '../../../core/dockerfile/instructions.js';
import { parseDockerfile } from '../../../core/dockerfile/parser.js';

/**
 * The Dockerfile text with only the stages the target needs (and the global ARGs), or
 * undefined when nothing is to be cut (or the text does not parse, or names a missing target:
 * the engine then reports the problem in its own words).
 */
export function pruneDockerfile(text: string, target: string | undefined, buildArgs: Readonly<Record<string, string>>): string | undefined {
  let kept: number[];
  let stages;
  try {
    const df = parseDockerfile(text);
    const escape = df.directives.escape ?? '\\';
    const view = dockerfileStages(df.instructions);
    stages = view.stages;
    kept = planStages(stages, globalArgsOf(view.metaArgs, buildArgs, escape), target, escape).needed;
  } catch {
    return undefined;
  }
  // The classic builder stops at the target anyway: only a gap before it needs cutting.
  const last = kept[kept.length - 1] ?? 0;
  if (kept.length === last + 1) return undefined;
  const lines = text.split('\n');
  const out = lines.slice(0, (stages[0]?.from.line ?? 1) - 1);
  const renumber = new Map(kept.map((old, i) => [old, i]));
  for (const i of kept) {
    const stage = stages[i];
    if (!stage) continue;
    const next = stages[i + 1];
    const body = lines.slice(stage.from.line - 1, next ? next.from.line - 1 : lines.length);
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'COPY') continue;
      for (let l = ins.line; l <= ins.endLine; l++) {
        const at = l - stage.from.line;
        body[at] = (body[at] ?? '').replace(/--from=([0-9]+)\b/, (m, n: string) => {
          const moved = renumber.get(Number(n));
          return moved === undefined ? m : `--from=${moved}`;
        });
      }
    }
    out.push(...body);
  }
  return out.join('\n');
}
