import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnsupportedError } from '../../src/core/errors.js';
import { parseChallenges } from '../../src/registry/challenge.js';
import {
  DOCKER_HUB_REGISTRY, isInsecure, isLoopbackHost, normalizePlatform, parseManifest, parsePlatform, resolveEndpoint,
} from '../../src/registry/index.js';

describe('registry endpoints', () => {
  it('maps docker.io to Docker Hub and uses HTTPS except for loopback and listed registries', () => {
    expect(resolveEndpoint('docker.io').base.href).toBe(`${DOCKER_HUB_REGISTRY}/`);
    expect(resolveEndpoint('quay.io').base.href).toBe('https://quay.io/');
    expect(resolveEndpoint('127.0.0.1:5000').base.href).toBe('http://127.0.0.1:5000/');
    expect(resolveEndpoint('localhost:5000').base.href).toBe('http://localhost:5000/');
    expect(resolveEndpoint('[::1]:5000').base.href).toBe('http://[::1]:5000/');
    expect(resolveEndpoint('reg.lan:5000').base.protocol).toBe('https:');
    expect(resolveEndpoint('reg.lan:5000', { insecure: ['reg.lan:5000'] }).base.protocol).toBe('http:');
    expect(resolveEndpoint('reg.lan:5000', { insecure: ['reg.lan'] }).base.protocol).toBe('http:');
    expect(resolveEndpoint('reg.lan:5000', { insecure: ['reg.lan:6000'] }).base.protocol).toBe('https:');
    expect(isLoopbackHost('127.1.2.3:80')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isInsecure('10.0.0.1:5000')).toBe(false);
  });

  it('takes configured endpoints (mirrors), refusing plain HTTP to hosts that are not allowed it', () => {
    expect(resolveEndpoint('docker.io', { endpoints: { 'docker.io': 'http://127.0.0.1:5000' } }).base.href).toBe('http://127.0.0.1:5000/');
    expect(resolveEndpoint('docker.io', { endpoints: { 'docker.io': 'mirror.lan/v2/' } }).base.href).toBe('https://mirror.lan/');
    expect(() => resolveEndpoint('docker.io', { endpoints: { 'docker.io': 'http://mirror.lan' } })).toThrow(InvalidArgumentError);
    expect(resolveEndpoint('docker.io', { endpoints: { 'docker.io': 'http://mirror.lan' }, insecure: ['mirror.lan'] }).base.protocol).toBe('http:');
    expect(() => resolveEndpoint('docker.io', { endpoints: { 'docker.io': 'ftp://x' } })).toThrow(InvalidArgumentError);
  });
});

describe('platforms', () => {
  it('parses and normalises os/arch/variant as containerd does', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(normalizePlatform({ os: 'Linux', architecture: 'amd64', variant: 'v1' })).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(() => parsePlatform('linux//amd64')).toThrow(InvalidArgumentError);
    expect(() => parsePlatform('a/b/c/d')).toThrow(InvalidArgumentError);
  });
});

describe('WWW-Authenticate', () => {
  it('parses Bearer and Basic challenges, quoted values with commas and escapes', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
    ]);
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(parseChallenges('Basic realm="a, \\"b\\"", Bearer realm="r",scope="x:y:pull,push" , error=insufficient_scope')).toEqual([
      { scheme: 'basic', params: { realm: 'a, "b"' } },
      { scheme: 'bearer', params: { realm: 'r', scope: 'x:y:pull,push', error: 'insufficient_scope' } },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe('manifests', () => {
  const d = { digest: `sha256:${'a'.repeat(64)}`, size: 1 };
  it('tells manifests from indexes by mediaType, Content-Type or shape', () => {
    const oci = Buffer.from(JSON.stringify({ schemaVersion: 2, config: d, layers: [d] }));
    expect(parseManifest(oci, 'application/vnd.oci.image.manifest.v1+json')).toMatchObject({ kind: 'manifest', layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }] });
    expect(parseManifest(oci, undefined)).toMatchObject({ kind: 'manifest', mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [{ ...d, platform: { os: 'linux', architecture: 'amd64' } }] }));
    expect(parseManifest(list, 'application/json')).toMatchObject({ kind: 'index', manifests: [{ platform: { os: 'linux', architecture: 'amd64' } }] });
  });

  it('refuses schema 1 and unknown media types with UnsupportedError', () => {
    const v1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] }));
    expect(() => parseManifest(v1, 'application/vnd.docker.distribution.manifest.v1+prettyjws')).toThrow(UnsupportedError);
    const helm = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.cncf.helm.chart.v1', config: d, layers: [] }));
    expect(() => parseManifest(helm, undefined)).toThrow(UnsupportedError);
  });
});
