/**
 * The registry client and the emulator against Debian's real `docker-registry`, and against
 * the Docker Engine as the oracle: an image pushed by the SDK pulls into Docker with the same
 * digest and ID (and runs there), one pushed by `docker push` pulls into the emulator with the
 * digest Docker reported, and goes back out unchanged. Auth: htpasswd (Basic) and a token
 * server (Bearer) started by the test.
 *
 * Skipped, visibly, without docker-registry (or the docker CLI for the interop cases) unless
 * STOWAGE_REQUIRE names `registry` (or `docker`); CI installs both and names both.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import { AuthenticationError } from '../../src/core/errors.js';
import type { ProgressEvent } from '../../src/core/schemas/image.js';
import { RegistryClient } from '../../src/registry/index.js';
import { busyboxRootfsTar, findHostBusybox } from '../../src/testing/busybox-rootfs.js';
import { DOCKER_REGISTRY_BIN, TokenServer, dockerAvailable, importBusybox, required, startDockerRegistry, tokenSigningKey, type RunningRegistry } from './docker-registry.js';
import { makeConfig, makeLayer, sha256 } from './fake-registry.js';
import { memorySink } from './helpers.js';

const haveRegistry = DOCKER_REGISTRY_BIN !== undefined;
if (!haveRegistry && required('registry')) throw new Error('STOWAGE_REQUIRE names registry, but docker-registry is not installed');
const haveDocker = haveRegistry && dockerAvailable();
if (haveRegistry && !haveDocker && required('docker')) throw new Error('STOWAGE_REQUIRE names docker, but no engine answers');

const run = `b11${randomBytes(4).toString('hex')}`;
const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of toClose.splice(0).reverse()) await o.close();
});

async function emulator(registry: Record<string, unknown> = {}): Promise<Engine> {
  const engine = await Engine.open({ backend: 'emulator', registry: { dockerConfig: false, ...registry } });
  toClose.push(engine);
  return engine;
}

async function output(engine: Engine, image: string, cmd: string[]): Promise<string> {
  const c = await engine.containers.run({ image, cmd });
  await c.wait();
  const lines: string[] = [];
  for await (const l of c.logs()) lines.push(l.text);
  await c.remove({ force: true });
  return lines.join('\n');
}

describe.skipIf(!haveRegistry)(`docker-registry${haveRegistry ? '' : ' (not installed: skipped)'}`, () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startDockerRegistry();
  });
  afterAll(async () => {
    await reg?.close();
  });

  it('an image pushed by the emulator pulls into another emulator with the same ID and runs', async () => {
    const a = await emulator();
    const ref = `${reg.host}/${run}/sdk:1`;
    const id = await importBusybox(a, ref);
    const progress: ProgressEvent[] = [];
    await (await a.images.get(ref)).push({ onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)!.status).toMatch(/^1: digest: sha256:[0-9a-f]{64} size: \d+$/);

    const b = await emulator();
    const pulled = await b.images.pull(ref);
    expect(pulled.id).toBe(id);
    expect(await output(b, ref, ['sh', '-c', 'echo hello from $(cat /etc/hostname | wc -c) | cut -d" " -f1-2'])).toBe('hello from');
  });

  it('chunked uploads and a multi-platform index work against the real registry', async () => {
    await using client = new RegistryClient({ dockerConfig: false, chunkSize: 32 * 1024 });
    const entries = [];
    const blobs = new Map<string, Buffer>();
    for (const arch of ['amd64', 'arm64']) {
      const layer = await makeLayer({ arch, noise: randomBytes(100_000) });
      blobs.set(sha256(layer.blob), layer.blob);
      const config = makeConfig([layer.diffId], { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) });
      const pushed = await client.push(`${reg.host}/${run}/multi:${arch}`, {
        config: { bytes: config }, layers: [{ digest: sha256(layer.blob), size: layer.blob.length }],
      }, { read: async (d) => Readable.from([blobs.get(d)!]) });
      entries.push({ mediaType: pushed.mediaType, digest: pushed.digest, size: pushed.size, platform: { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) } });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: entries }));
    const res = await fetch(`http://${reg.host}/v2/${run}/multi/manifests/latest`, { method: 'PUT', headers: { 'content-type': 'application/vnd.docker.distribution.manifest.list.v2+json' }, body: index });
    expect(res.status).toBe(201);
    for (const arch of ['amd64', 'arm64']) {
      const sink = memorySink();
      const image = await client.pull(`${reg.host}/${run}/multi`, sink, { platform: `linux/${arch}` });
      expect(image.digest).toBe(sha256(index));
      expect(image.manifest.digest).toBe(entries.find((e) => e.platform.architecture === arch)!.digest);
      expect(image.platform.architecture).toBe(arch);
    }
  });

  describe.skipIf(!haveDocker)(`with the Docker Engine as oracle${haveDocker ? '' : ' (no docker: skipped)'}`, () => {
    const dockerTags: string[] = [];
    afterAll(() => {
      if (dockerTags.length > 0) spawnSync('docker', ['rmi', '-f', ...dockerTags], { encoding: 'utf8' });
    });
    const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    const digestLine = (text: string, re: RegExp): string => re.exec(text)![1]!;

    it('docker pulls what the emulator pushed: same digest, same image ID, and it runs', async () => {
      expect(findHostBusybox()).toBeDefined();
      const e = await emulator();
      const ref = `${reg.host}/${run}/from-sdk:1`;
      const id = await importBusybox(e, ref);
      const progress: ProgressEvent[] = [];
      await (await e.images.get(ref)).push({ onProgress: (p) => progress.push(p) });
      const pushed = digestLine(progress.at(-1)!.status, /digest: (sha256:[0-9a-f]{64})/);

      dockerTags.push(ref);
      const pulled = docker('pull', ref);
      expect(digestLine(pulled, /Digest: (sha256:[0-9a-f]{64})/)).toBe(pushed);
      expect(docker('image', 'inspect', '--format', '{{.Id}}', ref).trim()).toBe(id);
      expect(docker('run', '--rm', ref, 'busybox', 'echo', 'ran in docker').trim()).toBe('ran in docker');
    });

    it('the emulator pulls what docker pushed with the digest docker reported, and pushes it back unchanged', async () => {
      const ref = `${reg.host}/${run}/from-cli:1`;
      const tar = busyboxRootfsTar({ requireBinary: true });
      const chunks: Buffer[] = [];
      for await (const c of tar) chunks.push(c as Buffer);
      dockerTags.push(ref);
      execFileSync('docker', ['import', '--change', 'CMD ["sh"]', '-', ref], { input: Buffer.concat(chunks), stdio: ['pipe', 'pipe', 'pipe'] });
      const dockerId = docker('image', 'inspect', '--format', '{{.Id}}', ref).trim();
      const pushed = digestLine(docker('push', ref), /1: digest: (sha256:[0-9a-f]{64})/);

      const e = await emulator();
      const progress: ProgressEvent[] = [];
      const img = await e.images.pull(ref, { onProgress: (p) => progress.push(p) });
      expect(progress.some((p) => p.status === `Digest: ${pushed}`)).toBe(true);
      expect(img.id).toBe(dockerId);
      expect(await output(e, ref, ['sh', '-c', 'echo $((40+2)) > /tmp/x; cat /tmp/x'])).toBe('42');

      // Back out under another name: mounted, same manifest, same digest for docker.
      const again = `${reg.host}/${run}/roundtrip:1`;
      const back: ProgressEvent[] = [];
      await img.push({ ref: again, onProgress: (p) => back.push(p) });
      expect(back.some((p) => p.status === `Mounted from ${run}/from-cli`)).toBe(true);
      dockerTags.push(again);
      expect(digestLine(docker('pull', again), /Digest: (sha256:[0-9a-f]{64})/)).toBe(pushed);
    });

    it('the docker backend pushes through its engine and pulls what the emulator pushed', async () => {
      const d = await Engine.open({ backend: 'docker' });
      toClose.push(d);
      const ref = `${reg.host}/${run}/docker-backend:1`;
      dockerTags.push(ref);
      const id = await importBusybox(d, ref);
      const progress: ProgressEvent[] = [];
      await (await d.images.get(ref)).push({ onProgress: (p) => progress.push(p) });
      expect(progress.some((p) => /digest: sha256:/.test(p.status))).toBe(true);
      const e = await emulator();
      expect((await e.images.pull(ref)).id).toBe(id);

      const sdkRef = `${reg.host}/${run}/for-docker-backend:1`;
      const sdkId = await importBusybox(e, sdkRef);
      await (await e.images.get(sdkRef)).push();
      dockerTags.push(sdkRef);
      expect((await d.images.pull(sdkRef)).id).toBe(sdkId);
    });
  });
});

describe.skipIf(!haveRegistry)('docker-registry with htpasswd (Basic auth)', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startDockerRegistry({ kind: 'htpasswd', users: { alice: 'wonder land' } });
  });
  afterAll(async () => {
    await reg?.close();
  });

  it('pushes and pulls with credentials and names registry and scope without them', async () => {
    const credentials = { [reg.host]: { username: 'alice', password: 'wonder land' } };
    const a = await emulator({ credentials });
    const ref = `${reg.host}/${run}/private:1`;
    const id = await importBusybox(a, ref);
    await (await a.images.get(ref)).push();
    expect((await (await emulator({ credentials })).images.pull(ref)).id).toBe(id);

    const anonymous = await (await emulator()).images.pull(ref).catch((e: unknown) => e);
    expect(anonymous).toBeInstanceOf(AuthenticationError);
    expect((anonymous as AuthenticationError).details).toMatchObject({ registry: reg.host, status: 401 });
    const wrong = await (await emulator({ credentials: { [reg.host]: { username: 'alice', password: 'nope' } } })).images.pull(ref).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AuthenticationError);
  });

  it.skipIf(!haveDocker)('the docker backend refuses with the same class', async () => {
    const d = await Engine.open({ backend: 'docker' });
    toClose.push(d);
    const ref = `${reg.host}/${run}/docker-denied:1`;
    await importBusybox(d, ref);
    try {
      await expect((await d.images.get(ref)).push()).rejects.toBeInstanceOf(AuthenticationError);
      await expect(d.images.pull(`${reg.host}/${run}/private:1`)).rejects.toBeInstanceOf(AuthenticationError);
    } finally {
      await (await d.images.get(ref)).remove({ force: true });
    }
  });
});

describe.skipIf(!haveRegistry)('docker-registry behind a token server (Bearer auth)', () => {
  let reg: RunningRegistry | undefined;
  let tokens: TokenServer | undefined;
  let skipped: string | undefined;
  const keyDir = mkdtempSync(join(tmpdir(), 'stowage-token-'));
  beforeAll(async () => {
    const keys = tokenSigningKey(keyDir);
    if (!keys) {
      if (required('registry')) throw new Error('STOWAGE_REQUIRE names registry, but openssl is missing (it makes the token key)');
      skipped = 'openssl is not installed';
      return;
    }
    tokens = await new TokenServer(keys, { bob: 'builder' }, 'stowage-registry', 'stowage-token-issuer').start();
    reg = await startDockerRegistry({ kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certPem: keys.certPem });
  });
  afterAll(async () => {
    await reg?.close();
    await tokens?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('gets tokens scoped per repository and action, and reuses them', async ({ skip }) => {
    if (skipped) skip(skipped);
    const credentials = { [reg!.host]: { username: 'bob', password: 'builder' } };
    const a = await emulator({ credentials });
    const ref = `${reg!.host}/${run}/tokened:1`;
    const id = await importBusybox(a, ref);
    await (await a.images.get(ref)).push();
    expect(tokens!.requests.map((r) => r.scopes.join(' '))).toContain(`repository:${run}/tokened:pull,push`);
    const b = await emulator({ credentials });
    expect((await b.images.pull(ref)).id).toBe(id);
    const before = tokens!.requests.length;
    await b.images.pull(ref);
    expect(tokens!.requests.length).toBe(before);
    expect(tokens!.requests.at(-1)).toEqual({ scopes: [`repository:${run}/tokened:pull`], user: 'bob' });

    const anonymous = await (await emulator()).images.pull(ref).catch((e: unknown) => e);
    expect(anonymous).toBeInstanceOf(AuthenticationError);
    expect((anonymous as AuthenticationError).details).toMatchObject({ registry: reg!.host, scope: `repository:${run}/tokened:pull` });
  });
});
