import { mkdtemp, readFile, rm, symlink, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnionFS } from '../../../src/fs-union/union-fs.js';
import { LogBuffer } from '../../../src/backends/emulator/containers/log-buffer.js';
import { trapsIn } from '../../../src/backends/emulator/containers/pid1-signals.js';
import { extractInto } from '../../../src/backends/emulator/containers/archive.js';
import { MountedFs } from '../../../src/backends/emulator/mounts/mounted-fs.js';
import { HostDirectoryFs } from '../../../src/backends/emulator/mounts/host-fs.js';
import { EngineFile } from '../../../src/backends/emulator/mounts/engine-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-emu-parts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tarOf(entries: { name: string; type?: 'file' | 'directory' | 'symlink'; linkname?: string; body?: string }[]): Readable {
  const pack = tarStream.pack();
  for (const e of entries) {
    if (e.type === 'file' || e.type === undefined) pack.entry({ name: e.name }, e.body ?? '');
    else pack.entry({ name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) });
  }
  pack.finalize();
  const out = new PassThrough();
  (pack as unknown as Readable).pipe(out);
  return out;
}

describe('emulator parts', () => {
  it('LogBuffer keeps the newest lines within its byte cap and joins partial writes', async () => {
    let t = 0;
    const logs = new LogBuffer({ now: () => new Date(t++), maxBytes: 40 });
    logs.append('stdout', 'par');
    logs.append('stdout', 'tial\n');
    for (let i = 0; i < 20; i++) logs.append(i % 2 ? 'stderr' : 'stdout', `line ${i}\n`);
    logs.append('stdout', 'no newline');
    logs.close();
    const lines = [];
    for await (const l of logs.read({ follow: false, stdout: true, stderr: true })) lines.push(l.text);
    expect(lines.join('\n').length).toBeLessThanOrEqual(40);
    expect(lines.at(-1)).toBe('no newline');
    expect(lines).not.toContain('partial');
    expect(lines.at(-2)).toBe('line 19');
  });

  it('trapsIn finds the signals a script traps', () => {
    expect([...trapsIn('trap "exit 0" TERM; echo hi')]).toEqual([15]);
    expect([...trapsIn("trap 'cleanup' INT SIGTERM EXIT")].sort()).toEqual([15, 2].sort());
    expect([...trapsIn("trap - TERM")]).toEqual([]);
    expect([...trapsIn("trap '' TERM")]).toEqual([]);
    expect([...trapsIn('echo trap is a word')]).toEqual([]);
  });

  it('MountedFs routes to mounts, lists mount points, refuses EROFS and cross-mount renames', async () => {
    const root = new UnionFS([]);
    await root.mkdir('/etc');
    const vol = new UnionFS([]);
    const ro = new UnionFS([]);
    await ro.writeFile('/f', 'x');
    const fs = new MountedFs(root, [
      { target: '/data', fs: vol, readOnly: false },
      { target: '/data/ro', fs: ro, readOnly: true },
      { target: '/etc/hostname', fs: new EngineFile('box\n', new Date(0)), readOnly: false },
    ]);
    await fs.writeFile('/data/a', 'A');
    expect((await vol.readFile('/a')).toString()).toBe('A');
    expect(await fs.readdir('/')).toEqual(['data', 'etc']);
    expect(await fs.readdir('/data')).toEqual(['a', 'ro']);
    expect(await fs.readdir('/etc')).toEqual(['hostname']);
    expect((await fs.readFile('/etc/../etc/hostname')).toString()).toBe('box\n');
    await expect(fs.writeFile('/data/ro/g', 'y')).rejects.toMatchObject({ code: 'EROFS' });
    await expect(fs.rename('/data/a', '/b')).rejects.toMatchObject({ code: 'EXDEV' });
    expect(await fs.realpath('/data/ro/f')).toBe('/data/ro/f');
    expect(root.changes()).toEqual([{ kind: 'A', path: '/etc' }]);
  });

  it('HostDirectoryFs keeps `..` inside the bind source', async () => {
    await mkdir(join(dir, 'src'));
    const host = new HostDirectoryFs(join(dir, 'src'));
    await host.writeFile('/../../escape.txt', 'no');
    expect(await readFile(join(dir, 'src', 'escape.txt'), 'utf8')).toBe('no');
    await expect(stat(join(dir, 'escape.txt'))).rejects.toThrow();
    await expect(host.readFile('/missing')).rejects.toMatchObject({ code: 'ENOENT', name: 'FsError' });
  });

  it('putArchive follows a symlink inside the container, never on the host', async () => {
    await mkdir(join(dir, 'bind'));
    await mkdir(join(dir, 'outside'));
    const root = new UnionFS([]);
    const fs = new MountedFs(root, [{ target: '/b', fs: await HostDirectoryFs.open(join(dir, 'bind')), readOnly: false }]);
    // The host path means nothing inside the container: there it leads nowhere.
    await symlink(join(dir, 'outside'), join(dir, 'bind', 'link'));
    await expect(extractInto(fs, '/b', tarOf([{ name: 'link/pwned', body: 'x' }]), 'c1')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dir, 'outside', 'pwned'))).rejects.toThrow();
    // As Docker: an entry under a link goes where the link leads in the container.
    await root.mkdir('/elsewhere');
    await symlink('/elsewhere', join(dir, 'bind', 'inside'));
    await extractInto(fs, '/b', tarOf([{ name: 'inside/f', body: 'in' }]), 'c1');
    expect((await root.readFile('/elsewhere/f')).toString()).toBe('in');
    await expect(extractInto(fs, '/b', tarOf([{ name: '../../x', body: 'x' }]), 'c1')).rejects.toThrow(/climbs out/);
    await extractInto(fs, '/b', tarOf([{ name: 'deep/er/f.txt', body: 'ok' }]), 'c1');
    expect(await readFile(join(dir, 'bind', 'deep', 'er', 'f.txt'), 'utf8')).toBe('ok');
  });
});
