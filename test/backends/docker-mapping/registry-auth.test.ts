import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, NotFoundError, UnsupportedError } from '../../../src/core/errors.js';
import { EngineRegistryAuth, encodeRegistryAuth } from '../../../src/backends/docker/images/registry-auth.js';

const decode = (header: string | undefined): unknown => JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8'));

describe('X-Registry-Auth for the docker backend', () => {
  it('is base64url with padding, as the Docker CLI writes it', () => {
    // Bytes that give `+` and `/` in plain base64, and a length that needs padding.
    const config = { username: 'u>>>?', password: '~~~ÿ', serveraddress: 'h' };
    const header = encodeRegistryAuth(config);
    expect(header).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    expect(header.length % 4).toBe(0);
    expect(header.endsWith('=')).toBe(true);
    expect(decode(header)).toEqual(config);
    expect(encodeRegistryAuth({})).toBe('e30=');
  });

  it("names Docker Hub by the CLI's server address and other registries by host; sends nothing without credentials", async () => {
    const auth = new EngineRegistryAuth({
      dockerConfig: false,
      credentials: { 'docker.io': { username: 'hub', password: 'p1' }, '127.0.0.1:5000': { username: 'local', password: 'p2' } },
    });
    expect(decode((await auth.forRef('busybox')).header)).toEqual({ username: 'hub', password: 'p1', serveraddress: 'https://index.docker.io/v1/' });
    expect(decode((await auth.forRef('127.0.0.1:5000/team/app:1')).header)).toEqual({ username: 'local', password: 'p2', serveraddress: '127.0.0.1:5000' });
    const none = await auth.forRef('registry.invalid/app');
    expect(none.header).toBeUndefined();
    const refusal = new AuthenticationError('unauthorized');
    expect(none.refine(refusal)).toBe(refusal);
  });

  it('turns a refusal into the helper error only when a credential helper is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-regauth-'));
    try {
      const path = join(dir, 'config.json');
      writeFileSync(path, JSON.stringify({ credHelpers: { 'registry.invalid': 'pass' } }));
      const lookup = await new EngineRegistryAuth({ dockerConfig: path }).forRef('registry.invalid/app:1');
      expect(lookup.header).toBeUndefined();
      const refined = lookup.refine(new AuthenticationError('unauthorized'));
      expect(refined).toBeInstanceOf(UnsupportedError);
      expect((refined as UnsupportedError).message).toContain('docker-credential-pass');
      const other = new NotFoundError('manifest unknown');
      expect(lookup.refine(other)).toBe(other);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
