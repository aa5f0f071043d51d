/**
 * BuildKit builds only the stages its target needs; Engine 20.10's classic builder (`/build`
 * without a BuildKit session) builds every stage up to the target, so an unused stage that
 * fails fails the build. Before sending a Dockerfile, the stages the target does not need are
 * cut out of its text and `COPY --from=<index>` references are renumbered.
 *
 * @module
 */
import { instructionFlags } from '../../../core/dockerfile/instructions.js';
import { dockerfileStages } from '../../../core/dockerfile/instructions.js';
import { parseDockerfile } from '../../../core/dockerfile/parser.js';
import { expandWord } from '../../../core/dockerfile/shell-lex.js';

/**
 * The Dockerfile text with only the stages the target needs (and the global ARGs), or
 * undefined when nothing is to be cut (or the text does not parse: the engine then reports
 * the problem in its own words).
 */
export function pruneDockerfile(text: string, target: string | undefined, buildArgs: Readonly<Record<string, string>>): string | undefined {
  let stages;
  let metaArgs;
  try {
    ({ stages, metaArgs } = dockerfileStages(parseDockerfile(text).instructions));
  } catch {
    return undefined;
  }
  if (stages.length < 2) return undefined;
  // Stage bases may use global ARGs: resolve them as the build will.
  const globals = new Map<string, string>();
  for (const ins of metaArgs) {
    for (const raw of ins.args) {
      const eq = raw.indexOf('=');
      const key = eq < 0 ? raw : raw.slice(0, eq);
      if (Object.prototype.hasOwnProperty.call(buildArgs, key)) globals.set(key, buildArgs[key] ?? '');
      else if (eq >= 0) globals.set(key, expandWord(raw.slice(eq + 1), (k) => globals.get(k)));
    }
  }
  const byName = (name: string, before: number): number => stages.findIndex((s, i) => i < before && s.name === name.toLowerCase());
  const deps = stages.map((stage, index) => {
    const out: number[] = [];
    let base: string;
    try {
      base = expandWord(stage.base, (k) => globals.get(k));
    } catch {
      base = stage.base;
    }
    const baseStage = byName(base, index);
    if (baseStage >= 0) out.push(baseStage);
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'COPY') continue;
      let from: unknown;
      try {
        from = instructionFlags(ins).get('from');
      } catch {
        continue;
      }
      if (typeof from !== 'string' || from === '') continue;
      const ref = /^[0-9]+$/.test(from) ? Number(from) : stages.findIndex((s) => s.name === from.toLowerCase());
      if (ref >= 0 && ref < stages.length) out.push(ref);
    }
    return out;
  });
  const targetIndex = target ? stages.findIndex((s) => s.name === target.toLowerCase()) : stages.length - 1;
  if (targetIndex < 0) return undefined;
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of deps[i] ?? []) visit(d);
  };
  visit(targetIndex);
  // Stages after the target are never built by the classic builder either.
  const kept = [...needed].sort((a, b) => a - b);
  if (kept.length === targetIndex + 1) return undefined;
  const lines = text.split('\n');
  const firstFrom = (stages[0]?.from.line ?? 1) - 1;
  const out = lines.slice(0, firstFrom);
  const renumber = new Map(kept.map((old, i) => [old, i]));
  for (const i of kept) {
    const stage = stages[i];
    if (!stage) continue;
    const next = stages[i + 1];
    const end = next ? next.from.line - 1 : lines.length;
    const body = lines.slice(stage.from.line - 1, end);
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
