/**
 * What the container boundary costs on a bind mount (issue 7): 10,000 writeFile + readFile
 * through an emulated container's filesystem (every path resolved inside the container, the
 * host dir walked with openat-style lookups), against the same calls straight on the host dir
 * with `node:fs` (no boundary at all), on tmpfs. Once next to the mount's root, once four
 * levels down.
 * Run on its own with `npx tsx bench/emulator/bind-mount.ts`.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnionFS } from '../../src/fs-union/union-fs.js';
import { HostDirectoryFs } from '../../src/backends/emulator/mounts/host-fs.js';
import { MountedFs } from '../../src/backends/emulator/mounts/mounted-fs.js';
import type { BenchResult } from '../result.js';

const OPS = 10_000;

async function timed(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Milliseconds for {@link OPS} writeFile + readFile pairs, through the container and straight. */
export async function benchBindMount(): Promise<BenchResult[]> {
  // tmpfs where there is one: the figure is the boundary's cost, not the disk's.
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'stowage-bench-bind-'));
  try {
    const results: BenchResult[] = [];
    for (const sub of ['', 'a/b/c/']) {
      await mkdir(join(dir, sub), { recursive: true });
      const root = new UnionFS([]);
      await root.mkdir('/data');
      const fs = new MountedFs(root, [{ target: '/data', fs: new HostDirectoryFs(dir), readOnly: false }]);
      const body = Buffer.alloc(256, 1);
      const ours = async (): Promise<void> => {
        for (let i = 0; i < OPS; i++) {
          await fs.writeFile(`/data/${sub}f${i % 100}`, body);
          await fs.readFile(`/data/${sub}f${i % 100}`);
        }
      };
      const peer = async (): Promise<void> => {
        for (let i = 0; i < OPS; i++) {
          await writeFile(join(dir, `${sub}f${i % 100}`), body);
          await readFile(join(dir, `${sub}f${i % 100}`));
        }
      };
      // Warm both paths once, then take the best of three to damp the shared machine's noise.
      await ours();
      await peer();
      const o: number[] = [];
      const p: number[] = [];
      for (let round = 0; round < 3; round++) {
        o.push(await timed(ours));
        p.push(await timed(peer));
      }
      const best = { ours: Math.min(...o), peer: Math.min(...p) };
      results.push({
        name: `bind mount: ${OPS} writeFile+readFile ${sub === '' ? 'at the root' : '4 levels down'}`,
        ours: best.ours,
        peer: best.peer,
        ratio: best.ours / best.peer,
        unit: 'ms',
        note: 'peer: node:fs on the host dir, no container boundary',
      });
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const r of await benchBindMount()) console.log(`${r.name}: ${r.ours.toFixed(0)} ms (node:fs ${r.peer!.toFixed(0)} ms, x${r.ratio!.toFixed(2)})`);
}
