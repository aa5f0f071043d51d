import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  EMPTY_LAYER_DIFF_ID,
  ContentStore,
  Layer,
  LayerBuilder,
  readAll,
  sha256Digest,
  chainId,
  UnionFS,
} from '../../src/fs-union/index.js';
import { Readable } from 'node:stream';
import { AbortError } from '../../src/core/errors.js';
import { LayerFormatError } from '../../src/fs-union/index.js';
import { makeTar, snapshot } from './helpers.js';

describe('Layer', () => {
  it('the empty layer is the 1024-zero tar with the well-known diffID', async () => {
    const bytes = await readAll(Layer.empty.toTar());
    expect(bytes).toEqual(Buffer.alloc(1024));
    expect(Layer.empty.diffId).toBe(EMPTY_LAYER_DIFF_ID);
    expect(sha256Digest(bytes)).toBe(EMPTY_LAYER_DIFF_ID);
    expect((await Layer.fromTar(bytes)).diffId).toBe(EMPTY_LAYER_DIFF_ID);
    expect((await new LayerBuilder().build()).diffId).toBe(EMPTY_LAYER_DIFF_ID);
  });

  it('a built layer has diffId = sha256(toTar()) and toTar is deterministic', async () => {
    const build = () =>
      new LayerBuilder()
        .addFile('/b/z', 'zz')
        .addDirectory('/b', { mode: 0o700 })
        .addFile('/a', 'aa', { uid: 7, gid: 8, mtime: new Date(1_700_000_000_000) })
        .addWhiteout('/b/gone')
        .addOpaque('/b')
        .build();
    const [l1, l2] = await Promise.all([build(), build()]);
    const t1 = await readAll(l1.toTar());
    const t2 = await readAll(l1.toTar());
    const t3 = await readAll(l2.toTar());
    expect(t1.equals(t2)).toBe(true);
    expect(t1.equals(t3)).toBe(true);
    expect(l1.diffId).toBe(sha256Digest(t1));
    expect(l1.canonical).toBe(true);
  });

  it('writes parents first, the opaque marker and whiteouts before their siblings', async () => {
    const layer = await new LayerBuilder()
      .addFile('/d/a', '1')
      .addFile('/d/z', '2')
      .addDirectory('/d')
      .addWhiteout('/d/m')
      .addOpaque('/d')
      .build();
    const names: string[] = [];
    const { extract } = await import('tar-stream');
    const ex = extract();
    ex.end(await readAll(layer.toTar()));
    for await (const entry of ex) {
      names.push(entry.header.name);
      entry.resume();
    }
    expect(names).toEqual(['d/', 'd/.wh..wh..opq', 'd/.wh.m', 'd/a', 'd/z']);
  });

  it('round-trips long names, xattrs, devices, fifos, hardlinks and modes through fromTar', async () => {
    const long = `/deep/${'x'.repeat(120)}/${'y'.repeat(120)}`;
    const layer = await new LayerBuilder()
      .addDirectory('/deep')
      .addFile(long, 'long', { xattrs: { 'user.k': Buffer.from('v1') } })
      .addDevice('/dev/null', 'char', { major: 1, minor: 3 })
      .addDevice('/dev/sda', 'block', { major: 8, minor: 0 })
      .addDevice('/run/pipe', 'fifo')
      .addFile('/zfile', 'shared', { mode: 0o4755 })
      .addHardlink('/alink', '/zfile')
      .addFile('/nomode', 'm', { mode: 0 })
      .build();
    const bytes = await readAll(layer.toTar());
    const read = await Layer.fromTar(bytes);
    expect(read.diffId).toBe(layer.diffId);
    expect((await readAll(read.toTar())).equals(bytes)).toBe(true);
    expect(read.get(long.slice(1))?.xattrs['user.k']?.toString()).toBe('v1');
    expect(read.get('dev/null')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3 });
    expect(read.get('dev/sda')).toMatchObject({ type: 'block', devMajor: 8, devMinor: 0 });
    expect(read.get('run/pipe')?.type).toBe('fifo');
    expect(read.get('nomode')?.mode).toBe(0);
    // The first name in canonical order holds the content; the other links to it.
    expect(read.get('alink')).toMatchObject({ type: 'file', mode: 0o4755 });
    expect(read.get('zfile')).toMatchObject({ type: 'hardlink', target: 'alink' });
    const fs = new UnionFS([read]);
    expect((await fs.readFile('/zfile')).toString()).toBe('shared');
    expect((await fs.stat('/zfile')).nlink).toBe(2);
  });

  it('keeps the digest of the bytes read for a foreign tar, and reports its canonical digest', async () => {
    const foreign = await makeTar([
      { name: './z', data: 'z' },
      { name: './a', data: 'a' },
    ]);
    const layer = await Layer.fromTar(foreign);
    expect(layer.diffId).toBe(sha256Digest(foreign));
    expect(layer.canonical).toBe(false);
    const canonical = await readAll(layer.toTar());
    expect(await layer.canonicalDiffId()).toBe(sha256Digest(canonical));
    expect((await Layer.fromTar(canonical)).diffId).toBe(await layer.canonicalDiffId());
  });

  it('reads from streams and async iterables in small chunks with the same digest', async () => {
    const layer = await new LayerBuilder().addFile('/f', Buffer.alloc(70_000, 7)).addFile('/g', 'g').build();
    const bytes = await readAll(layer.toTar());
    async function* dribble() {
      for (let i = 0; i < bytes.length; i += 333) yield bytes.subarray(i, i + 333);
    }
    const read = await Layer.fromTar(dribble());
    expect(read.diffId).toBe(layer.diffId);
    expect(read.size).toBe(70_001);
  });

  it('stores identical content once', async () => {
    const store = new ContentStore();
    const a = await new LayerBuilder({ store }).addFile('/a', 'same bytes').build();
    const b = await Layer.fromTar(await readAll(a.toTar()), { store });
    const ea = a.get('a');
    const eb = b.get('a');
    expect(ea?.type === 'file' && eb?.type === 'file' && ea.content === eb.content).toBe(true);
    expect(store.get(sha256Digest('same bytes'))).toBeDefined();
  });

  it('a later duplicate replaces an earlier entry, and written tars have no duplicates', async () => {
    const tar = await makeTar([
      { name: 'd/x', data: 'old' },
      { name: 'd', type: 'symlink', linkname: 'elsewhere' },
      { name: 'f', data: 'first' },
      { name: 'f', data: 'second' },
    ]);
    const layer = await Layer.fromTar(tar);
    expect(layer.get('d')?.type).toBe('symlink');
    expect(layer.get('d/x')).toBeUndefined();
    const f = layer.get('f');
    expect(f?.type === 'file' && f.content.data.toString()).toBe('second');
    expect(layer.entryCount).toBe(2);
  });

  it('a whiteout never hides an entry of its own layer, wherever it stands', async () => {
    const lower = await new LayerBuilder().addFile('/keep', 'lower').addFile('/x', 'lower x').build();
    for (const order of [
      [{ name: '.wh.x' }, { name: 'x', data: 'upper x' }],
      [{ name: 'x', data: 'upper x' }, { name: '.wh.x' }],
    ]) {
      const upper = await Layer.fromTar(await makeTar(order));
      const fs = new UnionFS([lower, upper]);
      expect((await fs.readFile('/x')).toString()).toBe('upper x');
      expect(await fs.readdir('/')).toEqual(['keep', 'x']);
    }
  });

  it('a whiteout over a directory hides its lower subtree, an opaque marker its children', async () => {
    const lower = await new LayerBuilder().addFile('/d/a', 'a').addFile('/e/b', 'b').build();
    const upper = await Layer.fromTar(await makeTar([{ name: '.wh.d' }, { name: 'e/.wh..wh..opq' }, { name: 'e/c', data: 'c' }]));
    const fs = new UnionFS([lower, upper]);
    expect(await fs.readdir('/')).toEqual(['e']);
    expect(await fs.readdir('/e')).toEqual(['c']);
  });

  it('chainId folds diffIDs', () => {
    const a = sha256Digest('a');
    const b = sha256Digest('b');
    expect(chainId([a])).toBe(a);
    expect(chainId([a, b])).toBe(sha256Digest(`${a} ${b}`));
  });

  it('reads a node Readable, and stops with AbortError when the signal fires', async () => {
    const layer = await new LayerBuilder().addFile('/f', Buffer.alloc(200_000, 1)).build();
    const bytes = await readAll(layer.toTar());
    expect((await Layer.fromTar(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]))).diffId).toBe(layer.diffId);
    const ctrl = new AbortController();
    ctrl.abort(new Error('stop'));
    await expect(Layer.fromTar(bytes, { signal: ctrl.signal })).rejects.toBeInstanceOf(AbortError);
    const late = new AbortController();
    async function* slow() {
      yield bytes.subarray(0, 512);
      late.abort('later');
      yield bytes.subarray(512);
    }
    await expect(Layer.fromTar(slow(), { signal: late.signal })).rejects.toMatchObject({ code: 'ABORTED', cause: 'later' });
  });

  it('the builder refuses whiteout names as entries and entries below its own files', () => {
    expect(() => new LayerBuilder().addFile('/d/.wh.x', '')).toThrow(LayerFormatError);
    expect(() => new LayerBuilder().addFile('/f', '').addFile('/f/x', '')).toThrow(LayerFormatError);
    expect(() => new LayerBuilder().addFile('/', '')).toThrow(LayerFormatError);
  });

  it('keeps a root directory entry and applies its metadata to the view', async () => {
    const layer = await Layer.fromTar(await makeTar([{ name: './', type: 'directory', mode: 0o700 }, { name: './a', data: 'a' }]));
    expect(layer.get('')?.type).toBe('directory');
    expect((await new UnionFS([layer]).stat('/')).mode).toBe(0o700);
    const names = (await readAll(layer.toTar())).toString('latin1');
    expect(names.startsWith('./')).toBe(true);
  });

  it('property: fromTar(toTar(layer)) keeps the diffID and the bytes', async () => {
    const name = fc.stringMatching(/^[a-c]{1,3}$/);
    const op = fc.oneof(
      fc.record({ k: fc.constant('file' as const), p: fc.array(name, { minLength: 1, maxLength: 3 }), d: fc.string({ maxLength: 8 }), m: fc.integer({ min: 0, max: 0o7777 }) }),
      fc.record({ k: fc.constant('dir' as const), p: fc.array(name, { minLength: 1, maxLength: 3 }), m: fc.integer({ min: 0, max: 0o7777 }) }),
      fc.record({ k: fc.constant('link' as const), p: fc.array(name, { minLength: 1, maxLength: 3 }), t: fc.string({ maxLength: 8 }) }),
      fc.record({ k: fc.constant('wh' as const), p: fc.array(name, { minLength: 1, maxLength: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 15 }), async (ops) => {
        const b = new LayerBuilder();
        for (const o of ops) {
          const path = `/${o.p.join('/')}`;
          try {
            if (o.k === 'file') b.addFile(path, o.d, { mode: o.m });
            else if (o.k === 'dir') b.addDirectory(path, { mode: o.m });
            else if (o.k === 'link') b.addSymlink(path, o.t);
            else b.addWhiteout(path);
          } catch {
            // Placing below a file or through a symlink of the layer is refused; skip it.
          }
        }
        const layer = await b.build();
        const bytes = await readAll(layer.toTar());
        expect(layer.diffId).toBe(sha256Digest(bytes));
        const read = await Layer.fromTar(bytes);
        expect(read.diffId).toBe(layer.diffId);
        expect((await readAll(read.toTar())).equals(bytes)).toBe(true);
        expect(await snapshot(new UnionFS([read]))).toEqual(await snapshot(new UnionFS([layer])));
      }),
      { numRuns: 60 },
    );
  });
});
