import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AbortError, DigestMismatchError, NotFoundError, RateLimitError, RegistryError } from '../../src/core/errors.js';
import type { ProgressEvent } from '../../src/core/schemas/image.js';
import { makeConfig, makeLayer, seedImage, sha256 } from './fake-registry.js';
import { memorySink, useRegistries } from './helpers.js';

const use = useRegistries();

describe('registry client: pull', () => {
  it('pulls a schema 2 image into the sink with Docker-style per-layer and total progress', async () => {
    const reg = await use.registry();
    const layers = [await makeLayer({ 'a.txt': 'a' }), await makeLayer({ 'b.txt': 'b'.repeat(300_000) })];
    const seeded = await seedImage(reg, 'team/app', '1', layers);
    const sink = memorySink();
    const events: ProgressEvent[] = [];
    const image = await use.client().pull(`${reg.host}/team/app:1`, sink, { onProgress: (e) => events.push(e) });

    expect(image.digest).toBe(seeded.manifestDigest);
    expect(image.manifest.digest).toBe(seeded.manifestDigest);
    expect(image.config.digest).toBe(seeded.configDigest);
    expect(sha256(image.config.bytes)).toBe(seeded.configDigest);
    expect(image.layers.map((l) => l.diffId)).toEqual(layers.map((l) => l.diffId));
    expect(image.repository).toBe('team/app');
    expect([...sink.blobs.keys()].sort()).toEqual(layers.map((l) => sha256(l.blob)).sort());
    for (const l of layers) expect(sink.blobs.get(sha256(l.blob))).toEqual(l.blob);
    // The sink learns each layer's diffID (to check after unpacking) and origin (to mount later).
    expect(sink.writes.map((w) => w.diffId).sort()).toEqual(layers.map((l) => l.diffId).sort());
    expect(sink.writes[0]!.origin).toEqual({ registry: reg.host, repository: 'team/app' });

    const big = sha256(layers[1]!.blob).slice(7, 19);
    const forBig = events.filter((e) => e.id === big).map((e) => e.status);
    expect(forBig[0]).toBe('Pulling fs layer');
    expect(forBig).toContain('Downloading');
    expect(forBig.slice(-3)).toEqual(['Verifying Checksum', 'Download complete', 'Pull complete']);
    const totals = events.filter((e) => e.id === undefined && e.status === 'Downloading');
    const all = layers.reduce((n, l) => n + l.blob.length, 0);
    expect(totals.at(-1)).toEqual({ status: 'Downloading', current: all, total: all });

    // A second pull finds every layer in the sink and downloads none.
    const again: ProgressEvent[] = [];
    await use.client().pull(`${reg.host}/team/app:1`, sink, { onProgress: (e) => again.push(e) });
    expect(again.filter((e) => e.status === 'Already exists')).toHaveLength(2);
    expect(reg.count('GET', /\/blobs\/sha256:/)).toBe(2 + 1 + 1);
  });

  it('picks the platform from a manifest list / OCI index, skipping attestation entries', async () => {
    const reg = await use.registry();
    const entries: { platform: Record<string, string>; marker: string }[] = [
      { platform: { os: 'unknown', architecture: 'unknown' }, marker: 'attestation' },
      { platform: { os: 'linux', architecture: 'amd64' }, marker: 'amd64' },
      { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, marker: 'arm64' },
      { platform: { os: 'linux', architecture: 'arm', variant: 'v6' }, marker: 'armv6' },
      { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, marker: 'armv7' },
    ];
    const manifests = [];
    for (const e of entries) {
      const layer = await makeLayer({ marker: e.marker });
      const s = await seedImage(reg, 'multi', undefined, [layer], { os: e.platform.os!, architecture: e.platform.architecture!, ...(e.platform.variant ? { variant: e.platform.variant } : {}) });
      manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: s.manifestDigest, size: s.manifest.length, platform: e.platform });
    }
    // No mediaType in the document: the Content-Type header says it is an OCI index.
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests }));
    const indexDigest = reg.putManifest('multi', 'latest', index, 'application/vnd.oci.image.index.v1+json');
    const client = use.client();
    const markerOf = async (platform?: string): Promise<string> => {
      const sink = memorySink();
      const img = await client.pull(`${reg.host}/multi`, sink, platform === undefined ? {} : { platform });
      expect(img.digest).toBe(indexDigest);
      expect(img.index?.digest).toBe(indexDigest);
      const text = gunzipSync([...sink.blobs.values()][0]!).toString('latin1');
      return entries.map((e) => e.marker).find((m) => text.includes(m))!;
    };
    expect(await markerOf('linux/amd64')).toBe('amd64');
    expect(await markerOf('linux/arm64')).toBe('arm64');
    expect(await markerOf('linux/aarch64/v8')).toBe('arm64');
    expect(await markerOf('linux/arm/v7')).toBe('armv7');
    // A v8 32-bit ARM host runs v7 code: the newest variant it can run is chosen.
    expect(await markerOf('linux/arm/v8')).toBe('armv7');
    expect(await markerOf('linux/arm/v6')).toBe('armv6');
    const host = process.arch === 'arm64' ? 'arm64' : 'amd64';
    if (process.arch === 'x64' || process.arch === 'arm64') expect(await markerOf()).toBe(host);
    await expect(client.pull(`${reg.host}/multi`, memorySink(), { platform: 'linux/s390x' }))
      .rejects.toThrow('no matching manifest for linux/s390x in the manifest list entries');
    await expect(client.pull(`${reg.host}/multi`, memorySink(), { platform: 'linux/arm/v5' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('stores nothing for a layer whose bytes do not match its digest', async () => {
    const reg = await use.registry();
    const layer = await makeLayer({ f: 'payload'.repeat(1000) });
    await seedImage(reg, 'bad', '1', [layer]);
    reg.faults.corrupt = sha256(layer.blob);
    const sink = memorySink();
    const err = await use.client().pull(`${reg.host}/bad:1`, sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as DigestMismatchError).details.expected).toBe(sha256(layer.blob));
    expect(sink.blobs.size).toBe(0);
    // The image config is checked too.
    const other = await makeLayer({ g: 'x' });
    const s = await seedImage(reg, 'badconfig', '1', [other]);
    reg.faults.corrupt = s.configDigest;
    await expect(use.client().pull(`${reg.host}/badconfig:1`, sink)).rejects.toBeInstanceOf(DigestMismatchError);
    expect(sink.blobs.size).toBe(0);
  });

  it('resumes a layer whose connection dropped with a Range request, or restarts when Range is ignored', async () => {
    const reg = await use.registry();
    const layer = await makeLayer({ big: randomBytes(400_000) });
    await seedImage(reg, 'flaky', '1', [layer]);
    const digest = sha256(layer.blob);
    reg.faults.drop = { digest, afterBytes: 100_000, times: 1 };
    const sink = memorySink();
    await use.client().pull(`${reg.host}/flaky:1`, sink);
    expect(sink.blobs.get(digest)?.equals(layer.blob)).toBe(true);
    const ranged = reg.requests.filter((r) => r.path.endsWith(digest) && r.range !== undefined);
    expect(ranged).toHaveLength(1);
    expect(Number(/bytes=(\d+)-/.exec(ranged[0]!.range!)![1])).toBeGreaterThan(0);

    reg.faults = { drop: { digest, afterBytes: 150_000, times: 1 }, ignoreRange: true };
    const sink2 = memorySink();
    await use.client().pull(`${reg.host}/flaky:1`, sink2);
    expect(sink2.blobs.get(digest)?.equals(layer.blob)).toBe(true);
  });

  it('leaves nothing of a layer whose connection keeps dropping, and a second pull completes cleanly', async () => {
    const reg = await use.registry();
    const small = await makeLayer({ s: 'small' });
    const big = await makeLayer({ big: randomBytes(300_000) });
    await seedImage(reg, 'dropping', '1', [small, big]);
    const bigDigest = sha256(big.blob);
    reg.faults.drop = { digest: bigDigest, afterBytes: 50_000, times: 100 };
    const sink = memorySink();
    const err = await use.client({ retries: 2 }).pull(`${reg.host}/dropping:1`, sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).details.reason).toBe('unreachable');
    expect(sink.blobs.has(bigDigest)).toBe(false);
    // Three attempts: the first and two retries.
    expect(reg.count('GET', new RegExp(`${bigDigest}$`))).toBe(3);

    reg.faults = {};
    const events: ProgressEvent[] = [];
    const image = await use.client().pull(`${reg.host}/dropping:1`, sink, { onProgress: (e) => events.push(e) });
    expect(sink.blobs.get(bigDigest)?.equals(big.blob)).toBe(true);
    expect(image.layers).toHaveLength(2);
    // The small layer may or may not have finished before the failure; the big one is fetched anew.
    expect(events.some((e) => e.id === bigDigest.slice(7, 19) && e.status === 'Pull complete')).toBe(true);
  });

  it('rejects with AbortError and keeps nothing of a layer when the signal fires mid-layer', async () => {
    const reg = await use.registry();
    const big = await makeLayer({ big: randomBytes(2_000_000) });
    await seedImage(reg, 'abort', '1', [big]);
    const ac = new AbortController();
    const sink = memorySink();
    const err = await use.client().pull(`${reg.host}/abort:1`, sink, {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.status === 'Downloading' && e.id !== undefined) ac.abort(new Error('stop'));
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(sink.blobs.size).toBe(0);
  });

  it('maps unknown repositories, tags and blobs to NotFoundError with Docker-like texts', async () => {
    const reg = await use.registry();
    const layer = await makeLayer({ a: 'a' });
    await seedImage(reg, 'known', '1', [layer]);
    const client = use.client();
    await expect(client.pull(`${reg.host}/known:2`, memorySink()))
      .rejects.toThrow(`manifest for ${reg.host}/known:2 not found: manifest unknown: manifest unknown`);
    const unknownRepo = await client.pull(`${reg.host}/nobody/here:1`, memorySink()).catch((e: unknown) => e);
    expect(unknownRepo).toBeInstanceOf(NotFoundError);
    expect((unknownRepo as NotFoundError).message).toBe(`repository ${reg.host}/nobody/here not found: name unknown: repository name not known to registry`);
    const pinned = `sha256:${'0'.repeat(64)}`;
    await expect(client.pull(`${reg.host}/known@${pinned}`, memorySink())).rejects.toThrow(`manifest for ${reg.host}/known@${pinned} not found`);
    reg.blobs.delete(sha256(layer.blob));
    await expect(client.pull(`${reg.host}/known:1`, memorySink())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('turns 429 into RateLimitError with the Retry-After hint (seconds or a date)', async () => {
    const reg = await use.registry();
    await seedImage(reg, 'busy', '1', [await makeLayer({ a: 'a' })]);
    reg.faults.rateLimit = { path: /manifests/, retryAfter: '7', times: 1 };
    const err = await use.client().pull(`${reg.host}/busy:1`, memorySink()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(7);
    expect((err as RateLimitError).details.registry).toBe(reg.host);
    expect((err as RateLimitError).message).toContain('retry after 7 s');

    const now = Date.parse('2030-01-01T00:00:00Z');
    reg.faults.rateLimit = { path: /manifests/, retryAfter: new Date(now + 42_000).toUTCString(), times: 1 };
    const dated = await use.client({ clock: () => now }).pull(`${reg.host}/busy:1`, memorySink()).catch((e: unknown) => e);
    expect((dated as RateLimitError).retryAfter).toBe(42);
  });

  it('checks a pinned digest against the manifest bytes', async () => {
    const reg = await use.registry();
    const s = await seedImage(reg, 'pin', '1', [await makeLayer({ a: 'a' })]);
    const img = await use.client().pull(`${reg.host}/pin@${s.manifestDigest}`, memorySink());
    expect(img.digest).toBe(s.manifestDigest);
    // A registry that serves other bytes under that digest is caught.
    const config = makeConfig([]);
    const other = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) }, layers: [] }));
    reg.manifests.set(`pin\n${s.manifestDigest}`, { bytes: other, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    await expect(use.client().pull(`${reg.host}/pin@${s.manifestDigest}`, memorySink())).rejects.toBeInstanceOf(DigestMismatchError);
  });
});
