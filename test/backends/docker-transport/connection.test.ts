import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, UnsupportedError } from '../../../src/core/errors.js';
import { dockerContextDigest, resolveDockerConnection } from '../../../src/backends/docker/transport/connection.js';

describe('resolveDockerConnection', () => {
  let dir: string;
  let home: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stowage-conn-'));
    home = join(dir, 'home');
    mkdirSync(join(home, '.docker'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeCerts(where: string, tag: string): void {
    mkdirSync(where, { recursive: true });
    writeFileSync(join(where, 'ca.pem'), `ca-${tag}`);
    writeFileSync(join(where, 'cert.pem'), `cert-${tag}`);
    writeFileSync(join(where, 'key.pem'), `key-${tag}`);
  }

  function writeContext(configDir: string, name: string, endpoint: Record<string, unknown>, tlsTag?: string): void {
    const digest = dockerContextDigest(name);
    const metaDir = join(configDir, 'contexts', 'meta', digest);
    mkdirSync(metaDir, { recursive: true });
    writeFileSync(join(metaDir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: endpoint } }));
    if (tlsTag) writeCerts(join(configDir, 'contexts', 'tls', digest, 'docker'), tlsTag);
  }

  it('defaults to the local socket', () => {
    const conn = resolveDockerConnection({ env: { HOME: home } });
    expect(conn).toMatchObject({ socketPath: '/var/run/docker.sock', origin: 'http://localhost', source: 'default' });
    expect(conn.tls).toBeUndefined();
  });

  it('uses the sha256 of the context name as its directory, as docker/cli does', () => {
    expect(dockerContextDigest('default')).toBe('37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f');
  });

  it('reads unix://, tcp://, http:// and https:// from DOCKER_HOST', () => {
    expect(resolveDockerConnection({ env: { HOME: home, DOCKER_HOST: 'unix:///tmp/d.sock' } })).toMatchObject({ socketPath: '/tmp/d.sock', source: 'env' });
    expect(resolveDockerConnection({ env: { HOME: home, DOCKER_HOST: 'tcp://10.1.2.3' } })).toMatchObject({ origin: 'http://10.1.2.3:2375' });
    expect(resolveDockerConnection({ env: { HOME: home, DOCKER_HOST: 'tcp://10.1.2.3:4243' } }).origin).toBe('http://10.1.2.3:4243');
    expect(resolveDockerConnection({ env: { HOME: home, DOCKER_HOST: 'http://[::1]:2375' } }).origin).toBe('http://[::1]:2375');
    const https = resolveDockerConnection({ env: { HOME: home, DOCKER_HOST: 'https://example.test' } });
    expect(https.origin).toBe('https://example.test:2376');
    expect(https.tls?.rejectUnauthorized).toBe(true);
  });

  it('turns TLS on for tcp:// with DOCKER_TLS_VERIFY and reads certs from DOCKER_CERT_PATH', () => {
    const certs = join(dir, 'certs');
    writeCerts(certs, 'env');
    const conn = resolveDockerConnection({ env: { HOME: home, DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs } });
    expect(conn.origin).toBe('https://h:2376');
    expect(conn.tls?.rejectUnauthorized).toBe(true);
    expect(conn.tls?.ca?.toString()).toBe('ca-env');
    expect(conn.tls?.cert?.toString()).toBe('cert-env');
    expect(conn.tls?.key?.toString()).toBe('key-env');
  });

  it('reads certs from the config dir when DOCKER_CERT_PATH is unset; DOCKER_TLS alone does not verify', () => {
    writeCerts(join(home, '.docker'), 'home');
    const conn = resolveDockerConnection({ env: { HOME: home, DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1' } });
    expect(conn.tls).toMatchObject({ rejectUnauthorized: false });
    expect(conn.tls?.ca?.toString()).toBe('ca-home');
  });

  it('prefers an explicit host over the environment, with the given TLS material', () => {
    const conn = resolveDockerConnection({
      host: 'tcp://remote:2376',
      tls: { ca: 'CA', cert: 'C', key: 'K', verify: false },
      env: { HOME: home, DOCKER_HOST: 'unix:///tmp/ignored.sock' },
    });
    expect(conn).toMatchObject({ origin: 'https://remote:2376', source: 'option' });
    expect(conn.tls?.rejectUnauthorized).toBe(false);
    expect(conn.tls?.ca?.toString()).toBe('CA');
  });

  it('follows currentContext in config.json, with the context TLS material', () => {
    const configDir = join(home, '.docker');
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    writeContext(configDir, 'remote', { Host: 'tcp://ctx-host:2376', SkipTLSVerify: false }, 'ctx');
    const conn = resolveDockerConnection({ env: { HOME: home } });
    expect(conn).toMatchObject({ origin: 'https://ctx-host:2376', source: 'context', context: 'remote' });
    expect(conn.tls?.rejectUnauthorized).toBe(true);
    expect(conn.tls?.key?.toString()).toBe('key-ctx');
  });

  it('lets DOCKER_CONTEXT win over currentContext, and DOCKER_HOST win over both', () => {
    const configDir = join(dir, 'cfg');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ currentContext: 'a' }));
    writeContext(configDir, 'a', { Host: 'unix:///tmp/a.sock' });
    writeContext(configDir, 'b', { Host: 'unix:///tmp/b.sock', SkipTLSVerify: true });
    const env = { HOME: home, DOCKER_CONFIG: configDir };
    expect(resolveDockerConnection({ env }).socketPath).toBe('/tmp/a.sock');
    expect(resolveDockerConnection({ env: { ...env, DOCKER_CONTEXT: 'b' } }).socketPath).toBe('/tmp/b.sock');
    expect(resolveDockerConnection({ env: { ...env, DOCKER_CONTEXT: 'b', DOCKER_HOST: 'unix:///tmp/h.sock' } }).socketPath).toBe('/tmp/h.sock');
    expect(resolveDockerConnection({ env: { ...env, DOCKER_CONTEXT: 'default' } }).socketPath).toBe('/var/run/docker.sock');
    // The configDir option wins over DOCKER_CONFIG.
    expect(resolveDockerConnection({ env, configDir: join(home, '.docker') }).source).toBe('default');
  });

  it('fails with typed errors for a missing context, bad config and unsupported schemes', () => {
    expect(() => resolveDockerConnection({ env: { HOME: home, DOCKER_CONTEXT: 'ghost' } })).toThrow(NotFoundError);
    writeFileSync(join(home, '.docker', 'config.json'), '{not json');
    expect(() => resolveDockerConnection({ env: { HOME: home } })).toThrow(InvalidArgumentError);
    expect(() => resolveDockerConnection({ host: 'ssh://user@box', env: { HOME: home } })).toThrow(UnsupportedError);
    expect(() => resolveDockerConnection({ host: 'gopher://x', env: { HOME: home } })).toThrow(InvalidArgumentError);
  });
});
