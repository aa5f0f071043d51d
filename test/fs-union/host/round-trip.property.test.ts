import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayerToDirectory } from '../../../src/fs-union/host/apply.js';
import { diffDirectoryToLayerTar } from '../../../src/fs-union/host/diff.js';
import { makeTar, makeTempDir, removeTempDir, type TarEntrySpec, SKIP_WITHOUT_ATTR } from './helpers.js';
import { readAll } from '../archive/fixtures.js';

let work: string;
beforeEach(() => {
  work = makeTempDir('roundtrip');
});
afterEach(() => removeTempDir(work));

/** name -> "type mode content-or-link" of every entry of a tar. */
async function summary(tar: Buffer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const h = entry.header;
      // Linux symlinks always have mode 0777, whatever the tar said.
      const mode = h.type === 'symlink' ? 'any' : (h.mode & 0o7777).toString(8);
      out.set(h.name.replace(/\/$/, ''), `${h.type} ${mode} ${h.type === 'symlink' ? h.linkname : Buffer.concat(chunks).toString()}`);
    }
  })();
  ex.end(tar);
  await done;
  return out;
}

const segment = fc.constantFrom('a', 'b', 'c', 'dir', 'x.txt', 'ü', 'long-'.repeat(12));
const entrySpec = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 4 }),
  kind: fc.constantFrom('file', 'dir', 'symlink'),
  mode: fc.constantFrom(0o644, 0o600, 0o755, 0o4755),
  content: fc.string({ maxLength: 40 }),
});

type EntrySpec = typeof entrySpec extends fc.Arbitrary<infer T> ? T : never;

/** A layer without conflicts: every path once, parents are directories, parents come first. */
function layerOf(specs: EntrySpec[]): TarEntrySpec[] {
  const kinds = new Map<string, string>();
  const entries: TarEntrySpec[] = [];
  for (const spec of specs) {
    const parents = spec.path.slice(0, -1).map((_, i) => spec.path.slice(0, i + 1).join('/'));
    const name = spec.path.join('/');
    if (kinds.has(name) || parents.some((p) => (kinds.get(p) ?? 'dir') !== 'dir')) continue;
    for (const p of parents) {
      if (!kinds.has(p)) {
        kinds.set(p, 'dir');
        entries.push({ name: `${p}/`, type: 'directory', mode: 0o755 });
      }
    }
    kinds.set(name, spec.kind);
    if (spec.kind === 'dir') entries.push({ name: `${name}/`, type: 'directory', mode: spec.mode & 0o777 | 0o700 });
    else if (spec.kind === 'symlink') entries.push({ name, type: 'symlink', linkname: `../${spec.content.replace(/\0/g, '')}` });
    else entries.push({ name, content: spec.content, mode: spec.mode });
  }
  return entries;
}

describe('apply then diff', () => {
  it.skipIf(SKIP_WITHOUT_ATTR)('reproduces the layer, and diff -> apply -> diff is a fixpoint', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entrySpec, { minLength: 1, maxLength: 25 }), async (specs) => {
        const entries = layerOf(specs);
        const layer = await makeTar(entries);
        const first = join(work, `first-${run}`);
        const second = join(work, `second-${run++}`);
        await applyLayerToDirectory(Readable.from([layer]), first, { format: 'overlay' });
        const diffed = await readAll(diffDirectoryToLayerTar(first));
        expect(await summary(diffed)).toEqual(await summary(layer));
        await applyLayerToDirectory(Readable.from([diffed]), second, { format: 'overlay' });
        expect((await readAll(diffDirectoryToLayerTar(second))).equals(diffed)).toBe(true);
      }),
      { numRuns: 15 },
    );
  });
});
