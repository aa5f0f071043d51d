/**
 * Benchmark (a): create + start + wait + remove of `sh -c true`, through Stowage, through
 * dockerode@4 and through the `docker` CLI (`docker run --rm`), against the same engine in one
 * run. Rounds interleave the three clients so drift of the engine hits them alike.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { Engine } from '../../src/index.js';
import type { BenchResult } from '../result.js';

const run = promisify(execFile);

/** Options of {@link benchDockerLifecycle}. */
export interface DockerLifecycleOptions {
  /** The engine to measure Stowage through (docker backend). */
  engine: Engine;
  /** The image to run (the busybox test image). */
  image: string;
  /** Measured containers per client (default 30), after 3 warm-up ones. */
  iterations?: number;
  /** Cancels between iterations. */
  signal?: AbortSignal;
}

type Client = { name: string; once: () => Promise<void> };

/** Runs the lifecycle comparison; returns ops/s for each client and the ratios. */
export async function benchDockerLifecycle(options: DockerLifecycleOptions): Promise<BenchResult[]> {
  const { engine, image } = options;
  const iterations = options.iterations ?? 30;
  const dockerode = new Docker({ socketPath: '/var/run/docker.sock' });
  const cmd = ['sh', '-c', 'true'];
  const clients: Client[] = [
    {
      name: 'stowage',
      once: async () => {
        const c = await engine.containers.create({ image, cmd });
        await c.start();
        const { exitCode } = await c.wait();
        if (exitCode !== 0) throw new Error(`stowage: exit ${exitCode}`);
        await c.remove();
      },
    },
    {
      name: 'dockerode',
      once: async () => {
        const c = await dockerode.createContainer({ Image: image, Cmd: cmd });
        await c.start();
        const { StatusCode } = (await c.wait()) as { StatusCode: number };
        if (StatusCode !== 0) throw new Error(`dockerode: exit ${StatusCode}`);
        await c.remove();
      },
    },
    {
      name: 'docker-cli',
      once: async () => {
        await run('docker', ['run', '--rm', image, ...cmd], { signal: options.signal });
      },
    },
  ];
  const totals = new Map<string, number>(clients.map((c) => [c.name, 0]));
  for (let i = 0; i < 3; i++) for (const c of clients) await c.once();
  for (let i = 0; i < iterations; i++) {
    options.signal?.throwIfAborted();
    // Rotate the order each round so no client always runs right after another.
    for (let k = 0; k < clients.length; k++) {
      const client = clients[(i + k) % clients.length]!;
      const t0 = performance.now();
      await client.once();
      totals.set(client.name, totals.get(client.name)! + performance.now() - t0);
    }
  }
  const opsPerSec = (name: string): number => (iterations * 1000) / totals.get(name)!;
  const ours = opsPerSec('stowage');
  const node = opsPerSec('dockerode');
  const cli = opsPerSec('docker-cli');
  const msEach = (name: string): number => totals.get(name)! / iterations;
  return [
    {
      name: 'docker: create+start+wait+remove `sh -c true`, ops/s vs dockerode@4',
      ours, peer: node, unit: 'ops/s', ratio: ours / node,
      note: `time ratio stowage/dockerode ${(msEach('stowage') / msEach('dockerode')).toFixed(2)} (target <= 1.0); ${iterations} each, interleaved`,
    },
    {
      name: 'docker: create+start+wait+remove `sh -c true`, ops/s vs `docker run --rm`',
      ours, peer: cli, unit: 'ops/s', ratio: ours / cli,
      note: `time ratio stowage/cli ${(msEach('stowage') / msEach('docker-cli')).toFixed(2)}`,
    },
  ];
}
