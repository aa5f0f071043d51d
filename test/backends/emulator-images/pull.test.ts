import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { EmulatorImageStore } from '../../../src/backends/emulator/images/index.js';
import { NotFoundError } from '../../../src/core/errors.js';
import type { EngineEvent } from '../../../src/core/schemas/events.js';
import type { ProgressEvent } from '../../../src/core/schemas/image.js';
import { LayerBuilder } from '../../../src/fs-union/layer-builder.js';

function newStore(): { store: EmulatorImageStore; events: EngineEvent[] } {
  const store = new EmulatorImageStore({ clock: () => new Date('2026-01-02T03:04:05Z'), isInUse: () => false });
  const events: EngineEvent[] = [];
  store.onEvent = (e) => events.push(e);
  return { store, events };
}

describe('pull of the built-in catalogue', () => {
  it('lists nothing before a pull and the image after it, with Docker-like progress', async () => {
    const { store, events } = newStore();
    expect(await store.backend.list()).toEqual([]);
    const progress: ProgressEvent[] = [];
    const { id } = await store.backend.pull('busybox', { onProgress: (e) => progress.push(e) });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const statuses = progress.map((p) => p.status);
    expect(progress[0]).toEqual({ id: 'latest', status: 'Pulling from library/busybox' });
    expect(statuses).toContain('Pull complete');
    expect(statuses.some((s) => /^Digest: sha256:[0-9a-f]{64}$/.test(s))).toBe(true);
    expect(statuses.at(-1)).toBe('Status: Downloaded newer image for busybox:latest');
    const list = await store.backend.list();
    expect(list).toHaveLength(1);
    expect(list[0]!.repoTags).toEqual(['busybox:latest']);
    expect(list[0]!.id).toBe(id);
    expect(events.map((e) => `${e.action}:${e.name ?? ''}`)).toEqual(['pull:busybox:latest']);

    const again: ProgressEvent[] = [];
    await store.backend.pull('busybox:latest', { onProgress: (e) => again.push(e) });
    expect(again.at(-1)!.status).toBe('Status: Image is up to date for busybox:latest');
    expect(again.some((e) => e.status === 'Pull complete')).toBe(false);
  });

  it('gives the same IDs and shares the same layer objects across stores', async () => {
    const a = newStore().store;
    const b = newStore().store;
    const idA = (await a.backend.pull('centos:7')).id;
    const idB = (await b.backend.pull('centos:7')).id;
    expect(idA).toBe(idB);
    expect(a.resolve('centos:7').layers[0]).toBe(b.resolve('centos:7').layers[0]);
    // nginx is built on the Debian layer object itself.
    await a.backend.pull('debian');
    await a.backend.pull('nginx');
    expect(a.resolve('nginx').layers[0]).toBe(a.resolve('debian').layers[0]);
  });

  it('builds rootfs entries the launcher can dispatch and the configs people expect', async () => {
    const { store } = newStore();
    for (const ref of ['busybox', 'alpine', 'centos:7', 'debian', 'ubuntu', 'nginx']) await store.backend.pull(ref);
    const busybox = store.resolve('busybox');
    const layer = busybox.layers[0]!;
    expect(layer.get('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(layer.get('bin/sh')).toMatchObject({ type: 'symlink', target: 'busybox' });
    expect(layer.get('bin/ls')).toMatchObject({ type: 'symlink', target: 'busybox' });
    expect(layer.get('tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(layer.get('etc/passwd')?.type).toBe('file');
    expect(busybox.config.cmd).toEqual(['sh']);
    expect(busybox.config.env.some((e) => e.startsWith('PATH=/usr/local/sbin:'))).toBe(true);

    const centos = store.resolve('centos:7');
    expect(centos.config.cmd).toEqual(['/bin/bash']);
    expect(centos.layers[0]!.get('bin')).toMatchObject({ type: 'symlink', target: 'usr/bin' });
    expect(centos.layers[0]!.get('usr/bin/bash')).toMatchObject({ type: 'symlink', target: 'sh' });
    expect(store.resolve('debian').config.cmd).toEqual(['bash']);
    expect(store.resolve('alpine').config.cmd).toEqual(['/bin/sh']);

    const nginx = await store.backend.inspect('nginx');
    expect(nginx.config.exposedPorts).toEqual(['80/tcp']);
    expect(nginx.config.cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(nginx.config.stopSignal).toBe('SIGQUIT');
    expect(nginx.rootfs.diffIds).toHaveLength(2);
    const top = store.resolve('nginx').layers[1]!;
    const index = top.get('usr/share/nginx/html/index.html');
    expect(index?.type).toBe('file');
    // Read the page back through the layer's own tar: it carries the real title.
    const chunks: Buffer[] = [];
    for await (const c of top.toTar()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString('latin1')).toContain('<title>Welcome to nginx!</title>');
  });

  it('refuses unknown repositories and tags with Docker\'s texts', async () => {
    const { store } = newStore();
    await expect(store.backend.pull('nosuchthing')).rejects.toThrow(NotFoundError);
    await expect(store.backend.pull('nosuchthing')).rejects.toThrow(
      "pull access denied for nosuchthing, repository does not exist or may require 'docker login'",
    );
    await expect(store.backend.pull('busybox:0.0.0-nope')).rejects.toThrow('manifest for busybox:0.0.0-nope not found');
    await expect(store.backend.pull('myreg:5000/app:1')).rejects.toThrow(NotFoundError);
    expect(await store.backend.list()).toEqual([]);
  });

  it('pulls from a configured source (layers or an archive)', async () => {
    const layer = await new LayerBuilder().addDirectory('/app').addFile('/app/run', 'x', { mode: 0o755 }).build();
    const store = new EmulatorImageStore({
      clock: () => new Date('2026-01-01T00:00:00Z'),
      isInUse: () => false,
      sources: (ref) => (ref.name === 'myreg:5000/app' ? { layers: [layer], config: { cmd: ['/app/run'] } } : undefined),
    });
    const { id } = await store.backend.pull('myreg:5000/app:1');
    expect((await store.backend.inspect('myreg:5000/app:1')).config.cmd).toEqual(['/app/run']);
    expect((await store.backend.list())[0]).toMatchObject({ id, repoTags: ['myreg:5000/app:1'] });
    await expect(store.backend.pull('myreg:5000/other')).rejects.toThrow(NotFoundError);
    // A source may also hand back an archive stream; an empty one is rejected, not hung on.
    const empty = new EmulatorImageStore({ clock: () => new Date(), isInUse: () => false, sources: () => Readable.from([]) });
    await expect(empty.backend.pull('x/y')).rejects.toThrow();
  });
});
