/**
 * The docker backend's pushes and pulls to a registry that wants credentials (Debian's
 * docker-registry with htpasswd): the engine gets them as `X-Registry-Auth`, from the backend's
 * options or from a Docker config file, and a credential helper in that file gives the registry
 * client's own UnsupportedError. Skipped, visibly, without docker-registry or an engine unless
 * STOWAGE_REQUIRE names them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import { AuthenticationError, UnsupportedError } from '../../src/core/errors.js';
import { RegistryClient } from '../../src/registry/index.js';
import { DOCKER_REGISTRY_BIN, dockerAvailable, importBusybox, required, startDockerRegistry, type RunningRegistry } from './docker-registry.js';
import { memorySink } from './helpers.js';

const haveRegistry = DOCKER_REGISTRY_BIN !== undefined;
if (!haveRegistry && required('registry')) throw new Error('STOWAGE_REQUIRE names registry, but docker-registry is not installed');
const haveDocker = haveRegistry && dockerAvailable();
if (haveRegistry && !haveDocker && required('docker')) throw new Error('STOWAGE_REQUIRE names docker, but no engine answers');

const run = `b9f${randomBytes(4).toString('hex')}`;

describe.skipIf(!haveDocker)('docker backend: push and pull with registry credentials (htpasswd)', () => {
  let reg: RunningRegistry;
  let dir: string;
  const engines: Engine[] = [];
  const refs: string[] = [];

  const docker = async (registry: Record<string, unknown>): Promise<Engine> => {
    const engine = await Engine.open({ backend: 'docker', registry });
    engines.push(engine);
    return engine;
  };
  const configFile = (name: string, content: unknown): string => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const removeLocal = async (engine: Engine, ref: string): Promise<void> => {
    await (await engine.images.get(ref)).remove({ force: true });
  };

  beforeAll(async () => {
    reg = await startDockerRegistry({ kind: 'htpasswd', users: { alice: 'wonder land' } });
    dir = mkdtempSync(join(tmpdir(), 'stowage-docker-auth-'));
  });
  afterAll(async () => {
    const cleaner = engines[0];
    for (const ref of refs) await cleaner?.images.get(ref).then((i) => i.remove({ force: true }), () => undefined);
    for (const e of engines) await e.close();
    await reg?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends the credentials given in the options, for push and for pull', async () => {
    const d = await docker({ dockerConfig: false, credentials: { [reg.host]: { username: 'alice', password: 'wonder land' } } });
    const ref = `${reg.host}/${run}/from-options:1`;
    refs.push(ref);
    const id = await importBusybox(d, ref);
    await (await d.images.get(ref)).push();
    await removeLocal(d, ref);
    expect((await d.images.pull(ref)).id).toBe(id);
  });

  it("reads them from a Docker config file's auths; without them the registry's refusal is an AuthenticationError", async () => {
    const auth = Buffer.from('alice:wonder land').toString('base64');
    const d = await docker({ dockerConfig: configFile('auths', { auths: { [`http://${reg.host}`]: { auth } } }) });
    const ref = `${reg.host}/${run}/from-file:1`;
    refs.push(ref);
    const id = await importBusybox(d, ref);
    await (await d.images.get(ref)).push();
    await removeLocal(d, ref);
    expect((await d.images.pull(ref)).id).toBe(id);

    const anonymous = await docker({ dockerConfig: false });
    await expect(anonymous.images.pull(ref)).rejects.toBeInstanceOf(AuthenticationError);
    const wrong = await docker({ dockerConfig: false, credentials: { [reg.host]: { username: 'alice', password: 'nope' } } });
    await expect(wrong.images.pull(ref)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("names a configured credential helper with the registry client's own error, once the registry refuses", async () => {
    const path = configFile('helper', { auths: { [reg.host]: {} }, credsStore: 'desktop' });
    const d = await docker({ dockerConfig: path });
    const ref = `${reg.host}/${run}/helper:1`;
    refs.push(ref);
    await importBusybox(d, ref);
    const push = await (await d.images.get(ref)).push().catch((e: unknown) => e);
    const pull = await d.images.pull(`${reg.host}/${run}/from-options:1`).catch((e: unknown) => e);
    const client = new RegistryClient({ dockerConfig: path });
    const theirs = await client.pull(`${reg.host}/${run}/from-options:1`, memorySink()).catch((e: unknown) => e);
    await client.close();
    expect(theirs).toBeInstanceOf(UnsupportedError);
    for (const ours of [push, pull]) {
      expect(ours).toBeInstanceOf(UnsupportedError);
      expect((ours as UnsupportedError).message).toBe((theirs as UnsupportedError).message);
      expect((ours as UnsupportedError).details).toMatchObject({ registry: reg.host, helper: 'docker-credential-desktop' });
      expect((ours as UnsupportedError).cause).toBeInstanceOf(AuthenticationError);
    }
  });
});
