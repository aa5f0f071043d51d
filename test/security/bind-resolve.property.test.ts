/**
 * Property: whatever tree of links a container (or the host) builds, across the union view, a
 * bind mount, a bind mount nested in it, a volume and an engine file, every path resolves to
 * where a reference resolver written from the kernel's rules puts it; writes land there and
 * nowhere else, and nothing ever appears in a host directory next to the mounts.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsError } from '../../src/fs-union/errors.js';
import type { FileSystemApi } from '../../src/fs-union/fs-api.js';
import { UnionFS } from '../../src/fs-union/union-fs.js';
import { EngineFile } from '../../src/backends/emulator/mounts/engine-file.js';
import { HostDirectoryFs } from '../../src/backends/emulator/mounts/host-fs.js';
import { MountedFs } from '../../src/backends/emulator/mounts/mounted-fs.js';
import { MountTable, resolveInContainer } from '../../src/backends/emulator/mounts/resolve-in-container.js';
import { flatten, modelResolve, readTree, type Flat } from './bind-resolve-model.js';

const NAMES = ['a', 'b', 'c', 'inner'];
const QUERY_NAMES = ['a', 'b', 'c', 'data', 'inner', 'vol', 'f', 'x', 'y', '.', '..'];
type FsName = 'root' | 'data' | 'inner' | 'vol';

interface Op {
  fs: FsName;
  path: string[];
  kind: 'directory' | 'file' | 'symlink';
  target: string;
}

let base: string;
let runs = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'stowage-bind-prop-'));
  // Next to every run's host dirs; links aim at it; nothing may ever appear in it.
  await mkdir(join(base, 'sentinel'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function targetArb(sentinel: string): fc.Arbitrary<string> {
  const seg = fc.constantFrom(...QUERY_NAMES);
  return fc.oneof(
    fc.array(seg, { minLength: 0, maxLength: 4 }).map((p) => `/${p.join('/')}`),
    fc.array(seg, { minLength: 1, maxLength: 4 }).map((p) => p.join('/')),
    fc.constantFrom('/', '..', '../..', '../../..', sentinel, `${sentinel}/x`, 'a', 'b/a', '/data/inner/..'),
  );
}

function opArb(sentinel: string): fc.Arbitrary<Op> {
  return fc.record({
    fs: fc.constantFrom<FsName>('root', 'data', 'inner', 'vol'),
    path: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }),
    kind: fc.constantFrom<Op['kind']>('directory', 'file', 'symlink', 'symlink'),
    target: targetArb(sentinel),
  });
}

/** A query: often an existing entry (picked once the tree is built) with a random tail. */
interface Query {
  pick: number | undefined;
  tail: string[];
  relative: boolean;
  slash: boolean;
}

const queryArb: fc.Arbitrary<Query> = fc.record({
  pick: fc.option(fc.nat(), { freq: 4, nil: undefined }),
  tail: fc.array(fc.constantFrom(...QUERY_NAMES), { minLength: 0, maxLength: 4 }),
  relative: fc.boolean(),
  slash: fc.boolean(),
});

function queryPath(q: Query, flat: Flat): string {
  const keys = [...flat.keys()].filter((k) => k !== '').sort();
  const head = q.pick === undefined || keys.length === 0 ? [] : keys[q.pick % keys.length]!.split('/');
  const parts = [...head, ...q.tail];
  return `${q.relative ? '' : '/'}${parts.join('/')}${q.slash && parts.length > 0 ? '/' : ''}`;
}

/** Applies `op` to its filesystem, physically; an op that conflicts with what is there is skipped. */
async function apply(fs: FileSystemApi, op: Op): Promise<void> {
  try {
    for (let i = 1; i < op.path.length; i++) await fs.mkdir(`/${op.path.slice(0, i).join('/')}`).catch(() => undefined);
    const path = `/${op.path.join('/')}`;
    if (op.kind === 'directory') await fs.mkdir(path);
    else if (op.kind === 'file') await fs.writeFile(path, 'f');
    else await fs.symlink(op.target, path);
  } catch {
    // Taken already, or a link on the way: the tree stays as it is.
  }
}

function codeOf(e: unknown): string {
  if (e instanceof FsError) return e.code;
  throw e;
}

describe('bind mounts: resolution matches the kernel\'s rules', () => {
  it('resolves, writes and stays inside, for random trees of links', async () => {
    const sentinel = join(base, 'sentinel');
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb(sentinel), { minLength: 5, maxLength: 40, size: 'max' }),
        fc.array(queryArb, { minLength: 5, maxLength: 30, size: 'max' }),
        fc.boolean(),
        async (ops, rawQueries, volReadOnly) => {
          const dir = join(base, `run-${++runs}`);
          const hostDirs = { data: join(dir, 'data'), inner: join(dir, 'inner') };
          for (const d of Object.values(hostDirs)) await mkdir(d, { recursive: true });
          try {
            const root = new UnionFS([]);
            for (const p of ['/data', '/data/inner', '/vol', '/c']) await root.mkdir(p, { recursive: true });
            const filesystems: Record<FsName, FileSystemApi> = {
              root,
              data: await HostDirectoryFs.open(hostDirs.data),
              inner: await HostDirectoryFs.open(hostDirs.inner),
              vol: new UnionFS([]),
            };
            for (const op of ops) await apply(filesystems[op.fs], op);
            const mounts = [
              { target: '/data', fs: filesystems.data, readOnly: false },
              { target: '/data/inner', fs: filesystems.inner, readOnly: false },
              { target: '/vol', fs: filesystems.vol, readOnly: volReadOnly },
              { target: '/c/f', fs: new EngineFile('engine\n', new Date(0)), readOnly: false },
              // Hangs from /x/y, which no filesystem has: the mount table makes them.
              { target: '/x/y/f', fs: new EngineFile('deep\n', new Date(0)), readOnly: false },
            ];
            const mfs = new MountedFs(root, mounts);
            const table = new MountTable(root, mounts);
            const model = async (): Promise<Flat> => flatten(await readTree(root), [
              { target: 'data', tree: await readTree(filesystems.data) },
              { target: 'data/inner', tree: await readTree(filesystems.inner) },
              { target: 'vol', tree: await readTree(filesystems.vol) },
              { target: 'c/f', tree: new Map(), rootType: 'file' },
              { target: 'x/y/f', tree: new Map(), rootType: 'file' },
            ]);
            let flat = await model();
            const queries = rawQueries.map((q) => queryPath(q, flat));

            // 1. Resolution, following the last name and not.
            for (const q of queries) {
              for (const follow of [true, false]) {
                const want = modelResolve(flat, q, follow);
                const got = await resolveInContainer(table, q, follow, 'stat').then(
                  (r) => ({ path: r.path, type: r.type }),
                  (e: unknown) => ({ error: codeOf(e) }),
                );
                const expected = 'error' in want ? want : { path: want.path, type: want.node?.type === 'other' ? 'file' : want.node?.type };
                expect(got, `${follow ? 'stat' : 'lstat'} ${JSON.stringify(q)}`).toEqual(expected);
                // The same through the view's own calls (its fast path for bind mounts included).
                const viaView = await (follow ? mfs.stat(q) : mfs.lstat(q)).then((st) => st.type, codeOf);
                const wantView = 'error' in want ? want.error : want.node === undefined ? 'ENOENT' : want.node.type === 'other' ? 'file' : want.node.type;
                expect(viaView, `MountedFs.${follow ? 'stat' : 'lstat'} ${JSON.stringify(q)}`).toBe(wantView);
                if (follow && !('error' in want) && want.node !== undefined) expect(await mfs.realpath(q)).toBe(`/${want.path}`);
              }
            }

            // 2. Writes land where the model says, or fail as it says.
            for (const [i, q] of queries.entries()) {
              const want = modelResolve(flat, q, true);
              const got = await mfs.writeFile(q, `w${i}`).then(() => 'ok', codeOf);
              const parent = 'error' in want ? undefined : flat.get(want.path.split('/').slice(0, -1).join('/'));
              if ('error' in want) expect(got, `write ${q}`).toBe(want.error);
              else if (want.node === undefined && parent?.virtual) expect(got, `write ${q}`).toBe('ENOENT');
              else if (want.node?.type === 'directory') expect(got, `write ${q}`).toBe('EISDIR');
              else if (want.path === 'vol' || want.path.startsWith('vol/')) expect(got, `write ${q}`).toBe(volReadOnly ? 'EROFS' : 'ok');
              else if (got === 'ok') expect((await mfs.readFile(`/${want.path}`)).toString()).toBe(`w${i}`);
              else expect.fail(`write ${JSON.stringify(q)} -> /${want.path} failed with ${got}`);
              if (got === 'ok' && !('error' in want) && want.node === undefined) flat.set(want.path, { type: 'file' });
            }

            // 3. The trees hold exactly what the model says they should, and nothing is next to them.
            const after = await model();
            expect(after).toEqual(flat);
            expect(await readdir(sentinel)).toEqual([]);
            expect((await readdir(dir)).sort()).toEqual(['data', 'inner']);
            expect((await readdir(base)).sort()).toEqual([`run-${runs}`, 'sentinel']);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
