/**
 * Benchmark: the emulator's shell on a counting loop, `i=0; while [ $i -lt N ]; do
 * i=$((i+1)); done`, run as a container's main program through the public API, against
 * `/usr/bin/busybox sh -c` of the same script on the host in the same run (issue 10's goal:
 * within 3x). The emulator's time includes the preemption checkpoints that keep Node's event
 * loop turning while the loop runs (issue 7). Run on its own with
 * `npx tsx bench/emulator/shell-loop.ts [N]`.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Engine } from '../../src/index.js';
import type { BenchResult } from '../result.js';

const HOST_BUSYBOX = '/usr/bin/busybox';

/** The script both sides run. */
export function loopScript(n: number): string {
  return `i=0; while [ $i -lt ${n} ]; do i=$((i+1)); done; echo $i`;
}

/** Options of {@link benchShellLoop}. */
export interface ShellLoopBenchOptions {
  /** Loop iterations (default 200,000). */
  iterations?: number;
  /** Timed runs of each side, alternating; the fastest counts (default 3). */
  runs?: number;
  /** Cancels between runs. */
  signal?: AbortSignal;
}

/** One run in an emulated container; resolves to seconds. */
async function emulatorRun(engine: Engine, script: string, expected: string, signal?: AbortSignal): Promise<number> {
  const start = performance.now();
  const c = await engine.containers.run({ image: 'busybox', cmd: ['sh', '-c', script] }, { signal });
  const { exitCode } = await c.wait({ signal });
  const seconds = (performance.now() - start) / 1000;
  let out = '';
  for await (const line of c.logs({ stdout: true, stderr: true })) out += line.text;
  await c.remove({ signal });
  if (exitCode !== 0 || out !== expected) throw new Error(`emulator loop ended ${exitCode} with ${JSON.stringify(out)}`);
  return seconds;
}

/** One run of the host's busybox; resolves to seconds. */
async function busyboxRun(script: string, expected: string, signal?: AbortSignal): Promise<number> {
  const start = performance.now();
  const { stdout } = await promisify(execFile)(HOST_BUSYBOX, ['sh', '-c', script], { signal });
  const seconds = (performance.now() - start) / 1000;
  if (stdout.trim() !== expected) throw new Error(`busybox loop printed ${JSON.stringify(stdout)}`);
  return seconds;
}

/**
 * Times the loop on the emulator and, when `/usr/bin/busybox` is there, on busybox's ash;
 * reports the fastest of `runs` for each (seconds, lower is better).
 */
export async function benchShellLoop(options: ShellLoopBenchOptions = {}): Promise<BenchResult[]> {
  const n = options.iterations ?? 200_000;
  const runs = options.runs ?? 3;
  const { signal } = options;
  const script = loopScript(n);
  await using engine = await Engine.open({ backend: 'emulator' });
  await engine.images.pull('busybox', { signal });
  await emulatorRun(engine, loopScript(1000), '1000', signal); // untimed: warms the JIT
  const peer = existsSync(HOST_BUSYBOX);
  let ours = Infinity;
  let theirs = Infinity;
  for (let r = 0; r < runs; r++) {
    ours = Math.min(ours, await emulatorRun(engine, script, String(n), signal));
    if (peer) theirs = Math.min(theirs, await busyboxRun(script, String(n), signal));
  }
  return [{
    name: `emulator: sh counting loop of ${n} iterations (vs busybox sh on the host)`,
    ours: Number(ours.toFixed(3)),
    peer: peer ? Number(theirs.toFixed(3)) : null,
    unit: 's',
    ratio: peer ? Number((ours / theirs).toFixed(1)) : null,
    note: peer
      ? `ratio = ours / busybox's seconds (lower is better, goal 3x); fastest of ${runs} alternating runs`
      : `no ${HOST_BUSYBOX}: no peer; fastest of ${runs} runs`,
  }];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const n = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  for (const r of await benchShellLoop(n === undefined ? {} : { iterations: n })) {
    console.log(`${r.name}: ours ${r.ours} ${r.unit}, busybox ${r.peer ?? '-'} ${r.unit}, ratio ${r.ratio ?? '-'} (${r.note ?? ''})`);
  }
}
