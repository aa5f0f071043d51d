import { mkdir, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mountOverlay, overlayOptions, unmount, MOUNT_DATA_LIMIT } from '../../../src/backends/native/containers/overlay-mount.js';
import { encodeImageConfig, emptyConfig } from '../../../src/backends/native/images/image-config.js';
import { ImageStore } from '../../../src/backends/native/images/image-store.js';
import { importRootfs, loadImages, saveImages } from '../../../src/backends/native/images/import-save-load.js';
import { NativePaths } from '../../../src/backends/native/paths.js';
import { abstractLockName, withLock } from '../../../src/backends/native/state/engine-lock.js';
import { sha256Digest } from '../../../src/fs-union/index.js';
import { busyboxRootfsTar } from '../../../src/testing/busybox-rootfs.js';
import { nativeUnavailable, tempRoots, type TempRoots } from './helpers.js';

let skipWhy: string | undefined;
beforeAll(async () => {
  skipWhy = await nativeUnavailable();
});

let roots: TempRoots;
let store: ImageStore;
let paths: NativePaths;

async function openStore(p: NativePaths): Promise<ImageStore> {
  await mkdir(p.root, { recursive: true });
  const lockName = await abstractLockName(p.root, 'engine');
  const s = new ImageStore(p, (fn, signal) => withLock(lockName, fn, signal));
  await s.init();
  return s;
}

beforeEach(async (ctx) => {
  if (skipWhy) ctx.skip(skipWhy);
  roots = await tempRoots('/dev/shm');
  paths = new NativePaths(roots.root, roots.runRoot);
  store = await openStore(paths);
});
afterEach(async () => {
  await roots?.cleanup();
});

async function tarOf(entries: { name: string; content?: string; type?: 'file' | 'directory' }[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', mode: e.type === 'directory' ? 0o755 : 0o644, mtime: new Date(0) }, e.content ?? '');
  p.finalize();
  return collect(Readable.from(p));
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('native image store', () => {
  it('imports a gzip rootfs with changes; inspect, history, list, tag and remove follow Docker', async () => {
    const id = await importRootfs(store, busyboxRootfsTar({ requireBinary: true }), { ref: 'stowage-test/bb:1', changes: ['CMD ["sh"]', 'ENV A=1'], message: 'hello' });
    const info = await store.inspect('stowage-test/bb:1');
    expect(info).toMatchObject({ id, repoTags: ['stowage-test/bb:1'], comment: 'hello', os: 'linux', architecture: 'amd64' });
    expect(info.config.cmd).toEqual(['sh']);
    expect(info.config.env).toEqual(['A=1']);
    expect(info.rootfs.diffIds).toHaveLength(1);
    expect(info.size).toBeGreaterThan(1_000_000);
    const history = await store.history(id);
    expect(history).toEqual([expect.objectContaining({ id, comment: 'hello', emptyLayer: false })]);
    // The layer is extracted once, in overlay format, behind a short link.
    const layer = (await store.layers.stack(info.rootfs.diffIds))![0]!;
    expect(await readlink(join(paths.links, layer.short))).toMatch(/^\.\.\/layers\/[0-9a-f]{64}\/diff$/);
    expect((await readFile(join(paths.links, layer.short, 'etc', 'passwd'), 'utf8'))).toMatch(/^root:/);

    await store.tag(id.slice(7, 19), 'stowage-test/bb:2');
    expect((await store.inspect(id)).repoTags).toEqual(['stowage-test/bb:1', 'stowage-test/bb:2']);
    const none = () => undefined;
    const noLayers = async () => new Set<string>();
    // By ID with two tags: refused without force.
    await expect(store.remove(id, false, none, noLayers)).rejects.toMatchObject({ code: 'CONFLICT' });
    // By tag: untag only.
    expect(await store.remove('stowage-test/bb:2', false, none, noLayers)).toEqual({ untagged: ['stowage-test/bb:2'], deleted: [] });
    // The last tag of an image a container uses: a conflict.
    const user = () => ({ containerId: 'c'.repeat(64), running: false });
    await expect(store.remove('stowage-test/bb:1', false, user, noLayers)).rejects.toMatchObject({ code: 'CONFLICT' });
    const running = () => ({ containerId: 'c'.repeat(64), running: true });
    await expect(store.remove(id, true, running, noLayers)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.remove('stowage-test/bb:1', false, none, noLayers)).toEqual({ untagged: ['stowage-test/bb:1'], deleted: [id] });
    await expect(store.inspect(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.list()).toEqual([]);
    // Its layer and blob went with it.
    expect(await readdir(paths.layers)).toEqual([]);
    expect(await readdir(paths.links)).toEqual([]);
  });

  it('a second store on the same root sees the same images at once', async () => {
    const other = await openStore(paths);
    expect(await other.list()).toEqual([]);
    const id = await importRootfs(store, Readable.from([await tarOf([{ name: 'a', content: 'x' }])]), { ref: 'x:1', changes: [] });
    expect((await other.list()).map((i) => i.id)).toEqual([id]);
    await other.tag('x:1', 'x:2');
    expect((await store.inspect(id)).repoTags).toEqual(['x:1', 'x:2']);
  });

  for (const format of ['docker', 'oci'] as const) {
    it(`save and load (${format}) keep the ID, the tags and the layers`, async () => {
      const id = await importRootfs(store, Readable.from([await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/f', content: format }])]), { ref: `saved:${format}`, changes: ['CMD ["cat", "/etc/f"]'] });
      const archive = await collect(await saveImages(store, [`saved:${format}`], { format }));
      const again = await tempRoots('/dev/shm');
      try {
        const otherPaths = new NativePaths(again.root, again.runRoot);
        const other = await openStore(otherPaths);
        expect(await loadImages(other, Readable.from([archive]))).toEqual([{ id, repoTags: [`saved:${format}`] }]);
        const info = await other.inspect(`saved:${format}`);
        expect(info.config.cmd).toEqual(['cat', '/etc/f']);
        const layer = (await other.layers.stack(info.rootfs.diffIds))![0]!;
        expect(await readFile(join(otherPaths.links, layer.short, 'etc', 'f'), 'utf8')).toBe(format);
      } finally {
        await again.cleanup();
      }
    });
  }

  it('a blob whose bytes do not match its diffID is refused and not kept', async () => {
    const layer = await tarOf([{ name: 'a', content: 'x' }]);
    await expect(store.addLayer(undefined, { diffId: sha256Digest('something else'), open: () => Readable.from([layer]) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readdir(paths.blobs)).toEqual([]);
    expect(await readdir(paths.layers)).toEqual([]);
  });

  it('an image of 120 layers mounts: short links keep the options under a page', async () => {
    const layers = [];
    for (let i = 0; i < 120; i++) {
      const entries: { name: string; content?: string; type?: 'file' | 'directory' }[] = [{ name: `f${i}`, content: String(i) }];
      // Layer 60 deletes what layer 10 added: the whiteout must hide it through 50 layers.
      if (i === 60) entries.push({ name: '.wh.f10' });
      const tar = await tarOf(entries);
      layers.push({ diffId: sha256Digest(tar), tar });
    }
    const configBytes = encodeImageConfig({ config: emptyConfig(), created: new Date(0), author: '', comment: '', diffIds: layers.map((l) => l.diffId), history: [] });
    const id = await store.add({ configBytes, layers: layers.map((l) => ({ diffId: l.diffId, open: () => Readable.from([l.tar]) })), tags: ['many:layers'] });
    const { layers: stack } = await store.resolve(id);
    expect(stack).toHaveLength(120);
    const target = join(roots.dir, 'merged');
    await mkdir(target);
    const spec = { lower: store.layers.lowerDirs(stack), target, cwd: paths.root };
    const options = await overlayOptions(spec);
    expect(Buffer.byteLength(options)).toBeLessThan(MOUNT_DATA_LIMIT);
    // Absolute paths would not have fitted.
    expect(stack.map((l) => join(paths.layers, l.chainId.slice(7), 'diff')).join(':').length).toBeGreaterThan(MOUNT_DATA_LIMIT);
    await mountOverlay(spec);
    try {
      const names = await readdir(target);
      expect(names).toHaveLength(119);
      expect(names).not.toContain('f10');
      expect(await readFile(join(target, 'f119'), 'utf8')).toBe('119');
      expect(await readFile(join(target, 'f0'), 'utf8')).toBe('0');
    } finally {
      await unmount(target);
    }
  });
});
