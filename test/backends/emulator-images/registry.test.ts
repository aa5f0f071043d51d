/**
 * The emulator's pulls and pushes through the registry client, against the in-memory registry
 * of the client's unit tests: which names reach a registry, that a pulled image runs and keeps
 * its IDs through save/load and push, and that a failed pull registers nothing.
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/core/engine.js';
import { DigestMismatchError, NotFoundError, RegistryError, UnsupportedError } from '../../../src/core/errors.js';
import type { ProgressEvent } from '../../../src/core/schemas/image.js';
import { readImageArchive } from '../../../src/fs-union/archive/index.js';
import { busyboxRootfsTar } from '../../../src/testing/busybox-rootfs.js';
import { FakeRegistry, makeConfig, makeLayer, seedImage, sha256 } from '../../registry/fake-registry.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function registry(): Promise<FakeRegistry> {
  const reg = await new FakeRegistry().start();
  open.push(reg);
  return reg;
}

async function engine(options: Parameters<typeof Engine.open>[0] = { backend: 'emulator' }): Promise<Engine> {
  const e = await Engine.open({ ...options, backend: 'emulator', registry: { dockerConfig: false, ...((options as { registry?: object }).registry ?? {}) } } as Parameters<typeof Engine.open>[0]);
  open.push(e);
  return e;
}

let rootfs: Buffer | undefined;
async function busyboxLayer(): Promise<{ blob: Buffer; diffId: string }> {
  if (!rootfs) {
    const chunks: Buffer[] = [];
    for await (const c of busyboxRootfsTar()) chunks.push(c as Buffer);
    rootfs = Buffer.concat(chunks);
  }
  return { blob: rootfs, diffId: sha256(gunzipSync(rootfs)) };
}

async function output(e: Engine, image: string, cmd: string[]): Promise<string> {
  const c = await e.containers.run({ image, cmd });
  await c.wait();
  const lines: string[] = [];
  for await (const l of c.logs()) lines.push(l.text);
  return lines.join('\n');
}

describe('emulator pulls from a registry', () => {
  it('pulls a name with a registry host, keeps its IDs, and runs it', async () => {
    const reg = await registry();
    const base = await busyboxLayer();
    const extra = await makeLayer({ 'etc/motd': 'from the registry\n' });
    const seeded = await seedImage(reg, 'team/busybox', '1', [base, extra]);
    const e = await engine();
    const progress: ProgressEvent[] = [];
    const img = await e.images.pull(`${reg.host}/team/busybox:1`, { onProgress: (p) => progress.push(p) });

    expect(img.id).toBe(seeded.configDigest);
    const info = await img.inspect();
    expect(info.repoTags).toEqual([`${reg.host}/team/busybox:1`]);
    expect(info.rootfs.diffIds).toEqual([base.diffId, extra.diffId]);
    expect(progress[0]).toEqual({ id: '1', status: 'Pulling from team/busybox' });
    expect(progress.some((p) => p.status === 'Pull complete')).toBe(true);
    expect(progress.at(-2)).toEqual({ status: `Digest: ${seeded.manifestDigest}` });
    expect(progress.at(-1)).toEqual({ status: `Status: Downloaded newer image for ${reg.host}/team/busybox:1` });
    // Applets dispatch by name through the image's own busybox links.
    expect(await output(e, `${reg.host}/team/busybox:1`, ['sh', '-c', 'cat /etc/motd; echo $((6*7))'])).toBe('from the registry\n42');

    // Saved, the archive holds the config as pulled and layer tars that hash to its diffIDs
    // (the writer and the reader both check): `docker load` keeps the image ID.
    const archive = await readImageArchive(img.save());
    try {
      expect(archive.images[0]!.id).toBe(seeded.configDigest);
      expect(archive.images[0]!.layers.map((l) => l.diffId)).toEqual([base.diffId, extra.diffId]);
    } finally {
      await archive.dispose();
    }

    // Pulled again: every layer is already there.
    const again: ProgressEvent[] = [];
    await e.images.pull(`${reg.host}/team/busybox:1`, { onProgress: (p) => again.push(p) });
    expect(again.filter((p) => p.status === 'Already exists')).toHaveLength(2);
    expect(again.at(-1)!.status).toBe(`Status: Image is up to date for ${reg.host}/team/busybox:1`);
  });

  it('keeps Docker Hub names offline unless a mirror is configured, then asks the mirror first', async () => {
    const reg = await registry();
    await seedImage(reg, 'library/busybox', 'latest', [await busyboxLayer(), await makeLayer({ 'mirror.txt': 'mirror\n' })]);
    const offline = await engine();
    await offline.images.pull('busybox');
    expect(reg.requests).toHaveLength(0);
    expect(await output(offline, 'busybox', ['sh', '-c', 'cat /mirror.txt 2>/dev/null || echo catalogue'])).toBe('catalogue');

    const mirrored = await engine({ backend: 'emulator', registry: { mirror: `http://${reg.host}` } });
    await mirrored.images.pull('busybox');
    expect(await output(mirrored, 'busybox', ['cat', '/mirror.txt'])).toBe('mirror');
    // The mirror lacks alpine: the catalogue still has it.
    await mirrored.images.pull('alpine');
    expect(reg.requests.some((r) => r.path === '/v2/library/alpine/manifests/latest')).toBe(true);
    await expect(mirrored.images.pull('nosuchimage')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('registers nothing when a layer fails its diffID or its connection keeps dropping', async () => {
    const reg = await registry();
    const layer = await makeLayer({ a: 'a'.repeat(200_000) });
    // The config names another diffID than the layer's.
    const config = makeConfig([sha256('not this')]);
    const configDigest = reg.putBlob('lying', config);
    reg.putBlob('lying', layer.blob);
    reg.putManifest('lying', '1', Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.blob.length, digest: sha256(layer.blob) }],
    })), 'application/vnd.docker.distribution.manifest.v2+json');
    const e = await engine();
    await expect(e.images.pull(`${reg.host}/lying:1`)).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await e.images.list()).toEqual([]);

    const big = await makeLayer({ big: (await import('node:crypto')).randomBytes(300_000) });
    await seedImage(reg, 'flaky', '1', [big]);
    reg.faults.drop = { digest: sha256(big.blob), afterBytes: 10_000, times: 100 };
    await expect(e.images.pull(`${reg.host}/flaky:1`)).rejects.toBeInstanceOf(RegistryError);
    expect(await e.images.list()).toEqual([]);
    reg.faults = {};
    const img = await e.images.pull(`${reg.host}/flaky:1`);
    expect((await e.images.list()).map((i) => i.id)).toEqual([img.id]);
  });
});

describe('emulator pushes to a registry', () => {
  it('pushes a pulled image back with its digest (mounting its layers), and a committed one that pulls back identical', async () => {
    const reg = await registry();
    const seeded = await seedImage(reg, 'team/busybox', '1', [await busyboxLayer()]);
    const e = await engine();
    const img = await e.images.pull(`${reg.host}/team/busybox:1`);
    const events: string[] = [];
    e.events.on('image.push', (ev) => events.push(ev.name ?? ''));

    const progress: ProgressEvent[] = [];
    await img.push({ ref: `${reg.host}/copy/busybox:2`, onProgress: (p) => progress.push(p) });
    expect(progress.some((p) => p.status === 'Mounted from team/busybox')).toBe(true);
    expect(sha256(reg.manifests.get('copy/busybox\n2')!.bytes)).toBe(seeded.manifestDigest);
    expect(events).toEqual([`${reg.host}/copy/busybox:2`]);

    // A container's commit adds a layer made here: gzipped on push, and pulled back elsewhere
    // it is the same image.
    const c = await e.containers.run({ image: img.id, cmd: ['sh', '-c', 'echo changed > /changed.txt'] });
    await c.wait();
    const committed = await c.commit({ repo: `${reg.host}/team/changed`, tag: 'v1' });
    await committed.push();
    const fresh = await engine();
    const back = await fresh.images.pull(`${reg.host}/team/changed:v1`);
    expect(back.id).toBe(committed.id);
    expect(await output(fresh, back.id, ['cat', '/changed.txt'])).toBe('changed');
    // The base layer was already in the registry: HEAD found it, only the new one was uploaded.
    expect(reg.count('PUT', /uploads/)).toBe(2);
  });

  it('refuses to push a Docker Hub name without a mirror, and pushes it to the mirror with one', async () => {
    const reg = await registry();
    const e = await engine();
    await e.images.pull('busybox');
    const img = await e.images.get('busybox');
    await expect(img.push({ ref: 'someone/busybox:1' })).rejects.toBeInstanceOf(UnsupportedError);

    const mirrored = await engine({ backend: 'emulator', registry: { mirror: `http://${reg.host}` } });
    const b = await mirrored.images.pull('busybox');
    await b.push({ ref: 'someone/busybox:1' });
    expect(reg.manifests.has('someone/busybox\n1')).toBe(true);
    await expect(mirrored.images.get('no/such:1').then((i) => i.push())).rejects.toBeInstanceOf(NotFoundError);
  });
});
