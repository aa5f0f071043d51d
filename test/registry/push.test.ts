import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DigestMismatchError, InvalidArgumentError, RegistryError } from '../../src/core/errors.js';
import type { ProgressEvent } from '../../src/core/schemas/image.js';
import { encodeDockerManifest, type BlobSource, type PushImage } from '../../src/registry/index.js';
import { makeConfig, makeLayer, sha256 } from './fake-registry.js';
import { memorySink, useRegistries } from './helpers.js';

const use = useRegistries();

/** A local image: gzip layer blobs in a map, and its description. */
async function localImage(sizes: number[]): Promise<{ image: PushImage; source: BlobSource; blobs: Map<string, Buffer> }> {
  const blobs = new Map<string, Buffer>();
  const layers = [];
  for (const [i, size] of sizes.entries()) {
    const l = await makeLayer({ [`f${i}`]: randomBytes(size) });
    blobs.set(sha256(l.blob), l.blob);
    layers.push({ digest: sha256(l.blob), size: l.blob.length, diffId: l.diffId });
  }
  const config = makeConfig(layers.map((l) => l.diffId));
  return { image: { config: { bytes: config }, layers }, blobs, source: { read: async (d) => Readable.from([blobs.get(d)!]) } };
}

describe('registry client: push', () => {
  it('uploads each blob in one PUT, then the manifest, with Docker-style progress', async () => {
    const reg = await use.registry();
    const { image, source, blobs } = await localImage([50_000, 120_000]);
    const events: ProgressEvent[] = [];
    const result = await use.client().push(`${reg.host}/team/app:1`, image, source, { onProgress: (e) => events.push(e) });

    const manifest = reg.manifests.get('team/app\n1')!;
    expect(result.digest).toBe(sha256(manifest.bytes));
    expect(result).toMatchObject({ tag: '1', size: manifest.bytes.length, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    for (const [digest, bytes] of blobs) expect(reg.blobs.get(digest)?.equals(bytes)).toBe(true);
    expect(reg.blobs.get(sha256(image.config.bytes))?.equals(image.config.bytes)).toBe(true);
    expect(reg.count('PATCH', /uploads/)).toBe(0);
    expect(reg.count('PUT', /uploads.*digest=/)).toBe(3);
    // The manifest goes last: after every blob upload.
    const order = reg.requests.map((r) => `${r.method} ${r.path}`);
    expect(order.findIndex((r) => r.startsWith('PUT /v2/team/app/manifests/'))).toBe(order.length - 1);

    const ids = image.layers.map((l) => l.diffId!.slice(7, 19));
    expect(events[0]).toEqual({ status: `The push refers to repository [${reg.host}/team/app]` });
    for (const id of ids) {
      const statuses = events.filter((e) => e.id === id).map((e) => e.status);
      expect(statuses[0]).toBe('Preparing');
      expect(statuses).toContain('Pushing');
      expect(statuses.at(-1)).toBe('Pushed');
    }
    expect(events.at(-1)).toEqual({ status: `1: digest: ${result.digest} size: ${result.size}` });

    // Pushed again (another tag): HEAD finds every blob, nothing is uploaded.
    const again: ProgressEvent[] = [];
    const second = await use.client().push(`${reg.host}/team/app:2`, image, source, { onProgress: (e) => again.push(e) });
    expect(second.digest).toBe(result.digest);
    expect(again.filter((e) => e.status === 'Layer already exists')).toHaveLength(2);
    expect(reg.count('PUT', /uploads.*digest=/)).toBe(3);
  });

  it('uploads in chunks with Content-Range when a chunk size is set', async () => {
    const reg = await use.registry();
    const { image, source, blobs } = await localImage([100_000]);
    const layer = image.layers[0]!;
    await use.client({ chunkSize: 16_384 }).push(`${reg.host}/chunky:1`, image, source);
    expect(reg.blobs.get(layer.digest)?.equals(blobs.get(layer.digest)!)).toBe(true);
    const configChunks = Math.ceil(image.config.bytes.length / 16_384);
    expect(reg.count('PATCH', /uploads/)).toBe(Math.ceil(layer.size / 16_384) + configChunks);
    // The closing PUT carries the digest and no body.
    expect(reg.count('PUT', /uploads.*digest=/)).toBe(2);
  });

  it('mounts a blob from the repository it was pulled from instead of uploading it', async () => {
    const reg = await use.registry();
    const { image, source } = await localImage([80_000]);
    await use.client().push(`${reg.host}/base:1`, image, source);
    const client = use.client();
    const sink = memorySink();
    const pulled = await client.pull(`${reg.host}/base:1`, sink);
    const uploadsBefore = reg.count('PUT', /uploads/);

    const events: ProgressEvent[] = [];
    const fromSink: BlobSource = { read: async (d) => Readable.from([sink.blobs.get(d)!]) };
    await client.push(`${reg.host}/derived:1`, { config: { bytes: pulled.config.bytes }, layers: pulled.layers }, fromSink, { onProgress: (e) => events.push(e) });
    expect(events.some((e) => e.status === 'Mounted from base')).toBe(true);
    expect(reg.requests.some((r) => r.method === 'POST' && r.path.includes(`mount=${encodeURIComponent(pulled.layers[0]!.digest)}`) && r.path.includes('from=base'))).toBe(true);
    // The config was mounted too: nothing was uploaded.
    expect(reg.count('PUT', /uploads/) - uploadsBefore).toBe(0);
    expect(reg.repoBlobs.get('derived')?.has(pulled.layers[0]!.digest)).toBe(true);

    // A hint from the backend (a pull's origin from an earlier session) works the same way.
    const fresh = use.client();
    await fresh.push(`${reg.host}/hinted:1`, {
      config: { bytes: pulled.config.bytes },
      layers: pulled.layers.map((l) => ({ ...l, mountFrom: [{ registry: reg.host, repository: 'base' }] })),
    }, fromSink);
    expect(reg.repoBlobs.get('hinted')?.has(pulled.layers[0]!.digest)).toBe(true);

    // A registry that will not mount opens an upload session instead, and the blob is uploaded.
    reg.faults.noMount = true;
    const pushed: ProgressEvent[] = [];
    await fresh.push(`${reg.host}/nomount:1`, {
      config: { bytes: pulled.config.bytes },
      layers: pulled.layers.map((l) => ({ ...l, mountFrom: [{ registry: reg.host, repository: 'base' }] })),
    }, fromSink, { onProgress: (e) => pushed.push(e) });
    expect(pushed.some((e) => e.status === 'Pushed')).toBe(true);
    expect(reg.repoBlobs.get('nomount')?.has(pulled.layers[0]!.digest)).toBe(true);
  });

  it('fails with DigestMismatchError when the source gives other bytes, and writes no manifest', async () => {
    const reg = await use.registry();
    const { image } = await localImage([30_000]);
    const liar: BlobSource = { read: async () => Readable.from([randomBytes(image.layers[0]!.size)]) };
    await expect(use.client().push(`${reg.host}/liar:1`, image, liar)).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(use.client({ chunkSize: 4096 }).push(`${reg.host}/liar:1`, image, liar)).rejects.toBeInstanceOf(DigestMismatchError);
    expect(reg.manifests.size).toBe(0);
    expect(reg.blobs.has(image.layers[0]!.digest)).toBe(false);
    // The upload sessions were cancelled.
    expect(reg.uploads.size).toBe(0);
  });

  it('pushes given manifest bytes as they are, and refuses ones that describe another image', async () => {
    const reg = await use.registry();
    const { image, source } = await localImage([10_000]);
    const config = { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256(image.config.bytes), size: image.config.bytes.length };
    const layers = image.layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: l.digest, size: l.size }));
    const compact = Buffer.from(JSON.stringify(JSON.parse(encodeDockerManifest(config, layers).toString())));
    const r = await use.client().push(`${reg.host}/exact:1`, { ...image, manifest: { bytes: compact, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' } }, source);
    expect(r.digest).toBe(sha256(compact));
    const other = Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers: [] }));
    await expect(use.client().push(`${reg.host}/exact:2`, { ...image, manifest: { bytes: other, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' } }, source))
      .rejects.toBeInstanceOf(RegistryError);
    await expect(use.client().push(`${reg.host}/exact@${r.digest}`, image, source)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
