import { describe, it, expect } from 'vitest';
import tarStream from 'tar-stream';
import { FsError, Layer, LayerBuilder, UnionFS, readAll } from '../../src/fs-union/index.js';
import { makeTar, snapshot } from './helpers.js';

async function busyboxLike(): Promise<Layer> {
  return new LayerBuilder()
    .addDirectory('/bin')
    .addFile('/bin/busybox', 'BB', { mode: 0o755 })
    .addHardlink('/bin/hostname', '/bin/busybox')
    .addSymlink('/bin/sh', 'busybox')
    .addDirectory('/etc')
    .addFile('/etc/passwd', 'root:x:0:0\n')
    .addDirectory('/var/lib/x')
    .addFile('/var/lib/x/data', 'd')
    .build();
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(FsError);
    return (e as FsError).code;
  }
}

async function tarNames(stream: AsyncIterable<Uint8Array>): Promise<string[]> {
  const ex = tarStream.extract();
  ex.end(await readAll(stream));
  const names: string[] = [];
  for await (const entry of ex) {
    names.push(`${entry.header.type}:${entry.header.name}`);
    entry.resume();
  }
  return names;
}

describe('UnionFS', () => {
  it('docker diff: deleting a lower file gives C parent and D file', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    await fs.unlink('/bin/hostname');
    expect(fs.changes()).toEqual([
      { kind: 'C', path: '/bin' },
      { kind: 'D', path: '/bin/hostname' },
    ]);
  });

  it('docker diff: creating /a/b/f adds every level; modifying a lower file changes it and its parent', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    await fs.mkdir('/a/b', { recursive: true });
    await fs.writeFile('/a/b/f', 'x');
    await fs.appendFile('/etc/passwd', 'u:x:1:1\n');
    expect(fs.changes()).toEqual([
      { kind: 'A', path: '/a' },
      { kind: 'A', path: '/a/b' },
      { kind: 'A', path: '/a/b/f' },
      { kind: 'C', path: '/etc' },
      { kind: 'C', path: '/etc/passwd' },
    ]);
    expect((await fs.readFile('/etc/passwd')).toString()).toBe('root:x:0:0\nu:x:1:1\n');
  });

  it('docker diff: removing a lower directory tree lists only the directory', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    await fs.rm('/var/lib', { recursive: true });
    expect(fs.changes()).toEqual([
      { kind: 'C', path: '/var' },
      { kind: 'D', path: '/var/lib' },
    ]);
  });

  it('reports Node-style error codes', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    expect(await code(fs.readFile('/nope'))).toBe('ENOENT');
    expect(await code(fs.readFile('/bin'))).toBe('EISDIR');
    expect(await code(fs.readdir('/etc/passwd'))).toBe('ENOTDIR');
    expect(await code(fs.stat('/etc/passwd/'))).toBe('ENOTDIR');
    expect((await fs.stat('/etc/')).isDirectory()).toBe(true);
    expect(await code(fs.writeFile('/etc/passwd/x', ''))).toBe('ENOTDIR');
    expect(await code(fs.writeFile('/no/such', ''))).toBe('ENOENT');
    expect(await code(fs.mkdir('/etc'))).toBe('EEXIST');
    expect(await code(fs.writeFile('/etc/passwd', '', { flag: 'wx' }))).toBe('EEXIST');
    expect(await code(fs.rmdir('/var/lib'))).toBe('ENOTEMPTY');
    expect(await code(fs.rmdir('/etc/passwd'))).toBe('ENOTDIR');
    expect(await code(fs.unlink('/etc'))).toBe('EISDIR');
    expect(await code(fs.rm('/etc'))).toBe('EISDIR');
    expect(await code(fs.rename('/etc', '/etc/sub'))).toBe('EINVAL');
    expect(await code(fs.rename('/etc', '/bin'))).toBe('ENOTEMPTY');
    expect(await code(fs.rename('/etc', '/bin/sh'))).toBe('ENOTDIR');
    expect(await code(fs.rename('/etc/passwd', '/var'))).toBe('EISDIR');
    expect(await code(fs.readlink('/etc'))).toBe('EINVAL');
    expect(await code(fs.link('/etc', '/etc2'))).toBe('EPERM');
    expect(await code(fs.symlink('x', '/etc'))).toBe('EEXIST');
    await fs.symlink('loop2', '/loop1');
    await fs.symlink('loop1', '/loop2');
    expect(await code(fs.stat('/loop1'))).toBe('ELOOP');
    expect((await fs.lstat('/loop1')).isSymbolicLink()).toBe(true);
    await fs.rm('/missing', { force: true });
  });

  it('resolves symlinks as if chrooted', async () => {
    const base = await new LayerBuilder()
      .addSymlink('/up', '../../../../..')
      .addSymlink('/abs', '/etc')
      .addSymlink('/etc/self', '../etc/../../etc/passwd')
      .addFile('/etc/passwd', 'p')
      .build();
    const fs = new UnionFS([base]);
    expect(await fs.realpath('/up')).toBe('/');
    expect(await fs.realpath('/up/etc/passwd')).toBe('/etc/passwd');
    expect(await fs.realpath('/abs/self')).toBe('/etc/passwd');
    expect((await fs.readFile('/abs/self')).toString()).toBe('p');
    expect(await fs.readdir('/up/up/up')).toEqual(['abs', 'etc', 'up']);
    await fs.writeFile('/up/etc/new', 'n');
    expect((await fs.readFile('/etc/new')).toString()).toBe('n');
    expect(await fs.readlink('/abs')).toBe('/etc');
  });

  it('copies up with metadata and leaves lower layers untouched', async () => {
    const base = await new LayerBuilder().addFile('/f', 'lower', { mode: 0o640, uid: 5, gid: 6, mtime: new Date(1e12) }).build();
    const a = new UnionFS([base]);
    const b = new UnionFS([base]);
    await a.chmod('/f', 0o600);
    await a.chown('/f', 7, 8);
    const st = await a.stat('/f');
    expect([st.mode, st.uid, st.gid, st.mtime.getTime()]).toEqual([0o600, 7, 8, 1e12]);
    await a.writeFile('/f', 'upper');
    expect((await b.readFile('/f')).toString()).toBe('lower');
    expect((await b.stat('/f')).mode).toBe(0o640);
    expect(a.changes()).toEqual([{ kind: 'C', path: '/f' }]);
  });

  it('rmdir then mkdir of a lower directory makes it opaque, in the view and in the commit', async () => {
    const base = await busyboxLike();
    const fs = new UnionFS([base]);
    await fs.rm('/etc', { recursive: true });
    await fs.mkdir('/etc');
    await fs.writeFile('/etc/hosts', 'h');
    expect(await fs.readdir('/etc')).toEqual(['hosts']);
    const layer = await fs.commit();
    expect([...layer.opaqueDirs()]).toEqual(['etc']);
    expect(await snapshot(new UnionFS([base, layer]))).toEqual(await snapshot(fs));
  });

  it('renaming a lower directory moves its whole subtree and keeps hard links linked', async () => {
    const base = await busyboxLike();
    const fs = new UnionFS([base]);
    await fs.rename('/bin', '/sbin');
    expect(await fs.readdir('/sbin')).toEqual(['busybox', 'hostname', 'sh']);
    expect(await code(fs.readdir('/bin'))).toBe('ENOENT');
    expect((await fs.stat('/sbin/hostname')).nlink).toBe(2);
    await fs.writeFile('/sbin/hostname', 'new');
    expect((await fs.readFile('/sbin/busybox')).toString()).toBe('new');
    const layer = await fs.commit();
    expect(await snapshot(new UnionFS([base, layer]))).toEqual(await snapshot(fs));
    expect(fs.changes().map((c) => `${c.kind} ${c.path}`)).toContain('D /bin');
  });

  it('commit holds parent dirs, whiteouts before siblings, no duplicates', async () => {
    const base = await busyboxLike();
    const fs = new UnionFS([base]);
    await fs.unlink('/bin/hostname');
    await fs.writeFile('/bin/ash', 'a');
    await fs.mkdir('/new/deep', { recursive: true });
    const layer = await fs.commit();
    const names = await tarNames(layer.toTar());
    expect(names).toEqual(['directory:bin/', 'file:bin/.wh.hostname', 'file:bin/ash', 'directory:new/', 'directory:new/deep/']);
    expect(new Set(names).size).toBe(names.length);
    expect(await snapshot(new UnionFS([base, layer]))).toEqual(await snapshot(fs));
  });

  it('appends accumulate without losing bytes, and the commit interns the final content', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    for (let i = 0; i < 200; i++) await fs.appendFile('/var/log.txt', `line ${i}\n`);
    const expected = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join('');
    expect((await fs.stat('/var/log.txt')).size).toBe(expected.length);
    expect((await fs.readFile('/var/log.txt')).toString()).toBe(expected);
    await fs.appendFile('/var/log.txt', 'tail');
    const layer = await fs.commit();
    const entry = layer.get('var/log.txt');
    expect(entry?.type === 'file' && entry.content.data.toString()).toBe(`${expected}tail`);
  });

  it('a commit holds mtimes as its tar does (whole seconds)', async () => {
    const fs = new UnionFS([], { now: () => new Date(1_700_000_000_789) });
    await fs.writeFile('/f', 'x');
    const layer = await fs.commit();
    expect(layer.get('f')?.mtime.getTime()).toBe(1_700_000_000_000);
    const reread = await Layer.fromTar(await readAll(layer.toTar()));
    expect(reread.get('f')?.mtime.getTime()).toBe(1_700_000_000_000);
  });

  it('link() shares one inode between names', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    await fs.link('/etc/passwd', '/etc/passwd-');
    await fs.appendFile('/etc/passwd-', 'more');
    expect((await fs.readFile('/etc/passwd')).toString()).toBe('root:x:0:0\nmore');
    expect((await fs.stat('/etc/passwd')).nlink).toBe(2);
    const layer = await fs.commit();
    expect(layer.get('etc/passwd-')).toMatchObject({ type: 'hardlink', target: 'etc/passwd' });
  });

  it('read-only views refuse every write with EROFS', async () => {
    const fs = new UnionFS([await busyboxLike()], { readOnly: true });
    expect(await code(fs.writeFile('/x', ''))).toBe('EROFS');
    expect(await code(fs.mkdir('/d'))).toBe('EROFS');
    expect(await code(fs.unlink('/etc/passwd'))).toBe('EROFS');
    expect(await code(fs.rename('/etc', '/e'))).toBe('EROFS');
    expect(await code(fs.chmod('/etc', 0))).toBe('EROFS');
    expect(await code(fs.extract('/', await makeTar([{ name: 'x', data: '' }])))).toBe('EROFS');
    expect((await fs.readFile('/etc/passwd')).toString()).toBe('root:x:0:0\n');
  });

  it('exportTar gives the flattened view with hard links as links', async () => {
    const base = await busyboxLike();
    const fs = new UnionFS([base]);
    await fs.unlink('/etc/passwd');
    await fs.writeFile('/etc/motd', 'hi');
    const names = await tarNames(fs.exportTar());
    expect(names).toEqual([
      'directory:bin/',
      'file:bin/busybox',
      'link:bin/hostname',
      'symlink:bin/sh',
      'directory:etc/',
      'file:etc/motd',
      'directory:var/',
      'directory:var/lib/',
      'directory:var/lib/x/',
      'file:var/lib/x/data',
    ]);
    const reread = await Layer.fromTar(await readAll(fs.exportTar()));
    expect(await snapshot(new UnionFS([reread]))).toEqual(await snapshot(fs));
  });

  it('archive(path) names the entry by its basename; a missing path errors the stream', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    expect(await tarNames(fs.archive('/var/lib'))).toEqual(['directory:lib/', 'directory:lib/x/', 'file:lib/x/data']);
    expect(await tarNames(fs.archive('/etc/passwd'))).toEqual(['file:passwd']);
    await expect(readAll(fs.archive('/nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('extract() unpacks into a directory of the view, replacing and adding entries', async () => {
    const fs = new UnionFS([await busyboxLike()]);
    const tar = await makeTar([
      { name: 'sub/', type: 'directory', mode: 0o700 },
      { name: 'sub/a.txt', data: 'A' },
      { name: 'data', data: 'replaced' },
      { name: 'sub/link', type: 'link', linkname: 'sub/a.txt' },
    ]);
    await fs.extract('/var/lib/x', tar);
    expect(await fs.readdir('/var/lib/x')).toEqual(['data', 'sub']);
    expect((await fs.stat('/var/lib/x/sub')).mode).toBe(0o700);
    expect((await fs.readFile('/var/lib/x/data')).toString()).toBe('replaced');
    expect((await fs.stat('/var/lib/x/sub/link')).nlink).toBe(2);
    expect(await code(fs.extract('/etc/passwd', tar))).toBe('ENOTDIR');
  });

  it('many views over one image share the lower index and content', async () => {
    const builder = new LayerBuilder();
    for (let i = 0; i < 500; i++) builder.addFile(`/usr/share/f${i}`, `content ${i % 10}`);
    const base = await builder.build();
    const views = Array.from({ length: 1000 }, () => new UnionFS([base]));
    await Promise.all(views.map((v, i) => v.writeFile(`/id`, String(i))));
    expect((await views[999]!.readFile('/id')).toString()).toBe('999');
    expect((await views[0]!.readdir('/usr/share')).length).toBe(500);
    expect(views[0]!.changes()).toEqual([{ kind: 'A', path: '/id' }]);
  });
});
