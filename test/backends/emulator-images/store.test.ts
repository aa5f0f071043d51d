import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { EmulatorImageStore } from '../../../src/backends/emulator/images/index.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../src/core/errors.js';
import type { EngineEvent } from '../../../src/core/schemas/events.js';
import { LayerBuilder } from '../../../src/fs-union/layer-builder.js';
import { sha256Digest } from '../../../src/fs-union/digest.js';

/** A store whose clock advances one second per read, so creation order is visible. */
function newStore(inUse: Set<string> = new Set()): { store: EmulatorImageStore; events: EngineEvent[] } {
  let t = Date.parse('2026-01-02T03:04:05Z');
  const store = new EmulatorImageStore({ clock: () => new Date((t += 1000)), isInUse: (id) => inUse.has(id) });
  const events: EngineEvent[] = [];
  store.onEvent = (e) => events.push(e);
  return { store, events };
}

async function rootfsTar(): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'bin/', type: 'directory', mode: 0o755 });
  pack.entry({ name: 'bin/hello', mode: 0o755 }, 'hello\n');
  pack.entry({ name: 'etc/', type: 'directory', mode: 0o755 });
  pack.entry({ name: 'etc/motd', mode: 0o644 }, 'imported\n');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('inspect, history and addImage', () => {
  it('inspects a pulled image with an ID that is the sha256 of its config bytes', async () => {
    const { store } = newStore();
    await store.backend.pull('ubuntu');
    const info = await store.backend.inspect('ubuntu:latest');
    const image = store.resolve('ubuntu');
    expect(info.id).toBe(sha256Digest(image.configBytes));
    expect(info.repoTags).toEqual(['ubuntu:latest']);
    expect(info.os).toBe('linux');
    expect(info.rootfs.diffIds).toEqual(image.layers.map((l) => l.diffId));
    expect(info.size).toBeGreaterThan(0);
    const config = JSON.parse(image.configBytes.toString('utf8'));
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: info.rootfs.diffIds });
    expect(config.config.Cmd).toEqual(['/bin/bash']);
    // Lookups by full ID, bare hex and a prefix all find it; a miss is Docker's text.
    expect(store.resolve(info.id).id).toBe(info.id);
    expect(store.resolve(info.id.slice(7)).id).toBe(info.id);
    expect(store.resolve(info.id.slice(7, 19)).id).toBe(info.id);
    expect(() => store.resolve('nothere')).toThrow(NotFoundError);
    expect(() => store.resolve('nothere')).toThrow('No such image: nothere');
    expect(store.find('nothere')).toBeUndefined();
    await expect(store.backend.inspect('nothere')).rejects.toThrow(NotFoundError);
  });

  it('commits on top of a parent: history newest first, parent ID, <missing> below', async () => {
    const { store } = newStore();
    const parentId = (await store.backend.pull('centos:7')).id;
    const parent = store.resolve(parentId);
    const layer = await new LayerBuilder().addFile('/hello', 'hi').build();
    const child = store.addImage({
      parent, layer, config: { ...parent.config, cmd: ['/hello'] }, author: 'Jane <j@x>', comment: 'added hello',
      tags: ['centos:test'],
    });
    expect(child.layers).toEqual([...parent.layers, layer]);
    const info = await store.backend.inspect('centos:test');
    expect(info).toMatchObject({ id: child.id, author: 'Jane <j@x>', comment: 'added hello', repoTags: ['centos:test'] });
    const history = await store.backend.history('centos:test');
    expect(history[0]).toMatchObject({ id: child.id, comment: 'added hello', emptyLayer: false, size: 2 });
    expect(history[1]!.id).toBe(parentId);
    expect(history.slice(2).every((h) => h.id === '<missing>')).toBe(true);
    const parentHistory = await store.backend.history('centos:7');
    expect(history.slice(1).map((h) => h.createdBy)).toEqual(parentHistory.map((h) => h.createdBy));
    expect(parentHistory.some((h) => h.emptyLayer)).toBe(true);
    // A config-only step adds no layer.
    const empty = store.addImage({ parent: child, layer: layer, config: child.config, createdBy: 'ENV A=b', emptyLayer: true });
    expect(empty.layers).toHaveLength(child.layers.length);
    expect((await store.backend.history(empty.id))[0]).toMatchObject({ emptyLayer: true, size: 0, createdBy: 'ENV A=b' });
    // The untagged parent of `empty` (child) is hidden from the list only while it has children and no tag.
    const listed = (await store.backend.list()).map((r) => r.id);
    expect(listed[0]).toBe(empty.id);
    expect(listed).toContain(child.id);
  });
});

describe('tag and remove', () => {
  it('tags and untags, deleting the image with its last tag', async () => {
    const { store, events } = newStore();
    const { id } = await store.backend.pull('busybox');
    await store.backend.tag('busybox', 'myreg:5000/box:1');
    await store.backend.tag(id, 'box');
    expect((await store.backend.inspect(id)).repoTags).toEqual(['busybox:latest', 'myreg:5000/box:1', 'box:latest']);
    expect(await store.backend.remove('box')).toEqual({ untagged: ['box:latest'], deleted: [] });
    // By ID with two tags left: refused without force.
    await expect(store.backend.remove(id)).rejects.toThrow(ConflictError);
    await expect(store.backend.remove(id)).rejects.toThrow('image is referenced in multiple repositories');
    await store.backend.remove('myreg:5000/box:1');
    expect(await store.backend.remove('busybox:latest')).toEqual({ untagged: ['busybox:latest'], deleted: [id] });
    expect(await store.backend.list()).toEqual([]);
    expect(events.map((e) => e.action)).toEqual(['pull', 'tag', 'tag', 'untag', 'untag', 'untag', 'delete']);
    await expect(store.backend.remove('busybox')).rejects.toThrow(NotFoundError);
    await expect(store.backend.tag('busybox', 'x')).rejects.toThrow(NotFoundError);
  });

  it('finds and untags a pulled image by its digest reference', async () => {
    const { store } = newStore();
    const progress: string[] = [];
    const { id } = await store.backend.pull('debian', { onProgress: (e) => progress.push(e.status) });
    const digest = progress.find((p) => p.startsWith('Digest: '))!.slice(8);
    expect(store.resolve(`debian@${digest}`).id).toBe(id);
    expect(await store.backend.remove(`debian@${digest}`)).toEqual({ untagged: [`debian@${digest}`], deleted: [] });
    expect(store.find(`debian@${digest}`)).toBeUndefined();
    expect(store.find('debian')?.id).toBe(id);
  });

  it('force by ID removes every tag', async () => {
    const { store } = newStore();
    const { id } = await store.backend.pull('alpine');
    await store.backend.tag('alpine', 'a2');
    expect(await store.backend.remove(id.slice(7, 19), { force: true })).toEqual({ untagged: ['alpine:latest', 'a2:latest'], deleted: [id] });
  });

  it('refuses to drop the last tag of an image a container uses unless forced', async () => {
    const inUse = new Set<string>();
    const { store } = newStore(inUse);
    const { id } = await store.backend.pull('busybox');
    inUse.add(id);
    const attempt = store.backend.remove('busybox');
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(store.backend.remove('busybox')).rejects.toThrow(
      'conflict: unable to remove repository reference "busybox" (must force) - container is using its referenced image ' + id.slice(7, 19),
    );
    // With two tags the other tag keeps the image named, so untagging one is fine.
    await store.backend.tag('busybox', 'second');
    expect((await store.backend.remove('second')).untagged).toEqual(['second:latest']);
    expect(await store.backend.remove('busybox', { force: true })).toEqual({ untagged: ['busybox:latest'], deleted: [id] });
  });

  it('names the container and refuses a running one even with force when the backend says so', async () => {
    const store = new EmulatorImageStore({
      clock: () => new Date(),
      isInUse: () => true,
      userOf: () => ({ id: 'abcdef0123456789'.repeat(4), running: true }),
    });
    const { id } = await store.backend.pull('busybox');
    await expect(store.backend.remove('busybox')).rejects.toThrow('container abcdef012345 is using its referenced image');
    await expect(store.backend.remove(id, { force: true })).rejects.toThrow('(cannot be forced) - image is being used by running container abcdef012345');
  });

  it('keeps a parent with children when its tag goes, and refuses to delete it by ID', async () => {
    const { store } = newStore();
    const { id } = await store.backend.pull('busybox');
    const layer = await new LayerBuilder().addFile('/x', 'x').build();
    const child = store.addImage({ parent: store.resolve(id), layer, config: store.resolve(id).config, tags: ['kid'] });
    expect(await store.backend.remove('busybox')).toEqual({ untagged: ['busybox:latest'], deleted: [] });
    expect(store.find(id)?.id).toBe(id);
    await expect(store.backend.remove(id)).rejects.toThrow('image has dependent child images');
    // Deleting the child prunes the now untagged, unused parent too.
    expect(await store.backend.remove('kid')).toEqual({ untagged: ['kid:latest'], deleted: [child.id, id] });
  });

  it('rejects invalid references', async () => {
    const { store } = newStore();
    await store.backend.pull('busybox');
    await expect(store.backend.tag('busybox', 'Bad:Ref')).rejects.toThrow(InvalidArgumentError);
    await expect(store.backend.pull('UPPER')).rejects.toThrow(InvalidArgumentError);
  });
});

describe('import', () => {
  it('imports a gzip rootfs tar as an untagged one-layer image', async () => {
    const { store, events } = newStore();
    const gz = gzipSync(await rootfsTar());
    const { id } = await store.backend.import(Readable.from([gz]), { changes: [] });
    const info = await store.backend.inspect(id);
    expect(info.repoTags).toEqual([]);
    expect(info.rootfs.diffIds).toHaveLength(1);
    expect(info.config.cmd).toBeNull();
    const history = await store.backend.history(id);
    expect(history).toEqual([
      expect.objectContaining({ id, comment: 'Imported from -', createdBy: '', emptyLayer: false, size: 15 }),
    ]);
    const image = store.resolve(id);
    expect(image.layers[0]!.get('bin/hello')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(events.map((e) => e.action)).toEqual(['import']);
  });

  it('imports a plain tar with a reference and a message', async () => {
    const { store } = newStore();
    const { id } = await store.backend.import(Readable.from([await rootfsTar()]), { ref: 'debian:test', changes: [], message: 'my rootfs' });
    expect((await store.backend.list())[0]).toMatchObject({ id, repoTags: ['debian:test'] });
    expect((await store.backend.history('debian:test'))[0]!.comment).toBe('my rootfs');
    expect((await store.backend.inspect('debian:test')).comment).toBe('my rootfs');
    // The layer's diffId is the digest of what a save would carry.
    const layer = store.resolve(id).layers[0]!;
    expect(await layer.canonicalDiffId()).toBe(layer.diffId);
  });

  it('applies `changes` to the new image\'s config', async () => {
    const { store } = newStore();
    const { id } = await store.backend.import(Readable.from([await rootfsTar()]), {
      changes: ['CMD ["/bin/hello"]', 'ENV GREETING=hi', 'EXPOSE 8080', 'WORKDIR /bin', 'LABEL team=core'],
    });
    const { config } = await store.backend.inspect(id);
    expect(config).toMatchObject({
      cmd: ['/bin/hello'], env: ['GREETING=hi'], exposedPorts: ['8080/tcp'], workingDir: '/bin', labels: { team: 'core' },
    });
    await expect(store.backend.import(Readable.from([await rootfsTar()]), { changes: ['RUN echo no'] })).rejects.toThrow(
      InvalidArgumentError,
    );
  });

  it('rejects garbage', async () => {
    const { store } = newStore();
    await expect(store.backend.import(Readable.from([Buffer.from('this is not a tar archive at all'.repeat(40))]), { changes: [] })).rejects.toThrow();
    expect(await store.backend.list()).toEqual([]);
  });
});
