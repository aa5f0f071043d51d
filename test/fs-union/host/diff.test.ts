import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayerToDirectory } from '../../../src/fs-union/host/apply.js';
import { diffDirectoryToLayerTar } from '../../../src/fs-union/host/diff.js';
import { NotFoundError } from '../../../src/core/errors.js';
import { makeTar, makeTempDir, removeTempDir, SKIP_WITHOUT_ATTR } from './helpers.js';
import { readAll } from '../archive/fixtures.js';

let work: string;
beforeEach(() => {
  work = makeTempDir('diff');
});
afterEach(() => removeTempDir(work));

interface Listed { name: string; type: string; linkname: string | null; pax: Record<string, string> | null; body: string }

async function list(tar: Buffer): Promise<Listed[]> {
  const entries: Listed[] = [];
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const h = entry.header;
      entries.push({ name: h.name, type: h.type, linkname: h.linkname ?? null, pax: (h.pax as Record<string, string> | null) ?? null, body: Buffer.concat(chunks).toString() });
    }
  })();
  ex.end(tar);
  await done;
  return entries;
}

/** An overlay upperdir as overlayfs itself would leave it. */
function makeUpper(upper: string): void {
  mkdirSync(join(upper, 'etc/opq'), { recursive: true });
  writeFileSync(join(upper, 'etc/b.conf'), 'b');
  writeFileSync(join(upper, 'etc/opq/kept'), 'k');
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'etc/opq')]);
  execFileSync('setfattr', ['-n', 'trusted.overlay.origin', '-v', '0x00fb', join(upper, 'etc')]);
  execFileSync('mknod', [join(upper, 'etc/a-gone'), 'c', '0', '0']);
  execFileSync('mknod', [join(upper, 'etc/z-gone'), 'c', '0', '0']);
  writeFileSync(join(upper, 'bin'), 'x');
  linkSync(join(upper, 'bin'), join(upper, 'bin2'));
  symlinkSync('etc/b.conf', join(upper, 'link'));
  execFileSync('setfattr', ['-n', 'user.note', '-v', '0x00ff01', join(upper, 'etc/b.conf')]);
}

describe('diffDirectoryToLayerTar', () => {
  it.skipIf(SKIP_WITHOUT_ATTR)('writes whiteouts and opaque markers first, sorted, with hardlinks and xattrs', async () => {
    const upper = join(work, 'upper');
    makeUpper(upper);
    const entries = await list(await readAll(diffDirectoryToLayerTar(upper)));
    expect(entries.map((e) => `${e.type}:${e.name}`)).toEqual([
      'file:bin',
      'link:bin2',
      'directory:etc/',
      'file:etc/.wh.a-gone',
      'file:etc/.wh.z-gone',
      'file:etc/b.conf',
      'directory:etc/opq/',
      'file:etc/opq/.wh..wh..opq',
      'file:etc/opq/kept',
      'symlink:link',
    ]);
    const etc = entries.find((e) => e.name === 'etc/')!;
    expect(Object.keys(etc.pax ?? {})).toEqual([]); // overlay bookkeeping is dropped
    expect(entries.find((e) => e.name === 'bin2')!.linkname).toBe('bin');
    expect(entries.find((e) => e.name === 'link')!.linkname).toBe('etc/b.conf');
    expect(Object.keys(entries.find((e) => e.name === 'etc/b.conf')!.pax ?? {})).toEqual(['SCHILY.xattr.user.note']);
  });

  it.skipIf(SKIP_WITHOUT_ATTR)('is deterministic and keeps binary xattrs through apply and diff again', async () => {
    const upper = join(work, 'upper');
    makeUpper(upper);
    const first = await readAll(diffDirectoryToLayerTar(upper));
    expect((await readAll(diffDirectoryToLayerTar(upper))).equals(first)).toBe(true);
    const again = join(work, 'again');
    await applyLayerToDirectory(Readable.from([first]), again, { format: 'overlay' });
    const out = execFileSync('getfattr', ['-n', 'user.note', '-e', 'hex', join(again, 'etc/b.conf')], { encoding: 'utf8' });
    expect(out).toContain('user.note=0x00ff01');
    expect((await readAll(diffDirectoryToLayerTar(again))).equals(first)).toBe(true);
  });

  it('reports a missing directory as NotFoundError', async () => {
    await expect(readAll(diffDirectoryToLayerTar(join(work, 'nope')))).rejects.toBeInstanceOf(NotFoundError);
  });
});

function canMountOverlay(): boolean {
  const probe = makeTempDir('probe');
  try {
    for (const d of ['l', 'u', 'w', 'm']) mkdirSync(join(probe, d));
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${probe}/l,upperdir=${probe}/u,workdir=${probe}/w`, `${probe}/m`], { stdio: 'ignore' });
    execFileSync('umount', [`${probe}/m`]);
    return true;
  } catch {
    return false;
  } finally {
    removeTempDir(probe);
  }
}

describe.skipIf(!canMountOverlay())('overlay mount of applied layers', () => {
  it.skipIf(SKIP_WITHOUT_ATTR)('hides whited-out files and the lower children of opaque dirs; a diff of the upper reproduces the layer', async () => {
    const lower = join(work, 'lower');
    const upper = join(work, 'upper');
    const merged = join(work, 'merged');
    const wdir = join(work, 'work');
    const base = await makeTar([
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/hostname', content: 'h' },
      { name: 'bin/sh', content: 's' },
      { name: 'data/', type: 'directory', mode: 0o755 },
      { name: 'data/old', content: 'o' },
    ]);
    const layer = await makeTar([
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/.wh.hostname', content: '' },
      { name: 'data/', type: 'directory', mode: 0o755 },
      { name: 'data/.wh..wh..opq', content: '' },
      { name: 'data/new', content: 'n' },
    ]);
    await applyLayerToDirectory(Readable.from([base]), lower, { format: 'plain' });
    await applyLayerToDirectory(Readable.from([layer]), upper, { format: 'overlay' });
    mkdirSync(merged);
    mkdirSync(wdir);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${wdir}`, merged]);
    try {
      expect(readdirSync(join(merged, 'bin'))).toEqual(['sh']);
      expect(readdirSync(join(merged, 'data'))).toEqual(['new']);
      expect(readFileSync(join(merged, 'data/new'), 'utf8')).toBe('n');
      // A change through the mount shows up in the next diff.
      execFileSync('rm', [join(merged, 'bin/sh')]);
    } finally {
      execFileSync('umount', [merged]);
    }
    const names = (await list(await readAll(diffDirectoryToLayerTar(upper)))).map((e) => e.name);
    expect(names).toEqual(['bin/', 'bin/.wh.hostname', 'bin/.wh.sh', 'data/', 'data/.wh..wh..opq', 'data/new']);
    expect(existsSync(join(lower, 'bin/sh'))).toBe(true);
  });
});
