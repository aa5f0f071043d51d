/**
 * Benchmark: apply a generated ~200 MB, ~20,000-file layer tar to a directory (overlay format)
 * with {@link applyLayerToDirectory}, against GNU `tar -xf` of the same file into a fresh
 * directory on the same filesystem. Both read the same tar file; each side runs several times,
 * alternating, and the median is reported.
 *
 * Target directory: `STOWAGE_BENCH_DIR` (a temp dir is made inside it), default a temp dir
 * under the project's `.bench-tmp/`; it is removed afterwards. The /work disk is slow, so for a
 * quick run point it at tmpfs: `STOWAGE_BENCH_DIR=/dev/shm npx tsx bench/fs-union/apply.ts`.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { applyLayerToDirectory } from '../../src/fs-union/host/apply.js';
import { entryHeaderBlocks, paddedSize } from '../../src/fs-union/host/tar-blocks.js';
import type { BenchResult } from '../result.js';

const run = promisify(execFile);
const FILES = 20_000;
const DIRS = 200;
const TOTAL_BYTES = 200 * 1024 * 1024;
const ROUNDS = 4;

/** Writes the layer tar: DIRS directories, FILES files of varied sizes averaging 10 KiB. */
async function generateLayer(file: string): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const pool = randomBytes(1 << 20);
  const mean = Math.floor(TOTAL_BYTES / FILES);
  let written = 0;
  const write = async (buf: Buffer): Promise<void> => {
    written += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  const mtime = 1_700_000_000;
  for (let d = 0; d < DIRS; d++) {
    await write(entryHeaderBlocks({ name: `usr/share/d${d}/`, type: '5', mode: 0o755, uid: 0, gid: 0, mtime, size: 0 }));
  }
  for (let i = 0; i < FILES; i++) {
    // Sizes from 0 to 2x the mean, so small and large files both occur.
    const size = (i * 7919) % (2 * mean);
    await write(entryHeaderBlocks({ name: `usr/share/d${i % DIRS}/file-${i}.dat`, type: '0', mode: 0o644, uid: 0, gid: 0, mtime, size }));
    const start = (i * 104729) % (pool.length - size);
    const padded = Buffer.alloc(paddedSize(size));
    pool.copy(padded, 0, start, start + size);
    await write(padded);
  }
  await write(Buffer.alloc(1024));
  out.end();
  await once(out, 'finish');
  return written;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

/** Runs the benchmark and returns its figure (seconds, ours/peer). */
export async function benchApply(): Promise<BenchResult[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const base = resolve(process.env['STOWAGE_BENCH_DIR'] ?? join(here, '..', '..', '.bench-tmp'));
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'apply-'));
  try {
    const tarFile = join(dir, 'layer.tar');
    const bytes = await generateLayer(tarFile);
    const ours: number[] = [];
    const peer: number[] = [];
    // Each timed run starts with no dirty pages (sync), so one side does not pay for the other's
    // writeback on a disk target; the order alternates between rounds for the same reason.
    const timePeer = async (round: number): Promise<void> => {
      const peerDir = join(dir, `peer-${round}`);
      await mkdir(peerDir);
      await run('sync');
      const t = performance.now();
      await run('tar', ['-xf', tarFile, '-C', peerDir]);
      peer.push((performance.now() - t) / 1000);
      await rm(peerDir, { recursive: true, force: true });
    };
    const timeOurs = async (round: number): Promise<void> => {
      const ourDir = join(dir, `ours-${round}`);
      await run('sync');
      const t = performance.now();
      await applyLayerToDirectory(createReadStream(tarFile, { highWaterMark: 1 << 20 }), ourDir, { format: 'overlay' });
      ours.push((performance.now() - t) / 1000);
      await rm(ourDir, { recursive: true, force: true });
    };
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        await timePeer(round);
        await timeOurs(round);
      } else {
        await timeOurs(round);
        await timePeer(round);
      }
    }
    const o = median(ours);
    const p = median(peer);
    return [
      {
        name: 'fs-union: apply a 200 MB / 20k-file layer to a directory (vs GNU tar -xf)',
        ours: Number(o.toFixed(3)),
        peer: Number(p.toFixed(3)),
        unit: 's',
        ratio: Number((o / p).toFixed(3)),
        note: `${(bytes / 1024 / 1024).toFixed(0)} MiB tar, ${FILES} files, median of ${ROUNDS} on ${base}`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const result of await benchApply()) console.log(JSON.stringify(result));
}
