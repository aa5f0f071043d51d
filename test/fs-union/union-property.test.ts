import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FsError, Layer, LayerBuilder, UnionFS, readAll } from '../../src/fs-union/index.js';
import { snapshot } from './helpers.js';
import { RefError, RefFs } from './reference-fs.js';

const name = fc.constantFrom('a', 'b', 'c');
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`);
const target = fc.constantFrom('a', '../b', '/c', 'a/b', '/a/c', '..', 'b/../c', 'missing');
const mode = fc.constantFrom(0o755, 0o700, 0o644, 0o600, 0o4711);

/** Random lower layers, built with the builder (ops it refuses are skipped). */
const layerOp = fc.oneof(
  fc.record({ k: fc.constant('file' as const), p: path, d: fc.string({ maxLength: 4 }), m: mode }),
  fc.record({ k: fc.constant('dir' as const), p: path, m: mode }),
  fc.record({ k: fc.constant('link' as const), p: path, t: target }),
  fc.record({ k: fc.constant('wh' as const), p: path }),
  fc.record({ k: fc.constant('opq' as const), p: path }),
);
const lowerSpecs = fc.array(fc.array(layerOp, { maxLength: 8 }), { minLength: 1, maxLength: 3 });

const fsOp = fc.oneof(
  fc.record({ k: fc.constant('write' as const), p: path, d: fc.string({ maxLength: 4 }) }),
  fc.record({ k: fc.constant('mkdir' as const), p: path, r: fc.boolean() }),
  fc.record({ k: fc.constant('unlink' as const), p: path }),
  fc.record({ k: fc.constant('rmdir' as const), p: path }),
  fc.record({ k: fc.constant('rm' as const), p: path }),
  fc.record({ k: fc.constant('rename' as const), p: path, q: path }),
  fc.record({ k: fc.constant('symlink' as const), p: path, t: target }),
  fc.record({ k: fc.constant('chmod' as const), p: path, m: mode }),
  fc.record({ k: fc.constant('link' as const), p: path, q: path }),
);
type FsOp = typeof fsOp extends fc.Arbitrary<infer T> ? T : never;

async function buildLowers(specs: { k: string; p: string; d?: string; m?: number; t?: string }[][]): Promise<Layer[]> {
  const layers: Layer[] = [];
  for (const spec of specs) {
    const b = new LayerBuilder();
    for (const o of spec) {
      try {
        if (o.k === 'file') b.addFile(o.p, o.d!, { mode: o.m! });
        else if (o.k === 'dir') b.addDirectory(o.p, { mode: o.m! });
        else if (o.k === 'link') b.addSymlink(o.p, o.t!);
        else if (o.k === 'wh') b.addWhiteout(o.p);
        else b.addOpaque(o.p);
      } catch {
        // Refused placements (below a file, through an escaping link) are not part of the layer.
      }
    }
    layers.push(await b.build());
  }
  return layers;
}

/** Runs one op on both filesystems; both must succeed or fail with the same code. */
async function step(fs: UnionFS, ref: RefFs, op: FsOp): Promise<void> {
  let expected: string | undefined;
  try {
    if (op.k === 'write') ref.writeFile(op.p, Buffer.from(op.d));
    else if (op.k === 'mkdir') ref.mkdir(op.p, op.r);
    else if (op.k === 'unlink') ref.unlink(op.p);
    else if (op.k === 'rmdir') ref.rmdir(op.p);
    else if (op.k === 'rm') ref.rmRecursive(op.p);
    else if (op.k === 'rename') ref.rename(op.p, op.q);
    else if (op.k === 'symlink') ref.symlink(op.t, op.p);
    else if (op.k === 'link') ref.link(op.p, op.q);
    else ref.chmod(op.p, op.m);
  } catch (e) {
    if (!(e instanceof RefError)) throw e;
    expected = e.code;
  }
  let actual: string | undefined;
  try {
    if (op.k === 'write') await fs.writeFile(op.p, op.d);
    else if (op.k === 'mkdir') await fs.mkdir(op.p, { recursive: op.r });
    else if (op.k === 'unlink') await fs.unlink(op.p);
    else if (op.k === 'rmdir') await fs.rmdir(op.p);
    else if (op.k === 'rm') await fs.rm(op.p, { recursive: true });
    else if (op.k === 'rename') await fs.rename(op.p, op.q);
    else if (op.k === 'symlink') await fs.symlink(op.t, op.p);
    else if (op.k === 'link') await fs.link(op.p, op.q);
    else await fs.chmod(op.p, op.m);
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
    actual = e.code;
  }
  expect(actual, `${JSON.stringify(op)}`).toBe(expected);
}

const sorted = (m: Map<string, string>): [string, string][] => [...m].sort(([a], [b]) => (a < b ? -1 : 1));

describe('UnionFS against a flat reference filesystem (property)', () => {
  it('random operations (hard links included) over random lowers give the same tree; commit + re-apply gives it again', async () => {
    await fc.assert(
      fc.asyncProperty(lowerSpecs, fc.array(fsOp, { maxLength: 25 }), async (specs, ops) => {
        const lowers = await buildLowers(specs);
        const fs = new UnionFS(lowers);
        const ref = RefFs.fromLayers(lowers);
        expect(sorted(await snapshot(fs))).toEqual(sorted(ref.snapshot()));
        for (const op of ops) await step(fs, ref, op);
        const view = sorted(await snapshot(fs));
        expect(view).toEqual(sorted(ref.snapshot()));

        const committed = await fs.commit();
        expect(sorted(await snapshot(new UnionFS([...lowers, committed])))).toEqual(view);
        // The commit's tar reads back to the same layer and the same diffID.
        const bytes = await readAll(committed.toTar());
        const reread = await Layer.fromTar(bytes);
        expect(reread.diffId).toBe(committed.diffId);
        expect(sorted(await snapshot(new UnionFS([...lowers, reread])))).toEqual(view);
        // The flattened export is the same tree on its own.
        const exported = await Layer.fromTar(await readAll(fs.exportTar()));
        expect(sorted(await snapshot(new UnionFS([exported])))).toEqual(view);
      }),
      { numRuns: 300 },
    );
  });
});
