/**
 * The container-level resolver and the physical host filesystem, case by case: the link
 * limit, links between mounts and the union view, `mkdir -p` and `rm -r` across mounts, what
 * a host directory refuses, and the same on the fallback walk used where /proc/self/fd is
 * missing.
 */
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnionFS } from '../../src/fs-union/union-fs.js';
import { HostDirectoryFs } from '../../src/backends/emulator/mounts/host-fs.js';
import { EngineFile } from '../../src/backends/emulator/mounts/engine-file.js';
import { MountedFs } from '../../src/backends/emulator/mounts/mounted-fs.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-bind-resolve-'));
  await mkdir(join(dir, 'data'));
  await mkdir(join(dir, 'outside'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const procFd of [true, false]) {
  describe(`bind mount resolution (${procFd ? '/proc/self/fd walk' : 'fallback walk'})`, () => {
    async function container(): Promise<{ fs: MountedFs; root: UnionFS; host: HostDirectoryFs }> {
      const root = new UnionFS([]);
      await root.mkdir('/data');
      await root.mkdir('/etc');
      await root.writeFile('/etc/passwd', 'container passwd\n');
      const host = await HostDirectoryFs.open(join(dir, 'data'), { procFd });
      return { fs: new MountedFs(root, [{ target: '/data', fs: host, readOnly: false }]), root, host };
    }

    it('follows 40 links and refuses the 41st with ELOOP, as Linux', async () => {
      const { fs } = await container();
      await writeFile(join(dir, 'data', 'end'), 'end');
      for (let i = 0; i < 41; i++) await symlink(i === 0 ? '/data/end' : `l${i - 1}`, join(dir, 'data', `l${i}`));
      expect((await fs.readFile('/data/l39')).toString()).toBe('end');
      await expect(fs.readFile('/data/l40')).rejects.toMatchObject({ code: 'ELOOP', path: '/data/l40' });
      await symlink('loop', join(dir, 'data', 'loop'));
      await expect(fs.stat('/data/loop')).rejects.toMatchObject({ code: 'ELOOP' });
      expect((await fs.lstat('/data/loop')).isSymbolicLink()).toBe(true);
    });

    it('a link in the bind mount reaches the union view and back; one in the image reaches the mount', async () => {
      const { fs, root } = await container();
      await symlink('/etc/passwd', join(dir, 'data', 'pw'));
      expect((await fs.readFile('/data/pw')).toString()).toBe('container passwd\n');
      await root.symlink('/data/sub', '/shortcut');
      // mkdir(2) does not follow a final link, even a dangling one.
      await expect(fs.mkdir('/shortcut')).rejects.toMatchObject({ code: 'EEXIST' });
      await fs.mkdir('/data/sub');
      expect((await stat(join(dir, 'data', 'sub'))).isDirectory()).toBe(true);
      await fs.writeFile('/shortcut/f', 'via image link');
      expect(await readFile(join(dir, 'data', 'sub', 'f'), 'utf8')).toBe('via image link');
      expect(await fs.realpath('/shortcut/f')).toBe('/data/sub/f');
    });

    it('mkdir -p follows links inside the container and creates nothing on the host outside', async () => {
      const { fs, root } = await container();
      await symlink('/', join(dir, 'data', 'evil'));
      await fs.mkdir(`/data/evil${dir}/outside/made`, { recursive: true });
      expect(root.exists(`${dir}/outside/made`)).toBe(true);
      await expect(lstat(join(dir, 'outside', 'made'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('hard links stay within one mount; chmod and utimes never leave the container', async () => {
      const { fs } = await container();
      await writeFile(join(dir, 'outside', 'secret'), 's');
      await symlink(join(dir, 'outside', 'secret'), join(dir, 'data', 'peek'));
      await expect(fs.link('/etc/passwd', '/data/h')).rejects.toMatchObject({ code: 'EXDEV' });
      // link(2) links a final symlink itself, never what it points at.
      await fs.link('/data/peek', '/data/peek2');
      expect((await lstat(join(dir, 'data', 'peek2'))).isSymbolicLink()).toBe(true);
      await expect(fs.chmod('/data/peek', 0o777)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(fs.utimes('/data/peek', new Date(0))).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await stat(join(dir, 'outside', 'secret'))).mode & 0o777).not.toBe(0o777);
    });

    it('rm -r of a tree with links removes the links, not what they point at', async () => {
      const { fs } = await container();
      await writeFile(join(dir, 'outside', 'keep'), 'k');
      await mkdir(join(dir, 'data', 't', 'u'), { recursive: true });
      await symlink(join(dir, 'outside'), join(dir, 'data', 't', 'u', 'out'));
      await symlink('/', join(dir, 'data', 't', 'root'));
      await fs.rm('/data/t', { recursive: true });
      await expect(lstat(join(dir, 'data', 't'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await readFile(join(dir, 'outside', 'keep'), 'utf8')).toBe('k');
      await expect(fs.rm('/data', { recursive: true })).rejects.toMatchObject({ code: 'EBUSY' });
    });

    it('refuses a mount whose host directory was replaced', async () => {
      const { fs } = await container();
      await fs.writeFile('/data/f', 'x');
      await rm(join(dir, 'data'), { recursive: true });
      await symlink(join(dir, 'outside'), join(dir, 'data'));
      // The root may still be held open for a moment (like a real bind mount, it keeps the old
      // directory); once reopened it must not be the link.
      for (let i = 0; i < 50; i++) await fs.writeFile('/data/g', 'y').catch(() => undefined);
      await expect(lstat(join(dir, 'outside', 'g'))).rejects.toMatchObject({ code: 'ENOENT' });
      const fresh = new MountedFs(new UnionFS([]), [{ target: '/data', fs: new HostDirectoryFs(join(dir, 'data'), { procFd }), readOnly: false }]);
      // A mount made now follows the host's own link once, as Docker resolves a bind source.
      await fresh.writeFile('/data/h', 'z');
      expect(await readFile(join(dir, 'outside', 'h'), 'utf8')).toBe('z');
    });
  });
}

describe('the mount table', () => {
  it('makes the directories a mount hangs from, where the filesystem below has none', async () => {
    const fs = new MountedFs(new UnionFS([]), [{ target: '/dev/pipes/EOF', fs: new EngineFile('#!/bin/sh\n', new Date(0)), readOnly: true }]);
    expect((await fs.readFile('/dev/pipes/EOF')).toString()).toBe('#!/bin/sh\n');
    expect((await fs.stat('/dev/pipes')).isDirectory()).toBe(true);
    expect(await fs.readdir('/dev/pipes')).toEqual(['EOF']);
    expect(await fs.readdir('/')).toEqual(['dev']);
    expect(await fs.realpath('/dev/pipes/../pipes/EOF')).toBe('/dev/pipes/EOF');
    await expect(fs.rmdir('/dev/pipes')).rejects.toMatchObject({ code: 'EBUSY' });
    await expect(fs.writeFile('/dev/pipes/other', 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.writeFile('/dev/pipes/EOF', 'x')).rejects.toMatchObject({ code: 'EROFS' });
  });
});

describe('HostDirectoryFs on its own is physical', () => {
  it('never follows a link, in any component', async () => {
    const host = await HostDirectoryFs.open(join(dir, 'data'));
    await writeFile(join(dir, 'outside', 'secret'), 's');
    await symlink(join(dir, 'outside'), join(dir, 'data', 'out'));
    await symlink(join(dir, 'outside', 'secret'), join(dir, 'data', 'peek'));
    await expect(host.readFile('/peek')).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(host.writeFile('/peek', 'x')).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(host.writeFile('/out/new', 'x')).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(host.readdir('/out')).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(host.chmod('/peek', 0o600)).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(host.stat('/peek')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await host.readlink('/peek')).toBe(join(dir, 'outside', 'secret'));
    await host.unlink('/peek');
    expect(await readFile(join(dir, 'outside', 'secret'), 'utf8')).toBe('s');
    await expect(host.rmdir('/')).rejects.toMatchObject({ code: 'EBUSY' });
  });
});
