/**
 * Benchmark: create + start + wait + remove of `sh -c 'echo hi > /f'` on the emulator through
 * the public API, in operations per second, against `docker run --rm` of the same command
 * through the docker CLI in the same run (goal: 200x). The emulator runs it twice: on the same
 * busybox rootfs Docker gets (from {@link busyboxRootfsTar}, imported into each as
 * `stowage-bench/busybox:latest`, with Debian's real 2 MB binary), and on its built-in
 * synthetic `busybox`, whose `/bin/busybox` is a few bytes; the gap between the two is what
 * starting from a real binary costs the emulator.
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
  /** Timed emulator iterations per image, split across the rounds (default 2,000). */
  iterations?: number;
  /** Untimed emulator iterations per image first, so the JIT and caches are warm (default 200). */
  warmup?: number;
  /** Timed `docker run --rm` iterations, split across the rounds (default 10), after one untimed. */
  dockerIterations?: number;
  /**
   * Rounds the timed work is split into, alternating emulator and docker batches, so load
   * from other processes on the machine falls on both sides alike (default 2).
   */
  rounds?: number;
  /** Cancels the run between iterations and the docker commands. */
  signal?: AbortSignal;
}

/**
 * Which image the emulator side runs: `imported` is the busybox rootfs Docker gets too (the
 * real 2 MB binary), `builtin` the emulator's own synthetic `busybox` from its catalogue.
 */
export type EmulatorImageSource = 'imported' | 'builtin';

/** A timed side of the comparison: runs one operation; accumulates time and count. */
interface Side {
  once: () => Promise<void>;
  seconds: number;
  count: number;
}

/** Runs `n` operations of a side back to back and adds their wall time to it. */
async function timeBatch(side: Side, n: number, signal?: AbortSignal): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    signal?.throwIfAborted();
    await side.once();
  }
  side.seconds += (performance.now() - start) / 1000;
  side.count += n;
}

/** One create + start + wait + remove; throws unless the program exited 0. */
async function oneLifecycle(engine: Engine, image: string, signal: AbortSignal | undefined): Promise<void> {
  const c = await engine.containers.create({ image, cmd: LIFECYCLE_ARGV }, { signal });
  await c.start({ signal });
  const { exitCode } = await c.wait({ signal });
  if (exitCode !== 0) throw new Error(`${LIFECYCLE_ARGV.join(' ')} exited ${exitCode} on the emulator`);
  await c.remove({ signal });
}

/**
 * Emulator side: a fresh engine with the image, a check that the command really writes /f
 * (so the timed work is the real thing), then the warm-up.
 */
async function prepareEmulator(engine: Engine, source: EmulatorImageSource, warmup: number, signal?: AbortSignal): Promise<Side> {
  const image =
    source === 'imported'
      ? await engine.images.import(busyboxRootfsTar({ requireBinary: true }), { ref: BENCH_IMAGE, signal })
      : await engine.images.pull('busybox', { signal });
  const probe = await engine.containers.create({ image: image.id, cmd: LIFECYCLE_ARGV }, { signal });
  await probe.start({ signal });
  await probe.wait({ signal });
  const changes = await probe.diff({ signal });
  if (!changes.some((ch) => ch.path === '/f')) throw new Error(`emulator run did not write /f: ${JSON.stringify(changes)}`);
  await probe.remove({ signal });
  const side: Side = { once: () => oneLifecycle(engine, image.id, signal), seconds: 0, count: 0 };
  for (let i = 0; i < warmup; i++) await side.once();
  return side;
}

/** Splits `total` into `parts` batch sizes that add up to it. */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor((total * (i + 1)) / parts) - Math.floor((total * i) / parts));
}

/**
 * Runs the lifecycle benchmark: emulator operations per second on the same imported busybox
 * rootfs Docker runs and on the emulator's built-in `busybox`, each with its ratio to
 * `docker run --rm` when `docker version` finds an engine (else peer and ratio are `null`).
 */
export async function benchLifecycle(options: LifecycleBenchOptions = {}): Promise<BenchResult[]> {
  const { signal } = options;
  const iterations = options.iterations ?? 2000;
  const warmup = options.warmup ?? 200;
  const dockerIterations = options.dockerIterations ?? 10;
  const rounds = options.rounds ?? 2;

  await using importedEngine = await Engine.open({ backend: 'emulator' });
  await using builtinEngine = await Engine.open({ backend: 'emulator' });
  const imported = await prepareEmulator(importedEngine, 'imported', warmup, signal);
  const builtin = await prepareEmulator(builtinEngine, 'builtin', warmup, signal);

  const version = await dockerServerVersion({ signal });
  let docker: Side | undefined;
  if (version !== undefined) {
    await dockerImport(busyboxRootfsTar({ requireBinary: true }), BENCH_IMAGE, { signal });
    docker = { once: () => dockerRunRm(BENCH_IMAGE, LIFECYCLE_ARGV, { signal }), seconds: 0, count: 0 };
    await docker.once(); // untimed: the first run pays for loading the image's layer
  }
  try {
    const ours = split(iterations, rounds);
    const theirs = split(dockerIterations, rounds);
    for (let r = 0; r < rounds; r++) {
      await timeBatch(imported, ours[r]!, signal);
      await timeBatch(builtin, ours[r]!, signal);
      if (docker) await timeBatch(docker, theirs[r]!, signal);
    }
  } finally {
    if (docker) await dockerRemoveImage(BENCH_IMAGE);
  }

  const rate = (side: Side): number => side.count / side.seconds;
  const peer = docker ? rate(docker) : null;
  const command = `sh -c 'echo hi > /f'`;
  const runs = `ours ${iterations} iterations after ${warmup} warm-up`;
  const row = (side: Side, image: string): BenchResult => ({
    name: `emulator: create + start + wait + remove of ${command}, ${image} (vs docker run --rm)`,
    ours: Number(rate(side).toFixed(1)),
    peer: peer === null ? null : Number(peer.toFixed(2)),
    unit: 'ops/s',
    ratio: peer === null ? null : Number((rate(side) / peer).toFixed(1)),
    note:
      peer === null
        ? `no Docker engine answered \`docker version\`: no peer; ${runs}`
        : `ratio = ours / docker's ops/s (higher is better, goal 200x); ${runs}, docker ${dockerIterations} after 1, ` +
          `in ${rounds} alternating rounds (Engine ${version}, CLI, busybox-static rootfs imported as ${BENCH_IMAGE})`,
  });
  return [row(imported, 'same busybox-static rootfs as docker'), row(builtin, "emulator's built-in busybox")];
}
