/**
 * The emulator benchmarks (issue 3): container lifecycle throughput against `docker run --rm`,
 * the extra memory of 1,000 running containers of one ~50 MB image, and (issues 7 and 10) the
 * shell's counting loop against busybox's ash.
 * Run on their own with `npx tsx bench/emulator/index.ts` (prints a table); `bench/run.ts`
 * calls {@link benchEmulator}.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from '../result.js';
import { benchLifecycle } from './lifecycle.js';
import { benchContainerMemory } from './memory.js';
import { benchShellLoop } from './shell-loop.js';

/** Options of {@link benchEmulator}. */
export interface EmulatorBenchOptions {
  /** Cancels the benchmarks between steps. */
  signal?: AbortSignal;
}

/** Runs the emulator benchmarks, memory first (it runs in a child process and is the quicker). */
export async function benchEmulator(options: EmulatorBenchOptions = {}): Promise<BenchResult[]> {
  const memory = await benchContainerMemory({ signal: options.signal });
  const lifecycle = await benchLifecycle({ signal: options.signal });
  const loop = await benchShellLoop({ signal: options.signal });
  return [...lifecycle, ...memory, ...loop];
}

/** Formats a figure as `bench/run.ts` does. */
function fmt(n: number | null): string {
  if (n === null) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const results = await benchEmulator();
  console.log('| benchmark | Stowage | peer | ratio | unit | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.peer)} | ${fmt(r.ratio)} | ${r.unit} | ${r.note ?? ''} |`);
  }
}
