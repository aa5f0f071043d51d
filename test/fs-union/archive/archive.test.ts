import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readImageArchive, writeImageArchive } from '../../../src/fs-union/archive/index.js';
import { sha256Digest } from '../../../src/fs-union/digest.js';
import { LayerFormatError } from '../../../src/fs-union/errors.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { makeTar, makeTempDir, removeTempDir } from '../host/helpers.js';
import { makeImage, readAll, tarNames } from './fixtures.js';

let work: string;
beforeEach(() => {
  work = makeTempDir('archive');
});
afterEach(() => removeTempDir(work));

async function twoImages(withSize: boolean) {
  const base = await makeTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', content: 'ID=test\n' }]);
  // Larger than the in-memory spool threshold, so it goes through a spool file.
  const big = await makeTar([{ name: 'big.bin', content: Buffer.alloc(3 * 1024 * 1024, 7) }]);
  const app = await makeTar([{ name: 'app', content: 'app' }]);
  return {
    layers: { base, big, app },
    images: [makeImage([base, big], ['stowage-test/one:latest'], withSize), makeImage([base, app], ['stowage-test/two:1', 'localhost:5000/two:1'], withSize)],
  };
}

describe('writeImageArchive / readImageArchive', () => {
  it.each(['docker', 'oci'] as const)('round-trips a %s archive, writing a shared layer once', async (format) => {
    const { images, layers } = await twoImages(true);
    const tar = await readAll(writeImageArchive(images, { format }));
    const names = tarNames(tar);
    const baseHex = sha256Digest(layers.base).slice(7);
    expect(names.filter((n) => n.includes(baseHex) && !n.endsWith('/'))).toHaveLength(1);
    expect(names).toContain('manifest.json');
    expect(names).toContain('repositories');
    if (format === 'oci') expect(names).toEqual(expect.arrayContaining(['oci-layout', 'index.json']));

    await using archive = await readImageArchive(Readable.from([tar]), { spoolDir: work });
    expect(archive.format).toBe(format);
    expect(archive.images.map((i) => i.id)).toEqual(images.map((i) => sha256Digest(i.config)));
    expect(archive.images.map((i) => i.repoTags)).toEqual([['stowage-test/one:latest'], ['stowage-test/two:1', 'localhost:5000/two:1']]);
    const [one, two] = archive.images;
    expect(one!.config.equals(images[0]!.config)).toBe(true);
    expect((await readAll(one!.layers[1]!.open())).equals(layers.big)).toBe(true);
    expect(one!.layers[1]!.size).toBe(layers.big.length);
    expect((await readAll(two!.layers[1]!.open())).equals(layers.app)).toBe(true);
    // A layer can be opened again while the archive is not disposed.
    expect((await readAll(one!.layers[1]!.open())).equals(layers.big)).toBe(true);
    await archive.dispose();
    expect(readdirSync(work)).toEqual([]);
  });

  it('writes identical bytes for identical input, and spools layers of unknown size', async () => {
    const known = await readAll(writeImageArchive((await twoImages(true)).images, { format: 'oci' }));
    const unknown = await readAll(writeImageArchive((await twoImages(false)).images, { format: 'oci', spoolDir: work }));
    expect(unknown.equals(known)).toBe(true);
  });

  it('reads an OCI layout from its index alone, with a gzip layer blob, inside a zstd archive', async () => {
    const layer = await makeTar([{ name: 'hello', content: 'hi' }]);
    const diffId = sha256Digest(layer);
    const gz = execFileSync('gzip', ['-c', '-n'], { input: layer });
    const config = makeImage([layer], []).config;
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256Digest(gz), size: gz.length }],
    }));
    const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Digest(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': 'docker.io/library/hello:2' } }] };
    const root = join(work, 'layout');
    mkdirSync(join(root, 'blobs/sha256'), { recursive: true });
    // index.json first: the reader must not depend on blob order.
    writeFileSync(join(root, 'index.json'), JSON.stringify(index));
    writeFileSync(join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    for (const blob of [gz, config, manifest]) writeFileSync(join(root, 'blobs/sha256', sha256Digest(blob).slice(7)), blob);
    const tar = execFileSync('tar', ['-cf', '-', '-C', root, 'index.json', 'oci-layout', 'blobs']);
    const zst = execFileSync('zstd', ['-c', '-q'], { input: tar });
    await using archive = await readImageArchive(Readable.from([zst]));
    expect(archive.format).toBe('oci');
    expect(archive.images).toHaveLength(1);
    expect(archive.images[0]!.repoTags).toEqual(['hello:2']);
    expect(archive.images[0]!.layers[0]!.diffId).toBe(diffId);
    expect(archive.images[0]!.layers[0]!.size).toBe(layer.length);
    expect((await readAll(archive.images[0]!.layers[0]!.open())).equals(layer)).toBe(true);
  });

  it('refuses a layer whose bytes do not match its diffID, when writing and when reading', async () => {
    const layer = await makeTar([{ name: 'a', content: 'a' }]);
    const image = makeImage([layer], ['x:1']);
    const other = await makeTar([{ name: 'b', content: 'b' }]);
    image.layers[0]!.open = () => Readable.from([other]);
    image.layers[0]!.size = other.length;
    await expect(readAll(writeImageArchive([image], { format: 'docker' }))).rejects.toBeInstanceOf(InvalidArgumentError);

    // A docker archive whose layer.tar was swapped after writing.
    const good = await readAll(writeImageArchive([makeImage([layer], ['x:1'])], { format: 'docker' }));
    const dir = join(work, 'x');
    mkdirSync(dir);
    execFileSync('tar', ['-xf', '-', '-C', dir], { input: good });
    writeFileSync(join(dir, sha256Digest(layer).slice(7), 'layer.tar'), other);
    const tampered = execFileSync('tar', ['-cf', '-', '-C', dir, '.']);
    await expect(readImageArchive(Readable.from([tampered]))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses manifest paths that climb out of the archive', async () => {
    const config = makeImage([], []).config;
    const tar = await makeTar([
      { name: 'c.json', content: config },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', RepoTags: [], Layers: ['../../etc/passwd'] }]) },
    ]);
    const error = await readImageArchive(Readable.from([tar])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LayerFormatError);
    expect((error as LayerFormatError).reason).toBe('path-escape');
  });

  it('refuses a tar entry that climbs out, stopping a large streamed archive early', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    const tar = await makeTar([{ name: '../../evil', content: 'x' }, { name: 'big1', content: big }, { name: 'big2', content: big }]);
    const chunks = Array.from({ length: Math.ceil(tar.length / 65536) }, (_, i) => tar.subarray(i * 65536, (i + 1) * 65536));
    const error = await readImageArchive(Readable.from(chunks), { spoolDir: work }).catch((e: unknown) => e);
    expect((error as LayerFormatError).reason).toBe('path-escape');
    expect((error as LayerFormatError).entry).toBe('../../evil');
    expect(readdirSync(work)).toEqual([]);
  });

  it('follows layer.tar symlinks as docker save writes them, and refuses ones that leave the archive', async () => {
    const layer = await makeTar([{ name: 'a', content: 'a' }]);
    const diffId = sha256Digest(layer);
    const config = makeImage([layer, layer], []).config;
    const manifest = JSON.stringify([{ Config: 'c.json', RepoTags: ['dup:1'], Layers: ['one/layer.tar', 'two/layer.tar'] }]);
    const tar = await makeTar([
      { name: 'one/layer.tar', content: layer },
      { name: 'two/layer.tar', type: 'symlink', linkname: '../one/layer.tar' },
      { name: 'c.json', content: config },
      { name: 'manifest.json', content: manifest },
    ]);
    await using archive = await readImageArchive(Readable.from([tar]));
    expect(archive.images[0]!.layers.map((l) => l.diffId)).toEqual([diffId, diffId]);
    expect((await readAll(archive.images[0]!.layers[1]!.open())).equals(layer)).toBe(true);

    const escaping = await makeTar([{ name: 'two/layer.tar', type: 'symlink', linkname: '../../../etc/passwd' }, { name: 'manifest.json', content: manifest }]);
    const error = await readImageArchive(Readable.from([escaping])).catch((e: unknown) => e);
    expect((error as LayerFormatError).reason).toBe('symlink-escape');
  });

  it('refuses an archive with no manifest', async () => {
    const tar = await makeTar([{ name: 'hello', content: 'x' }]);
    await expect(readImageArchive(Readable.from([tar]))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses images whose layers do not match their config', async () => {
    const layer = await makeTar([{ name: 'a', content: 'a' }]);
    const image = makeImage([layer], []);
    image.layers = [];
    await expect(readAll(writeImageArchive([image], { format: 'oci' }))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
