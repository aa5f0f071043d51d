/**
 * One build in progress: the host, the context, the options, the finished stages, and the
 * step bookkeeping (numbering, progress reports, the cache, history rows) that every kind of
 * step shares.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { ProgressEvent } from '../core/schemas/image.js';
import type { BuildStep } from '../core/schemas/index.js';
import type { BuildContext } from './context.js';
import type { BuildHost, BuildLayer } from './host.js';
import { HISTORY_COMMENT, type StageState } from './stage-state.js';

/** What a build was asked for (the backend's BuildRequest without its context). */
export interface BuildOptions {
  /** `--build-arg` values. */
  buildArgs: Record<string, string>;
  /** Stage to stop at (default: the last). */
  target?: string;
  /** Ignore the cache (every step runs; results still go into the cache). */
  noCache: boolean;
  /** Labels added to the final image. */
  labels: Record<string, string>;
  /** References to tag the result with. */
  tags: string[];
  /** Progress reports: step headers, output lines, cache hits. */
  onProgress?: (event: ProgressEvent) => void;
  /** Whether RUN --mount and friends may be used (the host supports them); default false. */
  runMounts?: boolean;
  /** The clock (history times, file times of copied directories). */
  now?: () => Date;
  /** Cancels the build. */
  signal?: AbortSignal;
}

/** A hex sha256 over the parts of a cache key. */
export function cacheKey(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The shared state of one build. */
export class BuildSession<L extends BuildLayer> {
  readonly steps: BuildStep[] = [];
  /** Finished stages by index (for FROM <stage> and COPY --from). */
  readonly stages = new Map<number, StageState<L>>();
  #number = 0;

  constructor(
    readonly host: BuildHost<L>,
    readonly context: BuildContext,
    readonly options: BuildOptions,
    readonly escape: '\\' | '`',
    readonly globalArgs: ReadonlyMap<string, string>,
    public total: number,
  ) {}

  /** The current time. */
  now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /** Starts a step: numbers it and reports its header. */
  begin(instruction: string): { index: number; report: (status: string) => void } {
    const index = ++this.#number;
    const id = `step ${index}`;
    const report = (status: string): void => this.options.onProgress?.({ id, status });
    report(`Step ${index}/${Math.max(this.total, index)} : ${instruction}`);
    return { index, report };
  }

  /** Looks a step up in the cache (never a hit with `noCache`). */
  async lookup(key: string): Promise<{ layer?: L } | undefined> {
    if (this.options.noCache) return undefined;
    return this.host.cache.get(key, this.options.signal);
  }

  /** Records a finished step: the history row, the layer, the chain key, the step report. */
  finish(state: StageState<L>, step: { instruction: string; key: string; cached: boolean; createdBy?: string; layer?: L }, report: (s: string) => void): void {
    if (step.cached) report(' ---> Using cache');
    if (step.layer) state.layers.push(step.layer);
    if (step.createdBy !== undefined) {
      state.history.push({ created: this.now(), createdBy: step.createdBy, comment: HISTORY_COMMENT, emptyLayer: step.layer === undefined });
    }
    state.cacheKey = step.key;
    const row: BuildStep = { instruction: step.instruction, cached: step.cached };
    if (step.layer) row.layer = step.layer.diffId;
    this.steps.push(row);
  }
}
