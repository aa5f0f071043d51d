import { describe, it, expect } from 'vitest';
import { EmulatorImageStore } from '../../../src/backends/emulator/images/index.js';
import { resolveExecutable } from '../../../src/backends/emulator/exec/resolve.js';
import { UnionFS } from '../../../src/fs-union/union-fs.js';

/** The PATH an image's config sets. */
function pathOf(env: string[]): string {
  return (env.find((e) => e.startsWith('PATH=')) ?? 'PATH=').slice(5);
}

describe('built-in rootfs through the union view', () => {
  const store = new EmulatorImageStore({ clock: () => new Date(), isInUse: () => false });

  it.each([
    ['busybox', 'sh', '/bin/sh', '/bin/busybox'],
    ['alpine', 'ls', '/bin/ls', '/bin/busybox'],
    ['centos:7', 'bash', '/usr/bin/bash', '/usr/bin/busybox'],
    ['debian', 'bash', '/usr/bin/bash', '/usr/bin/busybox'],
    ['ubuntu', 'grep', '/usr/bin/grep', '/usr/bin/busybox'],
    ['nginx', 'nginx', '/usr/sbin/nginx', '/usr/sbin/nginx'],
  ])('%s: `%s` resolves in PATH to %s (really %s)', async (ref, argv0, path, realPath) => {
    await store.backend.pull(ref);
    const image = store.resolve(ref);
    const fs = new UnionFS(image.layers);
    expect(await resolveExecutable(fs, argv0, { path: pathOf(image.config.env) })).toEqual({ path, realPath });
    expect((await fs.stat('/tmp')).mode & 0o7777).toBe(0o1777);
    expect((await fs.readFile('/etc/passwd')).toString()).toMatch(/^root:x:0:0:root:\/root:/);
    expect(await fs.readdir('/')).toEqual(expect.arrayContaining(['bin', 'etc', 'home', 'root', 'tmp', 'usr', 'var']));
  });

  it('serves the nginx welcome page and os-release files', async () => {
    await store.backend.pull('nginx');
    const fs = new UnionFS(store.resolve('nginx').layers);
    expect((await fs.readFile('/usr/share/nginx/html/index.html')).toString()).toContain('<title>Welcome to nginx!</title>');
    expect((await fs.readFile('/etc/os-release')).toString()).toContain('Debian GNU/Linux 12 (bookworm)');
    // The nginx layer's /etc/passwd replaces Debian's and adds the nginx user.
    expect((await fs.readFile('/etc/passwd')).toString()).toContain('nginx:x:101:101:');
    await store.backend.pull('centos:7');
    const centos = new UnionFS(store.resolve('centos:7').layers);
    expect((await centos.readFile('/etc/redhat-release')).toString()).toBe('CentOS Linux release 7.9.2009 (Core)\n');
  });
});
