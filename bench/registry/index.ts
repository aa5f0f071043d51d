/**
 * Registry pull throughput (issue 11): a ~200 MB, 5-layer image in a local `docker-registry`
 * (started here on a free port), pulled into the emulator and by `docker pull` from the same
 * registry in the same run. The native backend's pull joins when that backend lands. Run alone
 * with `npx tsx bench/registry/index.ts`; `bench/run.ts` calls {@link benchRegistry}.
 *
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { Engine } from '../../src/index.js';
import { sha256Digest } from '../../src/fs-union/digest.js';
import { RegistryClient } from '../../src/registry/index.js';
import { dockerAvailable, startDockerRegistry } from '../../test/registry/docker-registry.js';
import type { BenchResult } from '../result.js';

/** Options of {@link benchRegistry}. */
export interface RegistryBenchOptions {
  /** Layers in the image (default 5). */
  layers?: number;
  /** Bytes of file content per layer (default 40 MiB: random, so the blobs are as large). */
  layerBytes?: number;
  /** Pulls per contender; the best is kept (default 3). */
  rounds?: number;
}

/** One layer: 1 MiB files of random bytes, gzipped fast. */
async function makeLayer(index: number, bytes: number): Promise<{ blob: Buffer; diffId: string }> {
  const tar = pack();
  const file = 1024 * 1024;
  for (let i = 0; i * file < bytes; i++) {
    tar.entry({ name: `layer${index}/file${i}`, mode: 0o644, mtime: new Date(0) }, randomBytes(Math.min(file, bytes - i * file)));
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return { blob: gzipSync(raw, { level: 1 }), diffId: sha256Digest(raw) };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs the pull benchmark; throws without docker-registry. */
export async function benchRegistry(options: RegistryBenchOptions = {}): Promise<BenchResult[]> {
  const layerCount = options.layers ?? 5;
  const layerBytes = options.layerBytes ?? 40 * 1024 * 1024;
  const rounds = options.rounds ?? 3;
  const registry = await startDockerRegistry();
  try {
    const layers = [];
    for (let i = 0; i < layerCount; i++) layers.push(await makeLayer(i, layerBytes));
    const blobs = new Map(layers.map((l) => [sha256Digest(l.blob), l.blob]));
    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, created: '2024-01-01T00:00:00Z',
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'bench' })),
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    }));
    const ref = `${registry.host}/bench/big:1`;
    {
      await using client = new RegistryClient({ dockerConfig: false });
      await client.push(ref, { config: { bytes: config }, layers: layers.map((l) => ({ digest: sha256Digest(l.blob), size: l.blob.length })) }, {
        read: async (d) => Readable.from([blobs.get(d)!]),
      });
    }
    const total = layers.reduce((n, l) => n + l.blob.length, 0);
    const mb = total / 1e6;

    let ours = Infinity;
    for (let r = 0; r < rounds; r++) {
      await using engine = await Engine.open({ backend: 'emulator', registry: { dockerConfig: false } });
      ours = Math.min(ours, await timed(async () => {
        await engine.images.pull(ref);
      }));
    }
    const results: BenchResult[] = [];
    let peer: number | null = null;
    if (dockerAvailable()) {
      peer = Infinity;
      for (let r = 0; r < rounds; r++) {
        spawnSync('docker', ['rmi', '-f', ref], { encoding: 'utf8' });
        peer = Math.min(peer, await timed(async () => {
          execFileSync('docker', ['pull', '-q', ref], { stdio: ['ignore', 'pipe', 'pipe'] });
        }));
      }
      spawnSync('docker', ['rmi', '-f', ref], { encoding: 'utf8' });
    }
    const note = `${layerCount} layers, ${mb.toFixed(0)} MB compressed, local docker-registry; best of ${rounds}; docker pull also unpacks to disk`;
    results.push({ name: 'registry pull: emulator vs docker pull (time)', ours, peer, unit: 's', ratio: peer === null ? null : ours / peer, note });
    results.push({ name: 'registry pull: emulator vs docker pull (throughput)', ours: mb / ours, peer: peer === null ? null : mb / peer, unit: 'MB/s', ratio: peer === null ? null : peer / ours, note: 'higher is better' });
    return results;
  } finally {
    await registry.close();
  }
}

function fmt(n: number | null): string {
  if (n === null) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const results = await benchRegistry();
  console.log('| benchmark | Stowage | peer | ratio | unit | note |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.peer)} | ${fmt(r.ratio)} | ${r.unit} | ${r.note ?? ''} |`);
}
