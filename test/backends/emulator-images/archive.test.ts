import { describe, it, expect, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { EmulatorImageStore } from '../../../src/backends/emulator/images/index.js';
import { LayerBuilder } from '../../../src/fs-union/layer-builder.js';
import { writeImageArchive } from '../../../src/fs-union/archive/index.js';
import { sha256Digest } from '../../../src/fs-union/digest.js';
import { AbortError } from '../../../src/core/errors.js';
import { Readable as NodeReadable } from 'node:stream';
import tar from 'tar-stream';

const run = promisify(execFile);
const DOCKER_SOCKET = '/var/run/docker.sock';
const dockerRequired = (process.env['STOWAGE_REQUIRE'] ?? '').split(/[ ,]+/).includes('docker');
const haveDocker = existsSync(DOCKER_SOCKET) || dockerRequired;

function newStore(): EmulatorImageStore {
  let t = Date.parse('2026-03-01T00:00:00Z');
  return new EmulatorImageStore({ clock: () => new Date((t += 1000)), isInUse: () => false });
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A store with busybox and an image committed on it, tagged `child:1`. */
async function seeded(): Promise<{ store: EmulatorImageStore; busyboxId: string; childId: string }> {
  const store = newStore();
  const busyboxId = (await store.backend.pull('busybox')).id;
  const layer = await new LayerBuilder({ mtime: new Date('2026-03-01T00:00:00Z') })
    .addDirectory('/www')
    .addFile('/www/index.html', '<h1>hello</h1>\n')
    .addWhiteout('/etc/shadow')
    .build();
  const parent = store.resolve(busyboxId);
  const child = store.addImage({
    parent, layer, config: { ...parent.config, cmd: ['httpd', '-f', '-p', '80', '-h', '/www'], exposedPorts: ['80/tcp'] },
    comment: 'web root', author: 'tester', tags: ['child:1'],
  });
  return { store, busyboxId, childId: child.id };
}

describe.each(['docker', 'oci'] as const)('save and load (%s format)', (format) => {
  it('round-trips IDs, tags, configs, layers and history into another store', async () => {
    const { store, busyboxId, childId } = await seeded();
    const bytes = await collect(await store.backend.save(['busybox:latest', 'child:1'], { format }));
    const other = newStore();
    const events: string[] = [];
    other.onEvent = (e) => events.push(e.action);
    const loaded = await other.backend.load(NodeReadable.from([bytes]));
    expect(loaded.map((l) => l.id).sort()).toEqual([busyboxId, childId].sort());
    expect(loaded.find((l) => l.id === childId)!.repoTags).toEqual(['child:1']);
    expect(loaded.find((l) => l.id === busyboxId)!.repoTags).toEqual(['busybox:latest']);
    expect(events.filter((a) => a === 'load')).toHaveLength(2);
    for (const ref of ['busybox:latest', 'child:1']) {
      const a = await store.backend.inspect(ref);
      const b = await other.backend.inspect(ref);
      expect(b).toEqual(a);
    }
    const child = other.resolve('child:1');
    expect(child.configBytes.equals(store.resolve(childId).configBytes)).toBe(true);
    expect(child.layers[1]!.hasWhiteout('etc/shadow')).toBe(true);
    expect(child.layers[1]!.get('www/index.html')?.type).toBe('file');
    const h = (await other.backend.history('child:1')).map(({ id: _id, ...rest }) => rest);
    const h0 = (await store.backend.history('child:1')).map(({ id: _id, ...rest }) => rest);
    expect(h).toEqual(h0);
  });

  it('saves an image named by ID without tags', async () => {
    const { store, childId } = await seeded();
    const other = newStore();
    const loaded = await other.backend.load(NodeReadable.from([await collect(await store.backend.save([childId], { format }))]));
    expect(loaded).toEqual([{ id: childId, repoTags: [] }]);
    expect((await other.backend.list()).map((r) => r.repoTags)).toEqual([[]]);
  });
});

describe('foreign archives and sources', () => {
  it('normalises a layer that is not in canonical form and re-keys the image', async () => {
    const pack = tar.pack();
    // Children before their directory and names out of order: valid, but not what toTar writes.
    pack.entry({ name: 'srv/z.txt', mode: 0o644 }, 'z');
    pack.entry({ name: 'srv/a.txt', mode: 0o644 }, 'a');
    pack.entry({ name: 'srv/', type: 'directory', mode: 0o755 });
    pack.finalize();
    const layerBytes = await collect(pack);
    const diffId = sha256Digest(layerBytes);
    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', created: '2020-01-01T00:00:00Z', config: { Cmd: ['/srv/z.txt'] },
      rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created: '2020-01-01T00:00:00Z', created_by: 'ADD . /srv' }],
    }));
    const archive = await collect(writeImageArchive(
      [{ config, repoTags: ['foreign:1'], layers: [{ diffId, open: () => NodeReadable.from([layerBytes]) }] }],
      { format: 'docker' },
    ));
    const store = newStore();
    const [loaded] = await store.backend.load(NodeReadable.from([archive]));
    expect(loaded!.repoTags).toEqual(['foreign:1']);
    expect(loaded!.id).not.toBe(sha256Digest(config));
    const image = store.resolve('foreign:1');
    expect(image.id).toBe(loaded!.id);
    expect(await image.layers[0]!.canonicalDiffId()).toBe(image.layers[0]!.diffId);
    const info = await store.backend.inspect('foreign:1');
    expect(info.config.cmd).toEqual(['/srv/z.txt']);
    expect(info.created).toEqual(new Date('2020-01-01T00:00:00Z'));
    // From now on the image is stable: save and load keep the new ID.
    const again = newStore();
    const [reloaded] = await again.backend.load(NodeReadable.from([await collect(await store.backend.save(['foreign:1'], { format: 'oci' }))]));
    expect(reloaded!.id).toBe(loaded!.id);
  });

  it('pulls from a source that hands back an archive', async () => {
    const { store, childId } = await seeded();
    const bytes = await collect(await store.backend.save(['child:1'], { format: 'oci' }));
    const mirror = new EmulatorImageStore({
      clock: () => new Date(), isInUse: () => false,
      sources: (ref) => (ref.name === 'mirror.local/child' ? NodeReadable.from([bytes]) : undefined),
    });
    expect(await mirror.backend.pull('mirror.local/child:2')).toEqual({ id: childId });
    expect((await mirror.backend.inspect(childId)).repoTags).toEqual(['child:1', 'mirror.local/child:2']);
  });

  it('honours an aborted signal', async () => {
    const { store } = await seeded();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(store.backend.pull('alpine', { signal: controller.signal })).rejects.toThrow(AbortError);
    await expect(store.backend.save(['child:1'], { format: 'docker', signal: controller.signal })).rejects.toThrow(AbortError);
    await expect(store.backend.load(NodeReadable.from([]), { signal: controller.signal })).rejects.toThrow(AbortError);
  });
});

describe.skipIf(!haveDocker)('a saved built-in image in the real Docker engine', () => {
  const tag = `stowage-test/emu-images-${randomBytes(4).toString('hex')}`;
  const toRemove: string[] = [];
  let dir: string | undefined;

  afterAll(async () => {
    for (const ref of toRemove) await run('docker', ['rmi', '-f', ref]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(['docker', 'oci'] as const)('loads with `docker load` (%s format) under the same ID', async (format) => {
    dir ??= await mkdtemp(join(tmpdir(), 'stowage-emu-images-'));
    const store = newStore();
    const { id } = await store.backend.pull('nginx');
    const ref = `${tag}:${format}`;
    await store.backend.tag('nginx', ref);
    const file = join(dir, `nginx-${format}.tar`);
    await writeFile(file, await collect(await store.backend.save([ref], { format })));
    toRemove.push(ref);
    const { stdout } = await run('docker', ['load', '-i', file]);
    expect(stdout).toContain(ref);
    const [inspected] = JSON.parse((await run('docker', ['image', 'inspect', ref])).stdout) as {
      Id: string; RootFS: { Layers: string[] }; Config: { Cmd: string[]; ExposedPorts: Record<string, unknown>; StopSignal: string };
    }[];
    expect(inspected!.Id).toBe(id);
    expect(inspected!.RootFS.Layers).toEqual(store.resolve(id).layers.map((l) => l.diffId));
    expect(inspected!.Config.Cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(Object.keys(inspected!.Config.ExposedPorts)).toEqual(['80/tcp']);
    expect(inspected!.Config.StopSignal).toBe('SIGQUIT');
  }, 60_000);

  it('loads what the real engine saves back under the same ID', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'stowage-emu-images-'));
    const store = newStore();
    const { id } = await store.backend.pull('busybox');
    const ref = `${tag}:roundtrip`;
    await store.backend.tag(id, ref);
    const file = join(dir, 'busybox.tar');
    await writeFile(file, await collect(await store.backend.save([ref], { format: 'docker' })));
    toRemove.push(ref);
    await run('docker', ['load', '-i', file]);
    const back = join(dir, 'busybox-back.tar');
    await run('docker', ['save', '-o', back, ref]);
    const other = newStore();
    const { createReadStream } = await import('node:fs');
    const loaded = await other.backend.load(createReadStream(back));
    expect(loaded).toEqual([{ id, repoTags: [ref] }]);
    expect(other.resolve(ref).layers[0]!.diffId).toBe(store.resolve(id).layers[0]!.diffId);
  }, 60_000);
});
