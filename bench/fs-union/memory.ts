/**
 * Benchmarks of the in-memory half of the union filesystem:
 *
 * (a) `Layer.fromTar` of a generated ~200 MB, ~20,000-file tar held in memory, in MB/s; the
 *     peer is a bare sha256 of the same bytes (node:crypto), the floor any importer that
 *     computes the diffID has to pay, measured in the same run;
 * (b) `UnionFS.commit()` of a 10,000-file change set (tar written and digested), in files/s;
 *     the peer is GNU `tar -cf` of the same tree written out to /dev/shm.
 *
 * Each side runs an untimed warm-up, then several rounds, alternating; the median is reported.
 * Run on its own with `npx tsx bench/fs-union/memory.ts`.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ContentStore, Layer, LayerBuilder, UnionFS, packTar, readAll, type TarRecord } from '../../src/fs-union/index.js';
import type { BenchResult } from '../result.js';

const run = promisify(execFile);
const FILES = 20_000;
const DIRS = 200;
const TOTAL_BYTES = 200 * 1024 * 1024;
const COMMIT_FILES = 10_000;
const ROUNDS = 3;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Generates the import tar: DIRS directories and FILES files averaging 10 KiB, distinct content. */
async function generateTar(): Promise<Buffer> {
  const pool = randomBytes(4 << 20);
  const mean = Math.floor(TOTAL_BYTES / FILES);
  const mtime = new Date(1_700_000_000_000);
  function* records(): Generator<TarRecord> {
    for (let d = 0; d < DIRS; d++) yield { name: `usr/share/d${d}`, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime };
    for (let i = 0; i < FILES; i++) {
      const size = (i * 7919) % (2 * mean);
      const start = (i * 104729) % (pool.length - size);
      yield { name: `usr/share/d${i % DIRS}/file-${i}.dat`, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime, data: pool.subarray(start, start + size) };
    }
  }
  return readAll(packTar(records()));
}

async function benchImport(): Promise<BenchResult> {
  const tar = await generateTar();
  const mb = tar.length / (1024 * 1024);
  const ours: number[] = [];
  const oursCpu: number[] = [];
  const peer: number[] = [];
  // One untimed round first: the JIT and the allocator warm up on both sides.
  await Layer.fromTar(tar, { store: new ContentStore() });
  createHash('sha256').update(tar).digest('hex');
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    const cpu = process.cpuUsage();
    // A fresh store each round, so deduplication against the previous round does not help.
    const layer = await Layer.fromTar(tar, { store: new ContentStore() });
    ours.push(mb / ((performance.now() - t) / 1000));
    const used = process.cpuUsage(cpu);
    oursCpu.push(mb / ((used.user + used.system) / 1e6));
    if (layer.entryCount !== FILES + DIRS) throw new Error(`imported ${layer.entryCount} entries`);
    t = performance.now();
    createHash('sha256').update(tar).digest('hex');
    peer.push(mb / ((performance.now() - t) / 1000));
  }
  const o = median(ours);
  const p = median(peer);
  return {
    name: `Layer.fromTar, ${mb.toFixed(0)} MB / ${FILES} files in memory`,
    ours: o,
    peer: p,
    unit: 'MB/s (higher is better; peer: sha256 of the same bytes)',
    ratio: o / p,
    note: `ours also parses, copies and sha256-hashes each file for deduplication; ${median(oursCpu).toFixed(0)} MB per CPU-second`,
  };
}

/** Paths and contents of the change set: COMMIT_FILES files of 1 KiB in 100 directories. */
function changeSet(): { dir: string; path: string; data: Buffer }[] {
  const pool = randomBytes(1 << 20);
  return Array.from({ length: COMMIT_FILES }, (_, i) => {
    const dir = `srv/app/d${i % 100}`;
    const start = (i * 1031) % (pool.length - 1024);
    return { dir, path: `${dir}/f${i}.txt`, data: pool.subarray(start, start + 1024) };
  });
}

async function benchCommit(): Promise<BenchResult> {
  const base = await new LayerBuilder().addDirectory('/srv').addFile('/srv/README', 'base').build();
  const files = changeSet();
  const ours: number[] = [];
  const peer: number[] = [];
  const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const root = await mkdtemp(join(shm, 'stowage-bench-commit-'));
  try {
    // The peer's tree, written once (not timed).
    const tree = join(root, 'tree');
    for (let d = 0; d < 100; d++) await mkdir(join(tree, `srv/app/d${d}`), { recursive: true });
    for (const f of files) await writeFile(join(tree, f.path), f.data);
    let tarAvailable = true;
    // Round 0 is an untimed warm-up (JIT on our side, page cache on tar's).
    for (let round = 0; round <= ROUNDS; round++) {
      const fs = new UnionFS([base]);
      for (let d = 0; d < 100; d++) await fs.mkdir(`/srv/app/d${d}`, { recursive: true });
      for (const f of files) await fs.writeFile(`/${f.path}`, f.data);
      let t = performance.now();
      const layer = await fs.commit();
      if (round > 0) ours.push(COMMIT_FILES / ((performance.now() - t) / 1000));
      if (layer.entryCount < COMMIT_FILES) throw new Error(`committed ${layer.entryCount} entries`);
      if (!tarAvailable) continue;
      t = performance.now();
      try {
        await run('tar', ['-cf', join(root, 'out.tar'), '-C', tree, 'srv']);
        if (round > 0) peer.push(COMMIT_FILES / ((performance.now() - t) / 1000));
      } catch {
        tarAvailable = false;
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const o = median(ours);
  const p = peer.length > 0 ? median(peer) : null;
  return {
    name: `UnionFS.commit, ${COMMIT_FILES} changed files of 1 KiB`,
    ours: o,
    peer: p,
    unit: 'files/s (higher is better; peer: GNU tar -cf of the same tree on /dev/shm)',
    ratio: p === null ? null : o / p,
    ...(p === null ? { note: 'GNU tar not available' } : { note: 'ours also computes the diffID' }),
  };
}

/** Runs both measurements. */
export async function benchMemory(): Promise<BenchResult[]> {
  return [await benchImport(), await benchCommit()];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const results = await benchMemory();
  console.table(results.map((r) => ({ ...r, ours: Number(r.ours.toFixed(1)), peer: r.peer === null ? null : Number(r.peer.toFixed(1)), ratio: r.ratio === null ? null : Number(r.ratio.toFixed(2)) })));
}
