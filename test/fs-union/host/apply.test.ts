import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayerToDirectory } from '../../../src/fs-union/host/apply.js';
import { LayerFormatError } from '../../../src/fs-union/errors.js';
import { AbortError } from '../../../src/core/errors.js';
import { makeTar, makeTempDir, removeTempDir, SKIP_WITHOUT_ATTR } from './helpers.js';

let work: string;
beforeEach(() => {
  work = makeTempDir('apply');
});
afterEach(() => removeTempDir(work));

function xattr(path: string, name: string): string | undefined {
  try {
    const out = execFileSync('getfattr', ['-h', '-n', name, '-e', 'hex', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /=(0x[0-9a-f]*)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

describe('applyLayerToDirectory, overlay format', () => {
  it.skipIf(SKIP_WITHOUT_ATTR)('keeps modes, owners, mtimes, symlinks, hardlinks, fifos and xattrs', async () => {
    const tar = await makeTar([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/conf', content: 'x=1\n', mode: 0o640, uid: 1234, gid: 4321, mtime: new Date(1_500_000_000_000) },
      { name: 'etc/link', type: 'symlink', linkname: 'conf' },
      { name: 'etc/hard', type: 'link', linkname: 'etc/conf' },
      { name: 'run/', type: 'directory', mode: 0o1777 },
      { name: 'run/pipe', type: 'fifo', mode: 0o600 },
      { name: 'bin/ping', content: 'ELF', mode: 0o4755, pax: { 'SCHILY.xattr.trusted.note': 'hello' } },
    ]);
    const target = join(work, 'diff');
    await applyLayerToDirectory(Readable.from([tar]), target, { format: 'overlay' });
    const conf = lstatSync(join(target, 'etc/conf'));
    expect(readFileSync(join(target, 'etc/conf'), 'utf8')).toBe('x=1\n');
    expect(conf.mode & 0o7777).toBe(0o640);
    expect([conf.uid, conf.gid]).toEqual([1234, 4321]);
    expect(conf.mtimeMs).toBe(1_500_000_000_000);
    expect(conf.nlink).toBe(2);
    expect(lstatSync(join(target, 'etc/hard')).ino).toBe(conf.ino);
    expect(readlinkSync(join(target, 'etc/link'))).toBe('conf');
    expect(lstatSync(join(target, 'run')).mode & 0o7777).toBe(0o1777);
    expect(lstatSync(join(target, 'run/pipe')).isFIFO()).toBe(true);
    expect(lstatSync(join(target, 'bin/ping')).mode & 0o7777).toBe(0o4755);
    expect(xattr(join(target, 'bin/ping'), 'trusted.note')).toBe('0x68656c6c6f');
  });

  it.skipIf(SKIP_WITHOUT_ATTR)('turns whiteouts into 0/0 character devices and opaque markers into the overlay xattr', async () => {
    const tar = await makeTar([
      { name: 'a/', type: 'directory', mode: 0o750, uid: 7 },
      { name: 'a/.wh..wh..opq', content: '' },
      { name: 'a/new', content: 'n' },
      { name: 'b/.wh.gone', content: '' },
      { name: '.wh.top', content: '' },
    ]);
    const target = join(work, 'diff');
    await applyLayerToDirectory(Readable.from([tar]), target, { format: 'overlay' });
    for (const p of ['b/gone', 'top']) {
      const st = lstatSync(join(target, p));
      expect(st.isCharacterDevice()).toBe(true);
      expect(st.rdev).toBe(0);
    }
    expect(xattr(join(target, 'a'), 'trusted.overlay.opaque')).toBe('0x79');
    expect(lstatSync(join(target, 'a')).mode & 0o7777).toBe(0o750);
    expect(lstatSync(join(target, 'a')).uid).toBe(7);
    expect(readdirSync(join(target, 'a'))).toEqual(['new']);
    expect(existsSync(join(target, 'b/.wh.gone'))).toBe(false);
  });

  it.skipIf(SKIP_WITHOUT_ATTR)('keeps binary xattrs and long names from a GNU tar layer', async () => {
    const src = join(work, 'src');
    const deep = join(src, 'd'.repeat(60), 'e'.repeat(60));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f'.repeat(120)), 'deep');
    writeFileSync(join(src, 'cap'), 'bin');
    execFileSync('setfattr', ['-n', 'trusted.bin', '-v', '0x00ff8001', join(src, 'cap')]);
    const tar = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=posix', '-cf', '-', '-C', src, '.']);
    const target = join(work, 'diff');
    await applyLayerToDirectory(Readable.from([tar]), target, { format: 'overlay' });
    expect(xattr(join(target, 'cap'), 'trusted.bin')).toBe('0x00ff8001');
    expect(readFileSync(join(target, 'd'.repeat(60), 'e'.repeat(60), 'f'.repeat(120)), 'utf8')).toBe('deep');
  });

  it('reads GNU long-name and long-link headers', async () => {
    const src = join(work, 'src');
    const long = 'n'.repeat(150);
    mkdirSync(join(src, long), { recursive: true });
    writeFileSync(join(src, long, 'file'), 'gnu');
    symlinkSync(`${long}/file`, join(src, 'to-long'));
    const tar = execFileSync('tar', ['--format=gnu', '-cf', '-', '-C', src, '.']);
    const target = join(work, 'diff');
    await applyLayerToDirectory(Readable.from([tar]), target, { format: 'overlay' });
    expect(readFileSync(join(target, long, 'file'), 'utf8')).toBe('gnu');
    expect(readlinkSync(join(target, 'to-long'))).toBe(`${long}/file`);
  });

  it('cleans absolute and ./ names into the root, as Docker does', async () => {
    const tar = await makeTar([
      { name: '/etc/passwd', content: 'root' },
      { name: './usr/../usr/bin/x', content: 'x' },
    ]);
    const target = join(work, 'root', 'diff');
    await applyLayerToDirectory(Readable.from([tar]), target, { format: 'overlay' });
    expect(readFileSync(join(target, 'etc/passwd'), 'utf8')).toBe('root');
    expect(readFileSync(join(target, 'usr/bin/x'), 'utf8')).toBe('x');
  });

  it('reads the input in arbitrary chunk sizes', async () => {
    const tar = await makeTar(Array.from({ length: 30 }, (_, i) => ({ name: `d${i % 3}/f${i}`, content: 'z'.repeat(i * 37) })));
    const chunks = Array.from({ length: Math.ceil(tar.length / 333) }, (_, i) => tar.subarray(i * 333, (i + 1) * 333));
    const target = join(work, 'diff');
    await applyLayerToDirectory(Readable.from(chunks), target, { format: 'overlay' });
    expect(readFileSync(join(target, 'd2/f29'), 'utf8')).toBe('z'.repeat(29 * 37));
  });
});

describe('applyLayerToDirectory refuses escapes and leaves nothing behind', () => {
  const cases: [string, (outside: string) => Promise<Buffer>, string][] = [
    ['.. that climbs out', () => makeTar([{ name: 'ok', content: '1' }, { name: '../../outside/evil', content: 'x' }]), 'path-escape'],
    ['a hardlink out of the root', () => makeTar([{ name: 'h', type: 'link', linkname: '../../outside/x' }]), 'hardlink-escape'],
    ['a write through a symlink of the layer', (outside) =>
      makeTar([{ name: 'l', type: 'symlink', linkname: outside }, { name: 'l/evil', content: 'x' }]), 'symlink-escape'],
    ['a write through a relative symlink', () =>
      makeTar([{ name: 'd/', type: 'directory' }, { name: 'd/l', type: 'symlink', linkname: '../../../outside' }, { name: 'd/l/evil', content: 'x' }]), 'symlink-escape'],
    ['a hardlink through a symlink', () =>
      makeTar([{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 'l/passwd' }]), 'hardlink-escape'],
    ['a whiteout with no name', () => makeTar([{ name: 'a/.wh.', content: '' }]), 'bad-whiteout'],
    ['a whiteout of ..', () => makeTar([{ name: 'a/.wh..', content: '' }]), 'bad-whiteout'],
    ['a truncated tar', async () => (await makeTar([{ name: 'big', content: 'y'.repeat(5000) }])).subarray(0, 2048), 'truncated'],
  ];

  it.each(cases)('refuses %s', async (_label, build, reason) => {
    const outside = join(work, 'outside');
    mkdirSync(outside);
    const tar = await build(outside);
    const target = join(work, 'a', 'diff');
    const error = await applyLayerToDirectory(Readable.from([tar]), target, { format: 'overlay' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LayerFormatError);
    expect((error as LayerFormatError).reason).toBe(reason);
    expect((error as LayerFormatError).entry).not.toBe('');
    expect(readdirSync(outside)).toEqual([]);
    // The staged apply failed: neither the target nor a staging dir is left.
    expect(readdirSync(join(work, 'a'))).toEqual([]);
  });

  it('refuses a write through a symlink already on disk (plain format)', async () => {
    const outside = join(work, 'outside');
    const rootfs = join(work, 'rootfs');
    mkdirSync(outside);
    mkdirSync(rootfs);
    symlinkSync(outside, join(rootfs, 'lib'));
    const tar = await makeTar([{ name: 'lib/evil.so', content: 'x' }]);
    const error = await applyLayerToDirectory(Readable.from([tar]), rootfs, { format: 'plain' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LayerFormatError);
    expect((error as LayerFormatError).entry).toBe('lib/evil.so');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a whiteout that would delete through a symlink on disk (plain format)', async () => {
    const outside = join(work, 'outside');
    const rootfs = join(work, 'rootfs');
    mkdirSync(outside);
    writeFileSync(join(outside, 'passwd'), 'keep me');
    mkdirSync(rootfs);
    symlinkSync(outside, join(rootfs, 'etc'));
    const tar = await makeTar([{ name: 'etc/.wh.passwd', content: '' }]);
    const error = await applyLayerToDirectory(Readable.from([tar]), rootfs, { format: 'plain' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LayerFormatError);
    expect((error as LayerFormatError).reason).toBe('symlink-escape');
    expect(readFileSync(join(outside, 'passwd'), 'utf8')).toBe('keep me');
  });

  it('replaces an on-disk symlink with the directory the layer brings', async () => {
    const outside = join(work, 'outside');
    const rootfs = join(work, 'rootfs');
    mkdirSync(outside);
    mkdirSync(rootfs);
    symlinkSync(outside, join(rootfs, 'lib'));
    const tar = await makeTar([{ name: 'lib/', type: 'directory' }, { name: 'lib/ok.so', content: 'x' }]);
    await applyLayerToDirectory(Readable.from([tar]), rootfs, { format: 'plain' });
    expect(lstatSync(join(rootfs, 'lib')).isDirectory()).toBe(true);
    expect(readFileSync(join(rootfs, 'lib/ok.so'), 'utf8')).toBe('x');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('aborts with AbortError and removes the staging directory', async () => {
    const controller = new AbortController();
    const tar = await makeTar([{ name: 'a', content: 'a' }]);
    const source = Readable.from((async function* () {
      yield tar.subarray(0, 512);
      controller.abort(new Error('enough'));
      yield tar.subarray(512);
    })());
    const error = await applyLayerToDirectory(source, join(work, 'x', 'diff'), { format: 'overlay', signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(readdirSync(join(work, 'x'))).toEqual([]);
  });
});

describe('applyLayerToDirectory, plain format', () => {
  it('deletes whited-out entries and clears opaque directories, keeping the layer own entries', async () => {
    const rootfs = join(work, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'opq/sub'), { recursive: true });
    writeFileSync(join(rootfs, 'bin/hostname'), 'h');
    writeFileSync(join(rootfs, 'bin/sh'), 's');
    writeFileSync(join(rootfs, 'opq/old'), 'o');
    writeFileSync(join(rootfs, 'opq/sub/old'), 'o');
    mkdirSync(join(rootfs, 'gone/deep'), { recursive: true });
    const tar = await makeTar([
      { name: 'bin/.wh.hostname', content: '' },
      { name: 'opq/sub/new', content: 'n' },
      { name: 'opq/.wh..wh..opq', content: '' },
      { name: '.wh.gone', content: '' },
      { name: 'keep', content: 'k' },
      { name: '.wh.keep', content: '' },
    ]);
    await applyLayerToDirectory(Readable.from([tar]), rootfs, { format: 'plain' });
    expect(readdirSync(join(rootfs, 'bin'))).toEqual(['sh']);
    expect(readdirSync(join(rootfs, 'opq'))).toEqual(['sub']);
    expect(readdirSync(join(rootfs, 'opq/sub'))).toEqual(['new']);
    expect(existsSync(join(rootfs, 'gone'))).toBe(false);
    expect(readFileSync(join(rootfs, 'keep'), 'utf8')).toBe('k');
    expect(readdirSync(rootfs).some((n) => n.startsWith('.wh.'))).toBe(false);
  });

  it('replaces a lower directory with the file or symlink the layer brings', async () => {
    const rootfs = join(work, 'rootfs');
    mkdirSync(join(rootfs, 'opt/app/lib'), { recursive: true });
    writeFileSync(join(rootfs, 'opt/app/lib/x'), 'x');
    mkdirSync(join(rootfs, 'srv/data'), { recursive: true });
    writeFileSync(join(rootfs, 'srv/data/y'), 'y');
    const tar = await makeTar([
      { name: 'opt/app', content: 'now a file' },
      { name: 'srv/data', type: 'symlink', linkname: '/var/data' },
    ]);
    await applyLayerToDirectory(Readable.from([tar]), rootfs, { format: 'plain' });
    expect(readFileSync(join(rootfs, 'opt/app'), 'utf8')).toBe('now a file');
    expect(readlinkSync(join(rootfs, 'srv/data'))).toBe('/var/data');
  });
});

describe('applyLayerToDirectory keeps directory times', () => {
  it('a directory listed before its members keeps its own time (the members come later)', async () => {
    const old = new Date('2024-01-01T00:00:00Z');
    const tar = await makeTar([
      { name: 'a/', type: 'directory', mode: 0o755, mtime: old },
      { name: 'b/', type: 'directory', mode: 0o755, mtime: old },
      { name: 'a/f', mode: 0o644, mtime: old, content: 'x' },
    ]);
    await applyLayerToDirectory(Readable.from([tar]), join(work, 'times'), { format: 'plain' });
    expect(lstatSync(join(work, 'times', 'a')).mtime.toISOString()).toBe(old.toISOString());
  });
});
