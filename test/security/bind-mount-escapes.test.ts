/**
 * Issue 7, "escapes through bind mounts": each probe replayed on the emulator and on Docker
 * (the oracle). A bind mount's host dir sits next to a sentinel dir (`outside/`, holding
 * `secret`): whatever a container does, the sentinel and the host's own `/tmp` must not change,
 * and every symlink must resolve inside the container, as the kernel does it in Docker.
 */
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Container } from '../../src/index.js';
import { describeOnBackends, type OracleContext } from './oracle.js';
import { readTar, tarOf } from './tar.js';

interface Layout {
  /** The host dir mounted at /data. */
  mnt: string;
  /** A host dir next to it that no container may reach. */
  outside: string;
  /** A file in `outside`. */
  secret: string;
}

const SECRET = 'HOST-SECRET\n';
const SECRET_TIME = new Date('2001-02-03T04:05:06Z');

async function layout(ctx: OracleContext): Promise<Layout> {
  const base = await ctx.tempDir();
  const mnt = join(base, 'mnt');
  const outside = join(base, 'outside');
  await mkdir(mnt);
  await mkdir(outside);
  const secret = join(outside, 'secret');
  await writeFile(secret, SECRET);
  await utimes(secret, SECRET_TIME, SECRET_TIME);
  return { mnt, outside, secret };
}

/** What the sentinel dir looks like: names, and the secret's bytes, link count and mtime. */
async function snapshot(l: Layout): Promise<unknown> {
  const st = await stat(l.secret);
  return { names: (await readdir(l.outside)).sort(), content: await readFile(l.secret, 'utf8'), nlink: st.nlink, mtime: st.mtimeMs };
}

async function sleeper(ctx: OracleContext, volumes: string[]): Promise<Container> {
  const c = await ctx.engine.containers.run({ image: ctx.image, name: ctx.unique('sec-bind'), cmd: ['sleep', '1000'], volumes, pull: 'never' });
  ctx.cleanup(() => c.remove({ force: true }));
  return c;
}

async function sh(c: Container, script: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await c.exec(['sh', '-c', script]);
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A name in the host's /tmp that the probe must not create (removed afterwards if it was). */
function hostTmpName(ctx: OracleContext): string {
  const name = ctx.unique('stowage-sec-probe');
  ctx.cleanup(() => rm(join('/tmp', name), { force: true, recursive: true }));
  return name;
}

async function absent(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return false;
  } catch (e) {
    return (e as { code?: string }).code === 'ENOENT';
  }
}

describeOnBackends('bind-mount escapes', (ctx) => {
  it('ln -s / /data/evil; echo x > /data/evil/tmp/file writes the container\'s /tmp, not the host\'s', async () => {
    const l = await layout(ctx);
    const before = await snapshot(l);
    const c = await sleeper(ctx, [`${l.mnt}:/data`]);
    const name = hostTmpName(ctx);
    const r = await sh(c, `ln -s / /data/evil && echo x > /data/evil/tmp/${name} && cat /tmp/${name}`);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'x\n' });
    expect(await absent(join('/tmp', name))).toBe(true);
    // The link itself is a plain symlink in the host dir, as Docker leaves it.
    expect((await lstat(join(l.mnt, 'evil'))).isSymbolicLink()).toBe(true);
    // The sentinel's path does not exist inside the container: the write fails.
    const planted = await sh(c, `echo y > /data/evil${l.outside}/planted`);
    expect(planted.exitCode).not.toBe(0);
    expect(await snapshot(l)).toEqual(before);
  });

  it('putArchive resolves its destination inside the container', async () => {
    const l = await layout(ctx);
    const before = await snapshot(l);
    await symlink('/', join(l.mnt, 'evil'));
    const c = await sleeper(ctx, [`${l.mnt}:/data`]);
    const name = hostTmpName(ctx);
    await c.putArchive('/data/evil/tmp', tarOf([{ name, body: 'y\n' }]));
    expect(await absent(join('/tmp', name))).toBe(true);
    expect((await sh(c, `cat /tmp/${name}`)).stdout).toBe('y\n');
    await expect(c.putArchive(`/data/evil${l.outside}`, tarOf([{ name: 'planted', body: 'z' }]))).rejects.toThrow();
    expect(await snapshot(l)).toEqual(before);
  });

  it('a tar hard link cannot link a file from outside the mount into it', async () => {
    const l = await layout(ctx);
    const before = await snapshot(l);
    await symlink('/', join(l.mnt, 'evil'));
    const c = await sleeper(ctx, [`${l.mnt}:/data`]);
    // The issue's `h -> evil/etc/passwd`, aimed at the sentinel (on the host it would be one).
    await expect(c.putArchive('/data', tarOf([{ name: 'h', type: 'link', linkname: `evil${l.outside}/secret` }]))).rejects.toThrow();
    expect(await absent(join(l.mnt, 'h'))).toBe(true);
    // The container's own /etc/passwd lies on another filesystem than the bind mount: EXDEV.
    await expect(c.putArchive('/data', tarOf([{ name: 'p', type: 'link', linkname: 'evil/etc/passwd' }]))).rejects.toThrow();
    expect(await absent(join(l.mnt, 'p'))).toBe(true);
    // The same through the shell.
    expect((await sh(c, `ln /data/evil${l.outside}/secret /data/h2`)).exitCode).not.toBe(0);
    expect((await sh(c, 'ln /etc/passwd /data/h3')).exitCode).not.toBe(0);
    expect(await absent(join(l.mnt, 'h3'))).toBe(true);
    expect(await snapshot(l)).toEqual(before);
  });

  it('a tar hard link inside the mount works and leaves the target\'s times alone', async () => {
    const l = await layout(ctx);
    const c = await sleeper(ctx, [`${l.mnt}:/data`]);
    await writeFile(join(l.mnt, 'orig'), 'o');
    await utimes(join(l.mnt, 'orig'), SECRET_TIME, SECRET_TIME);
    await c.putArchive('/data', tarOf([{ name: 'copy', type: 'link', linkname: 'orig', mtime: new Date(0) }]));
    expect((await stat(join(l.mnt, 'orig'))).nlink).toBe(2);
    expect((await stat(join(l.mnt, 'orig'))).mtimeMs).toBe(SECRET_TIME.getTime());
  });

  for (const mode of ['ro', 'rw'] as const) {
    it(`symlinks already in the host dir resolve inside the container (:${mode})`, async () => {
      const l = await layout(ctx);
      const before = await snapshot(l);
      await symlink(l.secret, join(l.mnt, 'peek'));
      await symlink('/', join(l.mnt, 'root'));
      const c = await sleeper(ctx, [`${l.mnt}:/data${mode === 'ro' ? ':ro' : ''}`]);
      const peek = await sh(c, 'cat /data/peek');
      expect(peek.stdout).not.toContain('HOST-SECRET');
      expect(peek.exitCode).not.toBe(0);
      expect((await sh(c, `cat /data/root${l.outside}/secret`)).stdout).not.toContain('HOST-SECRET');
      await expect(readTar(c.getArchive(`/data/root${l.outside}`))).rejects.toThrow();
      // /data/root/etc is the container's /etc.
      const viaLink = await readTar(c.getArchive('/data/root/etc'));
      const direct = await readTar(c.getArchive('/etc'));
      expect([...viaLink.keys()].sort()).toEqual([...direct.keys()].sort());
      expect(viaLink.get('etc/passwd')?.data.toString()).toBe(direct.get('etc/passwd')?.data.toString());
      // A final symlink is archived as the link, as `docker cp` does.
      const link = await readTar(c.getArchive('/data/root'));
      expect(link.get('root')).toMatchObject({ type: 'symlink', linkname: '/' });
      expect(await snapshot(l)).toEqual(before);
    });
  }

  it('.. from a bind mount\'s root is the mount point\'s parent in the container', async () => {
    const l = await layout(ctx);
    const before = await snapshot(l);
    await symlink('..', join(l.mnt, 'up'));
    const c = await sleeper(ctx, [`${l.mnt}:/data`]);
    const ls = await sh(c, 'ls /data/up/');
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['bin', 'data', 'etc']));
    expect(ls.stdout.split('\n')).not.toContain('outside');
    expect((await sh(c, 'cat /data/up/outside/secret')).exitCode).not.toBe(0);
    expect((await sh(c, 'echo x > /data/up/outside/planted')).exitCode).not.toBe(0);
    expect(await snapshot(l)).toEqual(before);
  });

  it('a link from a read-write area into a :ro mount does not make it writable', async () => {
    const l = await layout(ctx);
    const ro = join(l.mnt, '..', 'ro');
    await mkdir(ro);
    await writeFile(join(ro, 'f'), 'original\n');
    const c = await sleeper(ctx, [`${l.mnt}:/data`, `${ro}:/ro:ro`]);
    const r = await sh(c, 'ln -s /ro/f /data/l && echo x > /data/l');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/i);
    expect((await sh(c, 'ln -s /ro /data/dir && echo x > /data/dir/new')).exitCode).not.toBe(0);
    await expect(c.putArchive('/data/dir', tarOf([{ name: 'new2', body: 'x' }]))).rejects.toThrow();
    expect(await readFile(join(ro, 'f'), 'utf8')).toBe('original\n');
    expect(await readdir(ro)).toEqual(['f']);
  });

  it('an exec\'d program is looked up inside the container, not through the host\'s links', async () => {
    const l = await layout(ctx);
    const tool = join(l.outside, 'tool.sh');
    await writeFile(tool, '#!/bin/sh\necho HOSTLEAK\n');
    await chmod(tool, 0o755);
    await symlink(tool, join(l.mnt, 'tool'));
    await symlink('/bin', join(l.mnt, 'bin'));
    const c = await sleeper(ctx, [`${l.mnt}:/data`]);
    const viaShell = await sh(c, '/data/tool');
    expect(viaShell.stdout).not.toContain('HOSTLEAK');
    expect(viaShell.exitCode).toBe(127);
    const direct = await c.exec(['/data/tool']).then((r) => String(r.stdout), (e: Error) => e.message);
    expect(direct).not.toContain('HOSTLEAK');
    // A link to the container's own /bin works: the container's echo runs.
    expect((await sh(c, '/data/bin/echo inside')).stdout).toBe('inside\n');
  });
});
