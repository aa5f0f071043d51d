import { InvalidArgumentError } from '../../src/core/errors.js';
import { describe, expect, it } from 'vitest';
import { messageOf } from './helpers.js';
import {
  classifyImageLookup, familiarName, familiarString, isFullId, parseImageRef, withTag,
} from '../../src/core/image-ref.js';

const hex = 'a'.repeat(64);

describe('parseImageRef', () => {
  it('normalises official images with the default tag', () => {
    expect(parseImageRef('centos:7')).toEqual({
      domain: 'docker.io', path: 'library/centos', tag: '7', name: 'centos', familiar: 'centos:7',
      canonical: 'docker.io/library/centos:7',
    });
    const c = parseImageRef('centos');
    expect(c.tag).toBe('latest');
    expect(c.canonical).toBe('docker.io/library/centos:latest');
    expect(parseImageRef('docker.io/library/centos:7').familiar).toBe('centos:7');
    expect(parseImageRef('index.docker.io/library/busybox').canonical).toBe('docker.io/library/busybox:latest');
  });

  it('keeps user repositories and private registries', () => {
    expect(parseImageRef('user/app:1')).toMatchObject({ domain: 'docker.io', path: 'user/app', name: 'user/app' });
    expect(parseImageRef('myreg:5000/app:1')).toMatchObject({
      domain: 'myreg:5000', path: 'app', tag: '1', name: 'myreg:5000/app', familiar: 'myreg:5000/app:1',
      canonical: 'myreg:5000/app:1',
    });
    expect(parseImageRef('localhost/app')).toMatchObject({ domain: 'localhost', path: 'app', familiar: 'localhost/app:latest' });
    expect(parseImageRef('quay.io/org/sub/app:v1.2')).toMatchObject({ domain: 'quay.io', path: 'org/sub/app' });
    expect(parseImageRef('[::1]:5000/app').domain).toBe('[::1]:5000');
    expect(parseImageRef('docker.io/library/a/b').name).toBe('library/a/b');
  });

  it('parses digests, with or without a tag', () => {
    const d = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const r = parseImageRef(`centos@${d}`);
    expect(r.tag).toBeUndefined();
    expect(r.digest).toBe(d);
    expect(r.familiar).toBe(`centos@${d}`);
    expect(parseImageRef(`centos:7@${d}`).canonical).toBe(`docker.io/library/centos:7@${d}`);
  });

  it("rejects invalid references with Docker's messages", () => {
    expect(messageOf(() => parseImageRef('Centos'))).toBe('invalid reference format: repository name (library/Centos) must be lowercase');
    expect(messageOf(() => parseImageRef('myreg:5000/App'))).toBe('invalid reference format: repository name (App) must be lowercase');
    expect(messageOf(() => parseImageRef('centos:7@sha256:abc'))).toBe('invalid reference format');
    expect(messageOf(() => parseImageRef(''))).toBe('invalid reference format');
    expect(messageOf(() => parseImageRef('a b'))).toBe('invalid reference format');
    expect(messageOf(() => parseImageRef('centos:'))).toBe('invalid reference format');
    expect(messageOf(() => parseImageRef('-x'))).toBe('invalid reference format');
    expect(messageOf(() => parseImageRef(hex))).toBe(`invalid repository name (${hex}), cannot specify 64-byte hexadecimal strings`);
    expect(messageOf(() => parseImageRef(`x@md5:${'a'.repeat(32)}`))).toBe('unsupported digest algorithm');
    expect(messageOf(() => parseImageRef(`x@sha256:${'a'.repeat(40)}`))).toBe('invalid checksum digest length');
  });

  it('puts the bad field in details.path', () => {
    try {
      parseImageRef('Bad', 'image');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidArgumentError).details).toMatchObject({ path: 'image', value: 'Bad' });
    }
  });
});

describe('familiar helpers', () => {
  it('give the names docker images shows', () => {
    expect(familiarName('docker.io/library/centos:7')).toBe('centos');
    expect(familiarName('myreg:5000/app:1')).toBe('myreg:5000/app');
    expect(familiarString('centos')).toBe('centos:latest');
    expect(withTag('centos:7', 'test').familiar).toBe('centos:test');
    expect(() => withTag('centos', 'bad tag')).toThrow(InvalidArgumentError);
  });
});

describe('IDs versus references', () => {
  it('recognises full IDs', () => {
    expect(isFullId(hex)).toBe(true);
    expect(isFullId(`sha256:${hex}`)).toBe(true);
    expect(isFullId('abc')).toBe(false);
    expect(classifyImageLookup(hex)).toEqual({ id: `sha256:${hex}` });
    expect(classifyImageLookup(`sha256:${hex}`)).toEqual({ id: `sha256:${hex}` });
  });

  it('tries a short hex string as a reference first, then as an ID prefix', () => {
    const l = classifyImageLookup('15d3de76');
    expect(l.ref?.canonical).toBe('docker.io/library/15d3de76:latest');
    expect(l.idPrefix).toBe('15d3de76');
    expect(classifyImageLookup('centos:7')).toEqual({ ref: parseImageRef('centos:7') });
    expect(classifyImageLookup('sha256:15d3')).toEqual({ idPrefix: '15d3' });
    expect(() => classifyImageLookup('Bad')).toThrow('must be lowercase');
  });
});
