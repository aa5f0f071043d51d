/**
 * The build benchmark (issue 9): a 10-step Dockerfile with a 5 MB COPY, built cold (no cache)
 * and rebuilt fully cached, on the emulator and with `DOCKER_BUILDKIT=1 docker build` of the
 * same context in the same run. Run on its own with `npx tsx bench/build/index.ts`;
 * `bench/run.ts` calls {@link benchBuild}. Medians of {@link ROUNDS} rounds.
 *
 * @module
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Engine } from '../../src/index.js';
import { seedTestImage } from '../../src/testing/index.js';
import { TEST_IMAGE } from '../../src/testing/busybox-rootfs.js';
import type { BenchResult } from '../result.js';

const exec = promisify(execFile);
const ROUNDS = 3;

/** A docker CLI with BuildKit built in (Engine 20.10's; a newer one needs buildx for it). */
function buildkitCli(): string | undefined {
  return ['/usr/bin/docker', 'docker'].find((c) =>
    spawnSync(c, ['build', '--help'], { env: { ...process.env, DOCKER_BUILDKIT: '1' }, stdio: 'ignore', timeout: 10_000 }).status === 0
    && spawnSync(c, ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 10_000 }).status === 0);
}

async function contextDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-bench-build-'));
  await writeFile(join(dir, 'payload.bin'), randomBytes(5 * 1024 * 1024));
  await writeFile(join(dir, 'small.txt'), 'small\n');
  await writeFile(join(dir, 'Dockerfile'), [
    `FROM ${TEST_IMAGE}`,
    'ENV APP=/app',
    'WORKDIR /app',
    'COPY payload.bin /app/payload.bin',
    'RUN echo one > /app/one',
    'RUN echo two > /app/two',
    'COPY small.txt /app/small.txt',
    'RUN cat /app/small.txt > /app/small.copy',
    'LABEL bench=build',
    'CMD ["ls", "/app"]',
    '',
  ].join('\n'));
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs the benchmark; docker figures are `null` when no BuildKit-capable engine answers. */
export async function benchBuild(): Promise<BenchResult[]> {
  const dir = await contextDir();
  const tag = `stowage-bench/build-${process.pid}:1`;
  const emulator = await Engine.open({ backend: 'emulator' });
  const cli = buildkitCli();
  try {
    await seedTestImage(emulator);
    const emuCold: number[] = [];
    const emuCached: number[] = [];
    await emulator.images.build({ context: dir, tags: [tag] });
    for (let i = 0; i < ROUNDS; i++) {
      emuCold.push(await timed(() => emulator.images.build({ context: dir, tags: [tag], noCache: true })));
      emuCached.push(await timed(() => emulator.images.build({ context: dir, tags: [tag] })));
    }
    const dockerCold: number[] = [];
    const dockerCached: number[] = [];
    if (cli) {
      const docker = await Engine.open({ backend: 'docker' });
      try {
        await seedTestImage(docker);
      } finally {
        await docker.close();
      }
      const env = { ...process.env, DOCKER_BUILDKIT: '1' };
      const build = (extra: string[]) => exec(cli, ['build', '-q', ...extra, '-t', tag, dir], { env, timeout: 600_000 });
      await build([]);
      for (let i = 0; i < ROUNDS; i++) {
        dockerCold.push(await timed(() => build(['--no-cache'])));
        dockerCached.push(await timed(() => build([])));
      }
      spawnSync(cli, ['rmi', '-f', tag], { stdio: 'ignore', timeout: 60_000 });
    }
    const row = (name: string, ours: number[], peer: number[]): BenchResult => {
      const o = median(ours);
      const p = peer.length > 0 ? median(peer) : null;
      return {
        name, ours: o, peer: p, unit: 'ms', ratio: p === null ? null : o / p,
        note: p === null ? 'no BuildKit-capable docker here' : `vs DOCKER_BUILDKIT=1 docker build, median of ${ROUNDS}`,
      };
    };
    return [
      row('build: 10 steps, 5 MB COPY, cold (emulator)', emuCold, dockerCold),
      row('build: 10 steps, 5 MB COPY, fully cached (emulator)', emuCached, dockerCached),
    ];
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Formats a figure as `bench/run.ts` does. */
function fmt(n: number | null): string {
  if (n === null) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log('| benchmark | Stowage | peer | ratio | unit | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of await benchBuild()) {
    console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.peer)} | ${fmt(r.ratio)} | ${r.unit} | ${r.note ?? ''} |`);
  }
}
