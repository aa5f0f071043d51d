import { InvalidArgumentError } from '../../src/core/errors.js';
import { describe, expect, it } from 'vitest';
import { messageOf } from './helpers.js';
import {
  cleanPath, isValidMountMode, parseVolumeSpec, parseVolumeSpecs, parseVolumesFrom,
} from '../../src/core/specs/volumes.js';

describe('parseVolumeSpec', () => {
  it('parses the tutorial forms', () => {
    expect(parseVolumeSpec('/var/www:/data1')).toEqual({ type: 'bind', source: '/var/www', target: '/data1', readOnly: false });
    expect(parseVolumeSpec('/data2')).toEqual({ type: 'volume', target: '/data2', readOnly: false });
    expect(parseVolumeSpec('named:/data:ro')).toEqual({ type: 'volume', source: 'named', target: '/data', readOnly: true });
    expect(parseVolumeSpec('/h:/c:rw').readOnly).toBe(false);
    expect(parseVolumeSpec('/h:/c:ro').readOnly).toBe(true);
  });

  it('cleans paths and keeps extra modes', () => {
    expect(parseVolumeSpec('/a/../b/:/c/./d/')).toMatchObject({ source: '/b', target: '/c/d' });
    expect(parseVolumeSpec('data:/x:ro,nocopy')).toMatchObject({ readOnly: true, noCopy: true });
    expect(parseVolumeSpec('/h:/x:rshared,z')).toMatchObject({ propagation: 'rshared', readOnly: false });
  });

  it("rejects bad specs with moby's messages", () => {
    expect(messageOf(() => parseVolumeSpec('/h:/c:xx'))).toBe('invalid mode: xx');
    expect(messageOf(() => parseVolumeSpec('/h:/c:ro,rw'))).toBe('invalid mode: ro,rw');
    expect(messageOf(() => parseVolumeSpec('/foo:rw'))).toBe("invalid volume specification: '/foo:rw'");
    expect(messageOf(() => parseVolumeSpec(':/x'))).toBe("invalid volume specification: ':/x'");
    expect(messageOf(() => parseVolumeSpec('/a:/b:ro:x'))).toBe("invalid volume specification: '/a:/b:ro:x'");
    expect(messageOf(() => parseVolumeSpec('/a:b')))
      .toBe(`invalid mount config for type "bind": invalid mount path: 'b' mount path must be absolute`);
    expect(messageOf(() => parseVolumeSpec('data')))
      .toBe(`invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute`);
    expect(messageOf(() => parseVolumeSpec('/a:/')))
      .toBe(`invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  });

  it('rejects a relative host path as an invalid volume name', () => {
    expect(messageOf(() => parseVolumeSpec('rel/dir:/x'))).toBe(
      '"rel/dir" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. ' +
        'If you intended to pass a host directory, use absolute path');
    expect(messageOf(() => parseVolumeSpec('./x:/x'))).toContain('includes invalid characters');
    expect(messageOf(() => parseVolumeSpec('a:/x')))
      .toBe('volume name is too short, names should be at least two alphanumeric characters');
  });

  it('accepts the object form and names the field', () => {
    expect(parseVolumeSpec({ source: '/h', target: '/c', readOnly: true }))
      .toEqual({ type: 'bind', source: '/h', target: '/c', readOnly: true });
    expect(parseVolumeSpec({ target: '/c' })).toEqual({ type: 'volume', target: '/c', readOnly: false });
    expect(messageOf(() => parseVolumeSpec({ type: 'bind', target: '/c' })))
      .toBe('invalid mount config for type "bind": field Source must not be empty');
    try {
      parseVolumeSpecs(['/ok', 'bad']);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidArgumentError).details.path).toBe('volumes[1]');
    }
  });

  it('knows the valid mount modes', () => {
    expect(isValidMountMode('')).toBe(true);
    expect(isValidMountMode('ro,Z,rslave,nocopy,cached')).toBe(true);
    expect(isValidMountMode('z,Z')).toBe(false);
    expect(isValidMountMode('readonly')).toBe(false);
    expect(cleanPath('')).toBe('.');
    expect(cleanPath('/a//b/')).toBe('/a/b');
  });
});

describe('parseVolumesFrom', () => {
  it('parses web2, web2:ro and web2:rw', () => {
    expect(parseVolumesFrom('web2')).toEqual({ container: 'web2', mode: 'rw', readOnly: false });
    expect(parseVolumesFrom('web2:ro')).toEqual({ container: 'web2', mode: 'ro', readOnly: true });
    expect(parseVolumesFrom('/web2:rw')).toEqual({ container: 'web2', mode: 'rw', readOnly: false });
  });

  it('rejects what Docker rejects', () => {
    expect(messageOf(() => parseVolumesFrom(''))).toBe('volumes-from specification cannot be an empty string');
    expect(messageOf(() => parseVolumesFrom('web2:xx'))).toBe('invalid mode: xx');
    expect(messageOf(() => parseVolumesFrom('web2:rshared'))).toBe('invalid mode: rshared');
    expect(messageOf(() => parseVolumesFrom('web2:nocopy'))).toBe('invalid mode: nocopy');
  });
});
