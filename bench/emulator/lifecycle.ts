/**
 * Benchmark: create + start + wait + remove of `sh -c 'echo hi > /f'` on the emulator through
 * the public API, in operations per second, against `docker run --rm` of the same command
 * through the docker CLI in the same run (goal: 200x). Both sides use the same busybox rootfs
 * (from {@link busyboxRootfsTar}), imported into each as `stowage-bench/busybox:latest`.
 *
 * @module
 */
import { Engine } from '../../src/index.js';
import { busyboxRootfsTar } from '../../src/testing/busybox-rootfs.js';
import type { BenchResult } from '../result.js';
import { BENCH_IMAGE, dockerImport, dockerRemoveImage, dockerRunRm, dockerServerVersion } from './docker-cli.js';

/** The command both sides run: a shell writing a file into the container's layer. */
export const LIFECYCLE_ARGV = ['sh', '-c', 'echo hi > /f'];

/** Options of {@link benchLifecycle}. */
export interface LifecycleBenchOptions {
  /** Timed emulator iterations (default 2,000). */
  iterations?: number;
  /** Untimed emulator iterations first, so the JIT and caches are warm (default 200). */
  warmup?: number;
  /** Timed `docker run --rm` iterations (default 10), after one untimed one. */
  dockerIterations?: number;
  /** Cancels the run between iterations and the docker commands. */
  signal?: AbortSignal;
}

/** One create + start + wait + remove; throws unless the program exited 0. */
async function oneLifecycle(engine: Engine, signal: AbortSignal | undefined): Promise<void> {
  const c = await engine.containers.create({ image: BENCH_IMAGE, cmd: LIFECYCLE_ARGV }, { signal });
  await c.start({ signal });
  const { exitCode } = await c.wait({ signal });
  if (exitCode !== 0) throw new Error(`${LIFECYCLE_ARGV.join(' ')} exited ${exitCode} on the emulator`);
  await c.remove({ signal });
}

/** Emulator side: warm-up, a check that the command really wrote /f, then the timed loop. */
async function measureEmulator(options: Required<Omit<LifecycleBenchOptions, 'signal' | 'dockerIterations'>>, signal?: AbortSignal): Promise<number> {
  await using engine = await Engine.open({ backend: 'emulator' });
  await engine.images.import(busyboxRootfsTar({ requireBinary: true }), { ref: BENCH_IMAGE, signal });

  // Prove the measured work is the real thing once: the file is in the container's diff.
  const probe = await engine.containers.create({ image: BENCH_IMAGE, cmd: LIFECYCLE_ARGV }, { signal });
  await probe.start({ signal });
  await probe.wait({ signal });
  const changes = await probe.diff({ signal });
  if (!changes.some((ch) => ch.path === '/f')) throw new Error(`emulator run did not write /f: ${JSON.stringify(changes)}`);
  await probe.remove({ signal });

  for (let i = 0; i < options.warmup; i++) await oneLifecycle(engine, signal);
  const start = performance.now();
  for (let i = 0; i < options.iterations; i++) await oneLifecycle(engine, signal);
  const seconds = (performance.now() - start) / 1000;
  return options.iterations / seconds;
}

/** Docker side: import the same rootfs, one untimed run, the timed runs, then remove the image. */
async function measureDocker(iterations: number, signal?: AbortSignal): Promise<number> {
  await dockerImport(busyboxRootfsTar({ requireBinary: true }), BENCH_IMAGE, { signal });
  try {
    await dockerRunRm(BENCH_IMAGE, LIFECYCLE_ARGV, { signal });
    const start = performance.now();
    for (let i = 0; i < iterations; i++) await dockerRunRm(BENCH_IMAGE, LIFECYCLE_ARGV, { signal });
    const seconds = (performance.now() - start) / 1000;
    return iterations / seconds;
  } finally {
    await dockerRemoveImage(BENCH_IMAGE);
  }
}

/**
 * Runs the lifecycle benchmark: emulator operations per second, and the ratio to
 * `docker run --rm` when `docker version` finds an engine (else peer and ratio are `null`).
 */
export async function benchLifecycle(options: LifecycleBenchOptions = {}): Promise<BenchResult[]> {
  const iterations = options.iterations ?? 2000;
  const warmup = options.warmup ?? 200;
  const dockerIterations = options.dockerIterations ?? 10;
  const ours = await measureEmulator({ iterations, warmup }, options.signal);

  const version = await dockerServerVersion({ signal: options.signal });
  const peer = version === undefined ? null : await measureDocker(dockerIterations, options.signal);
  const command = `sh -c 'echo hi > /f'`;
  return [
    {
      name: `emulator: create + start + wait + remove of ${command} (vs docker run --rm)`,
      ours: Number(ours.toFixed(1)),
      peer: peer === null ? null : Number(peer.toFixed(2)),
      unit: 'ops/s',
      ratio: peer === null ? null : Number((ours / peer).toFixed(1)),
      note:
        peer === null
          ? `no Docker engine answered \`docker version\`: no peer; ${iterations} iterations after ${warmup} warm-up`
          : `ratio = ours / docker's ops/s (higher is better, goal 200x); ours ${iterations} iterations after ${warmup} ` +
            `warm-up, docker ${dockerIterations} after 1 (Engine ${version}, CLI), same busybox rootfs on both`,
    },
  ];
}
