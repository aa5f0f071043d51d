/**
 * Benchmark: 1,000 running containers of one ~50 MB image on the emulator, extra memory
 * (goal: under 100 MB). Measured in a child process (`memory-child.ts`) so the baseline is a
 * fresh engine holding only the imported image, not this process's earlier work.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from '../result.js';
import type { MemoryChildReport } from './memory-child.js';

const run = promisify(execFile);
const MB = 1024 * 1024;
/** The goal for 1,000 containers, in MB. */
export const MEMORY_GOAL_MB = 100;

/** Options of {@link benchContainerMemory}. */
export interface ContainerMemoryOptions {
  /** Containers to create and start (default 1,000). */
  containers?: number;
  /** Cancels the child process. */
  signal?: AbortSignal;
}

/** Runs `memory-child.ts` under node with the tsx loader and --expose-gc, and parses its report. */
export async function runMemoryChild(count: number, options: { signal?: AbortSignal } = {}): Promise<MemoryChildReport> {
  const here = dirname(fileURLToPath(import.meta.url));
  // Resolve tsx's loader from this project (a file URL), so the child does not depend on the caller's cwd.
  const tsx = import.meta.resolve('tsx');
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--import', tsx, join(here, 'memory-child.ts'), String(count)],
    { timeout: 180_000, maxBuffer: 1 << 20, signal: options.signal },
  );
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as MemoryChildReport;
}

/**
 * Measures the extra memory of the containers and returns it as a benchmark figure.
 *
 * The figure is the larger of two deltas taken after a full gc: resident set size, and V8
 * heap plus external (Buffer) memory. RSS alone can understate, because the pages the import
 * freed stay resident and the containers' objects move into them; the heap delta cannot be
 * masked that way.
 */
export async function benchContainerMemory(options: ContainerMemoryOptions = {}): Promise<BenchResult[]> {
  const count = options.containers ?? 1000;
  const r = await runMemoryChild(count, options);
  if (r.running !== count) throw new Error(`only ${r.running} of ${count} containers were running at the measurement`);
  const rssDelta = (r.rssAfter - r.rssBefore) / MB;
  const heapDelta = (r.heapAfter + r.externalAfter - r.heapBefore - r.externalBefore) / MB;
  const extra = Math.max(rssDelta, heapDelta);
  const perContainerKb = (extra * 1024) / count;
  return [
    {
      name: `emulator: extra memory of ${count} running containers of one ${(r.imageSize / MB).toFixed(0)} MB image`,
      ours: Number(extra.toFixed(1)),
      peer: MEMORY_GOAL_MB,
      unit: 'MB',
      ratio: Number((extra / MEMORY_GOAL_MB).toFixed(3)),
      note:
        `peer = the 100 MB goal, ratio = extra / goal (under 1 meets it); created and started, each running ` +
        `\`sleep 1000\`; extra = max(RSS delta ${rssDelta.toFixed(1)} MB, heap+external delta ${heapDelta.toFixed(1)} MB) ` +
        `after gc, ${perContainerKb.toFixed(1)} KB/container; a copy per container would be ` +
        `${((count * r.imageSize) / MB / 1024).toFixed(1)} GB; baseline RSS with the image ${(r.rssBefore / MB).toFixed(0)} MB`,
    },
  ];
}
