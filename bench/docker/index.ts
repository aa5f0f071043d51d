/**
 * The Docker backend benchmarks (issue 4), against the engine on this host in one run:
 * (a) container lifecycle throughput vs dockerode@4 and the `docker` CLI, (b) log streaming
 * throughput and peak RSS vs dockerode's demux. Run alone with `npx tsx bench/docker/index.ts`;
 * `bench/run.ts` calls {@link benchDocker}.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../../src/index.js';
import { probeDocker } from '../../src/backends/docker/index.js';
import { seedTestImage, TEST_IMAGE } from '../../src/testing/index.js';
import type { BenchResult } from '../result.js';
import { benchDockerLifecycle } from './lifecycle.js';
import { benchDockerLogs } from './logs.js';

/** Options of {@link benchDocker}. */
export interface DockerBenchOptions {
  /** Lifecycle iterations per client (default 30). */
  iterations?: number;
  /** Bytes the log writer container prints (default 200 MiB). */
  logBytes?: number;
  /** Cancels between steps. */
  signal?: AbortSignal;
}

/** Runs both Docker benchmarks; throws when no engine answers. */
export async function benchDocker(options: DockerBenchOptions = {}): Promise<BenchResult[]> {
  if (!(await probeDocker())) throw new Error('no Docker Engine answers (DOCKER_HOST, docker context, /var/run/docker.sock)');
  await using engine = await Engine.open({ backend: 'docker' });
  // The busybox test image, imported locally as the conformance suite does: nothing is pulled.
  await seedTestImage(engine);
  const lifecycle = await benchDockerLifecycle({ engine, image: TEST_IMAGE, ...(options.iterations ? { iterations: options.iterations } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const logs = await benchDockerLogs({ engine, image: TEST_IMAGE, ...(options.logBytes ? { bytes: options.logBytes } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  return [...lifecycle, ...logs];
}

/** Formats a figure as `bench/run.ts` does. */
function fmt(n: number | null): string {
  if (n === null) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const results = await benchDocker();
  console.log('| benchmark | Stowage | peer | ratio | unit | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.peer)} | ${fmt(r.ratio)} | ${r.unit} | ${r.note ?? ''} |`);
  }
}
