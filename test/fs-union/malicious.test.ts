import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FsError, Layer, LayerFormatError, UnionFS, LayerBuilder, readAll } from '../../src/fs-union/index.js';
import { makeTar, snapshot, type RawEntry } from './helpers.js';

/** Reads a tar expecting a LayerFormatError; returns it. */
async function refused(entries: RawEntry[]): Promise<LayerFormatError> {
  const tar = await makeTar(entries);
  const err = await Layer.fromTar(tar).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LayerFormatError);
  return err as LayerFormatError;
}

describe('malicious layer archives', () => {
  it('refuses `..` that climbs out, naming the entry', async () => {
    const err = await refused([{ name: 'ok', data: '1' }, { name: '../../etc/passwd', data: 'x' }]);
    expect(err.reason).toBe('path-escape');
    expect(err.entry).toBe('../../etc/passwd');
    expect(err.details).toMatchObject({ entry: '../../etc/passwd' });
    expect((await refused([{ name: 'a/../../b', data: 'x' }])).reason).toBe('path-escape');
  });

  it('cleans absolute and ./ names into the root, as Docker does', async () => {
    const layer = await Layer.fromTar(
      await makeTar([
        { name: '/etc/', type: 'directory' },
        { name: '/etc/passwd', data: 'root' },
        { name: './usr/./bin/../lib/x', data: 'x' },
      ]),
    );
    expect([...layer.entries()].map((e) => e.path)).toEqual(['etc', 'etc/passwd', 'usr/lib/x']);
  });

  it('refuses writing through a symlink of the same layer that climbs out', async () => {
    const err = await refused([
      { name: 'evil', type: 'symlink', linkname: '../../../../tmp' },
      { name: 'evil/pwned', data: 'x' },
    ]);
    expect(err.reason).toBe('symlink-escape');
    expect(err.entry).toBe('evil/pwned');
    // Two hops, the second climbing out.
    const two = await refused([
      { name: 'a', type: 'directory' },
      { name: 'a/up', type: 'symlink', linkname: '../..' },
      { name: 'b', type: 'symlink', linkname: 'a/up' },
      { name: 'b/x', data: 'x' },
    ]);
    expect(two.reason).toBe('symlink-escape');
    expect(two.entry).toBe('b/x');
  });

  it('places entries written through a symlink that stays inside where the link points', async () => {
    const layer = await Layer.fromTar(
      await makeTar([
        { name: 'usr/lib', type: 'directory' },
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
        { name: 'lib/libc.so', data: 'c' },
        { name: 'abs', type: 'symlink', linkname: '/usr' },
        { name: 'abs/share', type: 'directory' },
      ]),
    );
    expect(layer.get('usr/lib/libc.so')?.type).toBe('file');
    expect(layer.get('usr/share')?.type).toBe('directory');
    expect(layer.get('lib/libc.so')).toBeUndefined();
  });

  it('refuses hardlinks that escape the root or name nothing in the layer', async () => {
    const out = await refused([{ name: 'l', type: 'link', linkname: '../../etc/shadow' }]);
    expect(out.reason).toBe('hardlink-escape');
    expect(out.entry).toBe('l');
    const missing = await refused([{ name: 'l', type: 'link', linkname: 'etc/shadow' }]);
    expect(missing.reason).toBe('bad-entry');
    const throughLink = await refused([
      { name: 'up', type: 'symlink', linkname: '../..' },
      { name: 'l', type: 'link', linkname: 'up/etc/shadow' },
    ]);
    expect(throughLink.reason).toBe('hardlink-escape');
    expect(throughLink.entry).toBe('l');
    const toDir = await refused([{ name: 'd', type: 'directory' }, { name: 'l', type: 'link', linkname: 'd' }]);
    expect(toDir.reason).toBe('bad-entry');
  });

  it('refuses bad whiteouts', async () => {
    for (const name of ['.wh.', 'd/.wh..', 'd/.wh...']) {
      const err = await refused([{ name: 'd', type: 'directory' }, { name }]);
      expect(err.reason).toBe('bad-whiteout');
      expect(err.entry).toBe(name);
    }
    // AUFS metadata names carry nothing and are skipped.
    const layer = await Layer.fromTar(await makeTar([{ name: '.wh..wh.plnk', type: 'directory' }, { name: 'f', data: '' }]));
    expect([...layer.entries()].map((e) => e.path)).toEqual(['f']);
  });

  it('refuses truncated archives', async () => {
    const tar = await makeTar([{ name: 'a', data: 'x'.repeat(5000) }, { name: 'b', data: 'y' }]);
    for (const cut of [700, 3000, 512 * 12 + 100]) {
      const err = await Layer.fromTar(tar.subarray(0, cut)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LayerFormatError);
      expect((err as LayerFormatError).reason).toBe('truncated');
    }
  });

  it('keeps only the last of duplicate entries', async () => {
    const layer = await Layer.fromTar(
      await makeTar([
        { name: 'x', data: 'one' },
        { name: './x', data: 'two' },
        { name: '/x', type: 'symlink', linkname: 'three' },
      ]),
    );
    expect(layer.entryCount).toBe(1);
    expect(layer.get('x')).toMatchObject({ type: 'symlink', target: 'three' });
    const names = (await readAll(layer.toTar())).toString('latin1').match(/x\0/g);
    expect(names).toHaveLength(1);
  });

  it('extract() into a view applies the same rules and never leaves the root', async () => {
    const base = await new LayerBuilder().addDirectory('/data').addFile('/etc/passwd', 'root').addSymlink('/data/up', '../../../..').build();
    const fs = new UnionFS([base]);
    const before = await snapshot(fs);
    await expect(fs.extract('/data', await makeTar([{ name: '../../etc/passwd', data: 'x' }]))).rejects.toBeInstanceOf(LayerFormatError);
    await expect(
      fs.extract('/data', await makeTar([{ name: 's', type: 'symlink', linkname: '../../..' }, { name: 's/etc/passwd', data: 'x' }])),
    ).rejects.toMatchObject({ reason: 'symlink-escape', entry: 's/etc/passwd' });
    expect(await snapshot(fs)).toEqual(before);
    // A symlink already in the view resolves chrooted: `up` climbs to `/`, not above it.
    await fs.extract('/data', await makeTar([{ name: 'up/etc/passwd', data: 'chrooted' }]));
    expect((await fs.readFile('/etc/passwd')).toString()).toBe('chrooted');
  });

  it('property: extract() of arbitrary hostile tars changes nothing outside the target directory', async () => {
    const seg = fc.constantFrom('a', 'b', '..', '.', '', 'etc', 'lnk');
    const name = fc.array(seg, { minLength: 1, maxLength: 4 }).chain((parts) => fc.constantFrom(parts.join('/'), `/${parts.join('/')}`));
    const entry = fc.oneof(
      fc.record({ name, data: fc.constantFrom('x', 'y') }),
      fc.record({ name, type: fc.constant('directory' as const) }),
      fc.record({ name, type: fc.constant('symlink' as const), linkname: fc.constantFrom('/etc', '..', '../..', 'a', '/', '../../etc') }),
      fc.record({ name, type: fc.constant('link' as const), linkname: fc.constantFrom('a', '../etc/passwd', '/etc/passwd', 'lnk/a') }),
    );
    const base = await new LayerBuilder().addDirectory('/data').addFile('/etc/passwd', 'root').addDirectory('/data/keep').build();
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const fs = new UnionFS([base]);
        const before = await snapshot(fs);
        try {
          await fs.extract('/data', await makeTar(entries));
        } catch (e) {
          if (e instanceof LayerFormatError) {
            expect(await snapshot(fs)).toEqual(before);
            return;
          }
          // A conflict met while applying (ENOTDIR) stops the extraction part-way: still inside.
          expect(e).toBeInstanceOf(FsError);
        }
        for (const change of fs.changes()) expect(change.path === '/data' || change.path.startsWith('/data/')).toBe(true);
        expect((await fs.readFile('/etc/passwd')).toString()).toBe('root');
      }),
      { numRuns: 300 },
    );
  });

  it('property: a hostile tar is refused with LayerFormatError or read into clean root-relative paths', async () => {
    const seg = fc.constantFrom('a', 'b', '..', '.', '', '.wh.a', '.wh..wh..opq', '.wh..');
    const name = fc.array(seg, { minLength: 1, maxLength: 4 }).chain((parts) => fc.constantFrom(parts.join('/'), `/${parts.join('/')}`));
    const entry = fc.oneof(
      fc.record({ name, data: fc.constantFrom('x', '') }),
      fc.record({ name, type: fc.constant('directory' as const) }),
      fc.record({ name, type: fc.constant('symlink' as const), linkname: fc.constantFrom('/', '..', '../..', 'a', 'a/../..') }),
      fc.record({ name, type: fc.constant('link' as const), linkname: fc.constantFrom('a', '../a', '/a', 'b/a') }),
    );
    const clean = (p: string): boolean => p === '' || p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        let layer: Layer;
        try {
          layer = await Layer.fromTar(await makeTar(entries));
        } catch (e) {
          expect(e).toBeInstanceOf(LayerFormatError);
          return;
        }
        for (const e of layer.entries()) {
          expect(clean(e.path)).toBe(true);
          if (e.type === 'hardlink') expect(layer.get(e.target)?.type).toBe('file');
        }
        for (const w of layer.whiteouts()) expect(clean(w) && w !== '').toBe(true);
        for (const o of layer.opaqueDirs()) expect(clean(o)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
