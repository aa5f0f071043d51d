/**
 * The native backend benchmarks (issue 8), each against the Docker Engine on this host in the
 * same run, on the same busybox image:
 *
 * - create + start + wait + remove of `sh -c true` vs `docker run --rm` (goal: ratio <= 0.25),
 *   with a bare `runc run` of the same OCI config printed as the floor (goal: within 2x);
 * - 100 containers started in parallel (wall time) vs the same through the Engine API;
 * - loading an image archive with one 200 MiB layer vs `docker load`.
 *
 * Run alone with `npx tsx bench/native/index.ts`; `bench/run.ts` calls {@link benchNative}.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Engine } from '../../src/index.js';
import { probeDocker } from '../../src/backends/docker/index.js';
import { probeNative } from '../../src/backends/native/index.js';
import { mountsUnder, unmount } from '../../src/backends/native/containers/overlay-mount.js';
import { ociSpec } from '../../src/backends/native/runtime/bundle.js';
import { containerNofile } from '../../src/backends/native/runtime/rlimits.js';
import { NativePaths } from '../../src/backends/native/paths.js';
import { createNativeNetworks } from '../../src/backends/native/network/index.js';
import { SupervisorClient } from '../../src/backends/native/supervisor/client.js';
import { applyLayerToDirectory, decompressStream, writeImageArchive } from '../../src/fs-union/index.js';
import { seedTestImage, TEST_IMAGE } from '../../src/testing/index.js';
import { busyboxRootfsTar } from '../../src/testing/busybox-rootfs.js';
import type { BenchResult } from '../result.js';

const exec = promisify(execFile);

/** Options of {@link benchNative}. */
export interface NativeBenchOptions {
  /** Lifecycle iterations per client (default 20). */
  iterations?: number;
  /** Containers started at once (default 100). */
  parallel?: number;
  /** Layer size in bytes for the load benchmark (default 200 MiB). */
  layerBytes?: number;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** A bare runc bundle of the busybox rootfs running `sh -c true`, our OCI config. */
async function bareBundle(dir: string): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  await applyLayerToDirectory(decompressStream(busyboxRootfsTar({ requireBinary: true })), rootfs, { format: 'plain' });
  const spec = ociSpec({
    process: { args: ['sh', '-c', 'true'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, terminal: false, nofile: await containerNofile() },
    rootfs, hostname: 'bare', mounts: [], cgroupsPath: `/stowage-bench/${randomBytes(4).toString('hex')}`,
  });
  await writeFile(join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

/** A docker-archive holding one image with a layer of `bytes` random bytes (incompressible). */
async function bigArchive(path: string, bytes: number): Promise<void> {
  const layerPath = `${path}.layer`;
  const { pack } = await import('tar-stream');
  const tar = pack();
  const out = createWriteStream(layerPath);
  const piping = pipeline(tar, out);
  const entry = tar.entry({ name: 'big.bin', size: bytes, mode: 0o644, mtime: new Date(0) });
  for (let left = bytes; left > 0;) {
    const chunk = randomBytes(Math.min(left, 1024 * 1024));
    left -= chunk.length;
    if (!entry.write(chunk)) await new Promise<void>((r) => entry.once('drain', () => r()));
  }
  entry.end(undefined as unknown as Buffer);
  tar.finalize();
  await piping;
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(layerPath)) hash.update(chunk as Buffer);
  const diffId = `sha256:${hash.digest('hex')}`;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created: '2024-01-01T00:00:00Z' }] }));
  const { size } = await (await import('node:fs/promises')).stat(layerPath);
  await pipeline(writeImageArchive([{ config, repoTags: ['stowage-bench/big:1'], layers: [{ diffId, size, open: () => createReadStream(layerPath) }] }], { format: 'docker' }), createWriteStream(path));
  await rm(layerPath);
}

/** Runs the native benchmarks; throws when native or Docker is missing. */
export async function benchNative(options: NativeBenchOptions = {}): Promise<BenchResult[]> {
  if (!(await probeNative())) throw new Error('the native backend cannot run here (root, runc, overlayfs)');
  if (!(await probeDocker())) throw new Error('no Docker Engine to compare with');
  const iterations = options.iterations ?? 20;
  const parallel = options.parallel ?? 100;
  const layerBytes = options.layerBytes ?? 200 * 1024 * 1024;
  const dir = await mkdtemp(join('/tmp', 'stowage-bench-native-'));
  const roots = { root: join(dir, 'root'), runRoot: join('/dev/shm', `stowage-bench-run-${randomBytes(4).toString('hex')}`) };
  const native = await Engine.open({ backend: 'native', ...roots, network: { defaultSubnet: '10.251.0.0/24', subnetPool: '10.251.1.0/24', poolPrefix: 26 }, supervisorIdleMs: 10_000 });
  const docker = await Engine.open({ backend: 'docker' });
  const results: BenchResult[] = [];
  try {
    await seedTestImage(native);
    await seedTestImage(docker);
    const cmd = ['sh', '-c', 'true'];

    // (1) lifecycle vs docker run --rm, and the runc floor.
    const bundle = await bareBundle(join(dir, 'bare'));
    const runcRoot = join(roots.runRoot, 'bare-runc');
    await mkdir(runcRoot, { recursive: true });
    const clients: Record<string, () => Promise<void>> = {
      native: async () => {
        const c = await native.containers.create({ image: TEST_IMAGE, cmd });
        await c.start();
        if ((await c.wait()).exitCode !== 0) throw new Error('native: nonzero exit');
        await c.remove();
      },
      'docker run --rm': async () => { await exec('docker', ['run', '--rm', TEST_IMAGE, ...cmd]); },
      'runc run': async () => { await exec('runc', ['--root', runcRoot, 'run', '--bundle', bundle, `bare-${randomBytes(4).toString('hex')}`]); },
    };
    const totals: Record<string, number> = Object.fromEntries(Object.keys(clients).map((k) => [k, 0]));
    for (const fn of Object.values(clients)) for (let i = 0; i < 3; i++) await fn();
    for (let i = 0; i < iterations; i++) {
      const names = Object.keys(clients);
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + k) % names.length]!;
        totals[name]! += await timed(clients[name]!);
      }
    }
    const ms = (name: string): number => totals[name]! / iterations;
    results.push({ name: 'create+start+wait+remove `sh -c true` vs docker run --rm', ours: ms('native'), peer: ms('docker run --rm'), unit: 'ms/op', ratio: ms('native') / ms('docker run --rm'), note: 'goal <= 0.25' });
    results.push({ name: 'same vs bare `runc run` (the floor)', ours: ms('native'), peer: ms('runc run'), unit: 'ms/op', ratio: ms('native') / ms('runc run'), note: 'goal <= 2' });

    // (2) parallel starts.
    const startAll = async (engine: Engine): Promise<number> => {
      const created = await Promise.all(Array.from({ length: parallel }, () => engine.containers.create({ image: TEST_IMAGE, cmd: ['sleep', '600'] })));
      const wall = await timed(() => Promise.all(created.map((c) => c.start())));
      await Promise.all(created.map((c) => c.remove({ force: true })));
      return wall;
    };
    const nativeWall = await startAll(native);
    const dockerWall = await startAll(docker);
    results.push({ name: `${parallel} containers started in parallel`, ours: nativeWall, peer: dockerWall, unit: 'ms wall', ratio: nativeWall / dockerWall, note: 'peer: the same through the Engine API' });

    // (3) image load of a big layer vs docker load.
    const archive = join(dir, 'big.tar');
    await bigArchive(archive, layerBytes);
    const nativeLoad = await timed(() => native.images.load(createReadStream(archive)));
    const dockerLoad = await timed(() => exec('docker', ['load', '-i', archive]));
    await (await native.images.get('stowage-bench/big:1')).remove({ force: true });
    await exec('docker', ['rmi', '-f', 'stowage-bench/big:1']).catch(() => undefined);
    results.push({ name: `load of an archive with one ${Math.round(layerBytes / 1024 / 1024)} MiB layer vs docker load`, ours: nativeLoad, peer: dockerLoad, unit: 'ms', ratio: nativeLoad / dockerLoad });
  } finally {
    await native.close();
    await docker.close();
    await new SupervisorClient(new NativePaths(roots.root, roots.runRoot), { idleMs: 0 }).shutdown().catch(() => undefined);
    await createNativeNetworks({ root: roots.root, runRoot: roots.runRoot }).purge().catch(() => undefined);
    for (const mount of await mountsUnder(dir)) await unmount(mount).catch(() => undefined);
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    await rm(roots.runRoot, { recursive: true, force: true, maxRetries: 5 });
  }
  return results;
}

function fmt(n: number | null): string {
  if (n === null) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const results = await benchNative();
  console.log('| benchmark | Stowage | peer | ratio | unit | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.peer)} | ${fmt(r.ratio)} | ${r.unit} | ${r.note ?? ''} |`);
}
