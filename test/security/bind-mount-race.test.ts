/**
 * The race a resolver alone cannot win: while a container writes under `/data/d`, another
 * process keeps swapping the host directory `d` for a symlink to `/` or to a sentinel dir next
 * to the mount, and back. Checks made before a write are stale by the time it happens, so
 * only a walk that never lets the host kernel follow a link holds: nothing may land in the
 * sentinel or in the host's `/`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnionFS } from '../../src/fs-union/union-fs.js';
import { HostDirectoryFs } from '../../src/backends/emulator/mounts/host-fs.js';
import { MountedFs } from '../../src/backends/emulator/mounts/mounted-fs.js';
import { HAS_PROC_FD } from '../../src/backends/emulator/mounts/host-tree.js';

// Swaps <mnt>/d between a directory and a symlink (to each target in turn), and <mnt>/leaf
// between a file and a symlink, each step atomic, printing how many rounds it has done.
const SWAPPER = `
const fs = require('node:fs');
const [mnt, ...targets] = process.argv.slice(1);
const d = mnt + '/d';
// Each state lasts a random moment (0 to 0.5 ms): long enough for a check made in one state
// to be used in the other, short enough to flip many times during a call.
const cell = new Int32Array(new SharedArrayBuffer(4));
const pause = () => { const us = Math.floor(Math.random() * 500); if (us > 250) Atomics.wait(cell, 0, 0, us / 1000); };
for (let n = 1; ; n++) {
  try { fs.renameSync(d, d + '.away'); } catch {}
  try { fs.symlinkSync(targets[n % targets.length], d + '.tmp'); fs.renameSync(d + '.tmp', d); } catch {}
  pause();
  try { fs.unlinkSync(d); } catch {}
  try { fs.renameSync(d + '.away', d); } catch { try { fs.rmSync(d, { recursive: true, force: true }); fs.renameSync(d + '.away', d); } catch {} }
  // And the file <mnt>/leaf, for a link to <last target>/leaf.
  try { fs.symlinkSync(targets.at(-1) + '/leaf', mnt + '/leaf.tmp'); fs.renameSync(mnt + '/leaf.tmp', mnt + '/leaf'); } catch {}
  pause();
  try { fs.writeFileSync(mnt + '/leaf.tmp', 'file'); fs.renameSync(mnt + '/leaf.tmp', mnt + '/leaf'); } catch {}
  pause();
  if (n % 50 === 0) process.stdout.write(n + '\\n');
}
`;

let dir: string;
let swapper: ChildProcess | undefined;
/** Names the test would create in the host's `/` if a write escaped: removed afterwards. */
let tag = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-bind-race-'));
});
afterEach(async () => {
  if (swapper?.pid !== undefined && swapper.exitCode === null) {
    const exited = new Promise((resolve) => swapper!.once('exit', resolve));
    swapper.kill('SIGKILL');
    await exited;
  }
  swapper = undefined;
  await rm(dir, { recursive: true, force: true });
  for (const name of await readdir('/')) if (tag !== '' && name.includes(tag)) await rm(`/${name}`, { recursive: true, force: true });
});

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

describe.skipIf(!HAS_PROC_FD)('bind mounts under a directory/symlink swap race', () => {
  it('nothing a container writes through the mount lands outside it', async () => {
    const mnt = join(dir, 'mnt');
    const outside = join(dir, 'outside');
    await mkdir(join(mnt, 'd'), { recursive: true });
    await mkdir(outside);
    tag = `stowage-race-${process.pid}-${Date.now().toString(36)}`;

    const host = await HostDirectoryFs.open(mnt);
    const root = new UnionFS([]);
    await root.mkdir('/data');
    const fs = new MountedFs(root, [{ target: '/data', fs: host, readOnly: false }]);

    let rounds = 0;
    swapper = spawn(process.execPath, ['-e', SWAPPER, mnt, '/', outside], { stdio: ['ignore', 'pipe', 'inherit'] });
    swapper.stdout!.on('data', (chunk: Buffer) => {
      const last = chunk.toString().trim().split('\n').at(-1);
      if (last) rounds = Number(last);
    });

    const outcomes = { ok: 0, failed: 0 };
    const note = (p: Promise<unknown>): Promise<void> => p.then(() => void outcomes.ok++, () => void outcomes.failed++);
    const deadline = Date.now() + 45_000;
    let i = 0;
    // Bounded: until the swapper has done enough rounds while we wrote, or the deadline.
    while ((rounds < 400 || i < 1500) && Date.now() < deadline) {
      const name = `${tag}-${i % 7}`;
      await Promise.all([
        note(fs.writeFile(`/data/d/${name}`, 'x')),
        note(fs.mkdir(`/data/d/sub-${tag}-${i % 3}/deeper`, { recursive: true })),
        note(fs.writeFile(`/data/d/sub-${tag}-${i % 3}/deeper/${name}`, 'y')),
        note(fs.appendFile(`/data/d/${name}.log`, 'z')),
        note(fs.chmod(`/data/d/${name}`, 0o600)),
        note(fs.utimes(`/data/d/${name}`, new Date(0))),
        note(fs.symlink('/etc', `/data/d/${name}.ln`)),
        note(fs.rename(`/data/d/${name}`, `/data/d/${name}.moved`)),
        note(fs.rm(`/data/d/sub-${tag}-${(i + 1) % 3}`, { recursive: true, force: true })),
        note(fs.writeFile('/data/leaf', 'w')),
        note(fs.appendFile('/data/leaf', 'a')),
        note(fs.chmod('/data/leaf', 0o600)),
        // The bind mount on its own (no resolver in front) must refuse, never follow.
        note(host.writeFile(`/d/${name}.raw`, 'r')),
        note(host.mkdir(`/d/raw-${tag}-${i % 2}/x`, { recursive: true })),
      ]);
      i++;
    }
    expect(rounds).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.failed).toBeGreaterThan(0);

    expect(await readdir(outside)).toEqual([]);
    for (let k = 0; k < 7; k++) {
      for (const suffix of ['', '.log', '.ln', '.moved', '.raw']) expect(await exists(`/${tag}-${k}${suffix}`)).toBe(false);
    }
    for (const d of ['sub-0', 'sub-1', 'sub-2', 'raw-0', 'raw-1']) expect(await exists(`/${d.replace('-', `-${tag}-`)}`)).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['mnt', 'outside']);
  });
});
