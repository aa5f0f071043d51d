import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthenticationError, RegistryError, UnsupportedError } from '../../src/core/errors.js';
import { makeLayer, seedImage } from './fake-registry.js';
import { memorySink, useRegistries } from './helpers.js';

const use = useRegistries();
const dir = mkdtempSync(join(tmpdir(), 'stowage-registry-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dockerConfig(name: string, content: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('registry client: authentication', () => {
  it('answers a Bearer challenge with a token per repository scope, reused until it expires', async () => {
    const reg = await use.registry({ kind: 'bearer', expiresIn: 60 });
    await seedImage(reg, 'team/a', '1', [await makeLayer({ a: 'a' })]);
    await seedImage(reg, 'team/b', '1', [await makeLayer({ b: 'b' })]);
    let now = Date.parse('2030-01-01T00:00:00Z');
    const client = use.client({ clock: () => now });

    await client.pull(`${reg.host}/team/a:1`, memorySink());
    expect(reg.tokenRequests.map((t) => t.scopes)).toEqual([['repository:team/a:pull']]);
    // Anonymous: no credentials were configured, so none were sent to the token server.
    expect(reg.tokenRequests[0]!.authorization).toBeUndefined();
    // Every repository request carried the token; only the ping went without.
    const repoRequests = reg.requests.filter((r) => r.path.startsWith('/v2/team/'));
    expect(repoRequests.every((r) => r.authorization === 'Bearer tok-1')).toBe(true);

    await client.pull(`${reg.host}/team/a:1`, memorySink());
    expect(reg.tokenRequests).toHaveLength(1);
    await client.pull(`${reg.host}/team/b:1`, memorySink());
    expect(reg.tokenRequests.map((t) => t.scopes[0])).toEqual(['repository:team/a:pull', 'repository:team/b:pull']);
    // One ping per registry, however many pulls.
    expect(reg.count('GET', /^\/v2\/$/)).toBe(1);

    now += 61_000;
    await client.pull(`${reg.host}/team/a:1`, memorySink());
    expect(reg.tokenRequests).toHaveLength(3);
  });

  it('sends credentials to the token server and names registry and scope when they are refused', async () => {
    const reg = await use.registry({ kind: 'bearer', username: 'alice', password: 's3cret' });
    await seedImage(reg, 'private', '1', [await makeLayer({ a: 'a' })]);
    const good = use.client({ credentials: { [reg.host]: { username: 'alice', password: 's3cret' } } });
    await good.pull(`${reg.host}/private:1`, memorySink());
    expect(reg.tokenRequests[0]!.authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);

    const bad = use.client({ credentials: { [reg.host]: { username: 'alice', password: 'wrong' } } });
    const err = await bad.pull(`${reg.host}/private:1`, memorySink()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('UNAUTHORIZED');
    expect((err as AuthenticationError).details).toMatchObject({ registry: reg.host, scope: 'repository:private:pull', status: 401 });
    expect((err as Error).message).toContain(reg.host);
    expect((err as Error).message).toContain('repository:private:pull');
  });

  it('asks for pull,push to push, and once more when a token turns out to lack the scope', async () => {
    const reg = await use.registry({ kind: 'bearer' });
    await seedImage(reg, 'app', '1', [await makeLayer({ a: 'a' })]);
    const client = use.client();
    const pulled = await client.pull(`${reg.host}/app:1`, memorySink());
    const blobs = new Map([...reg.blobs]);
    const source = { read: async (d: string) => Readable.from([blobs.get(d)!]) };
    const image = { config: { bytes: blobs.get(pulled.config.digest)! }, layers: pulled.layers };
    // The token server grants only pull the first time: the upload's 401 names the scope and
    // the client fetches one more token, then goes on.
    reg.faults.pullOnlyTokens = 1;
    await client.push(`${reg.host}/app:2`, image, source);
    expect(reg.tokenRequests.map((t) => t.scopes.join(' '))).toEqual(['repository:app:pull', 'repository:app:pull,push', 'repository:app:pull,push']);
    expect(reg.manifests.has('app\n2')).toBe(true);
    // A token server that never grants push ends in AuthenticationError naming the scope.
    reg.faults.pullOnlyTokens = 10;
    const err = await use.client().push(`${reg.host}/app:3`, image, source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).details.scope).toBe('repository:app:pull,push');
  });

  it('pings a registry for its auth scheme, and says when something is not one', async () => {
    const client = use.client();
    expect(await client.ping((await use.registry()).host)).toEqual({ auth: 'none' });
    expect(await client.ping((await use.registry({ kind: 'basic', username: 'u', password: 'p' })).host)).toEqual({ auth: 'basic' });
    expect(await client.ping((await use.registry({ kind: 'bearer' })).host)).toEqual({ auth: 'bearer' });
    const closed = await use.registry();
    const host = closed.host;
    await closed.close();
    const err = await client.ping(host).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).details).toMatchObject({ registry: host, reason: 'unreachable' });
  });

  it('uses Basic auth, and says so clearly without or with wrong credentials', async () => {
    const reg = await use.registry({ kind: 'basic', username: 'bob', password: 'pw' });
    await seedImage(reg, 'app', '1', [await makeLayer({ a: 'a' })]);
    const image = await use.client({ credentials: { [reg.host]: { username: 'bob', password: 'pw' } } }).pull(`${reg.host}/app:1`, memorySink());
    expect(image.layers).toHaveLength(1);
    expect(reg.requests.filter((r) => r.path.startsWith('/v2/app/')).every((r) => r.authorization?.startsWith('Basic '))).toBe(true);

    const none = await use.client().pull(`${reg.host}/app:1`, memorySink()).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(AuthenticationError);
    expect((none as AuthenticationError).message).toBe(`${reg.host}: authentication required for repository:app:pull: unauthorized: authentication required`);
    const wrong = await use.client({ credentials: { [reg.host]: { username: 'bob', password: 'no' } } }).pull(`${reg.host}/app:1`, memorySink()).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AuthenticationError);
  });

  it('reads credentials from a Docker config file (auth, or username and password)', async () => {
    const reg = await use.registry({ kind: 'basic', username: 'carol', password: 'pw:with:colons' });
    await seedImage(reg, 'app', '1', [await makeLayer({ a: 'a' })]);
    const auth = Buffer.from('carol:pw:with:colons').toString('base64');
    const byAuth = dockerConfig('auth', { auths: { [`http://${reg.host}`]: { auth } } });
    await use.client({ dockerConfig: byAuth }).pull(`${reg.host}/app:1`, memorySink());
    const byFields = dockerConfig('fields', { auths: { [reg.host]: { username: 'carol', password: 'pw:with:colons' } } });
    await use.client({ dockerConfig: byFields }).pull(`${reg.host}/app:1`, memorySink());
    // Options win over the file.
    const err = await use.client({ dockerConfig: byAuth, credentials: { [reg.host]: { username: 'x', password: 'y' } } })
      .pull(`${reg.host}/app:1`, memorySink()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
  });

  it('names a configured credential helper, but only when the registry wants credentials', async () => {
    const open = await use.registry();
    await seedImage(open, 'app', '1', [await makeLayer({ a: 'a' })]);
    const locked = await use.registry({ kind: 'basic', username: 'u', password: 'p' });
    await seedImage(locked, 'app', '1', [await makeLayer({ a: 'a' })]);
    const store = dockerConfig('store', { auths: { [locked.host]: {} }, credsStore: 'desktop' });
    // Anonymous access still works with a helper configured.
    await use.client({ dockerConfig: store }).pull(`${open.host}/app:1`, memorySink());
    const err = await use.client({ dockerConfig: store }).pull(`${locked.host}/app:1`, memorySink()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as UnsupportedError).message).toContain('docker-credential-desktop');
    expect((err as UnsupportedError).message).toContain(locked.host);
    expect((err as UnsupportedError).details).toMatchObject({ registry: locked.host, helper: 'docker-credential-desktop' });
    expect((err as UnsupportedError).cause).toBeInstanceOf(AuthenticationError);

    const helpers = dockerConfig('helpers', { credHelpers: { [locked.host]: 'pass' } });
    await expect(use.client({ dockerConfig: helpers }).pull(`${locked.host}/app:1`, memorySink())).rejects.toThrow('docker-credential-pass');
  });
});
