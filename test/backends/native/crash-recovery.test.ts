// SIGKILL an SDK process or the supervisor at named points of create, import, layer
// extraction, commit, start and remove; the next open must leave no mount without its
// container, no half-made layer, container or temp file, every state file must parse, and the
// engine must work.
import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Engine } from '../../../src/index.js';
import { ContainerRecordSchema, ContainerStateSchema } from '../../../src/backends/native/containers/record.js';
import { mountsUnder } from '../../../src/backends/native/containers/overlay-mount.js';
import { ImageRecordSchema } from '../../../src/backends/native/images/image-catalog.js';
import { LayerRecordSchema } from '../../../src/backends/native/images/layer-store.js';
import { NativePaths } from '../../../src/backends/native/paths.js';
import { Runc } from '../../../src/backends/native/runtime/runc.js';
import { isAtomicTempName } from '../../../src/backends/native/state/atomic-file.js';
import type { CrashPoint } from '../../../src/backends/native/state/crash-point.js';
import { SupervisorClient } from '../../../src/backends/native/supervisor/client.js';
import { seedTestImage } from '../../../src/testing/index.js';
import { TEST_IMAGE } from '../../../src/testing/busybox-rootfs.js';
import { nativeUnavailable, tempRoots, type TempRoots } from './helpers.js';

const run = promisify(execFile);
const child = join(import.meta.dirname, 'fixtures', 'engine-child.ts');
let skipWhy: string | undefined;
let roots: TempRoots;
let paths: NativePaths;

const open = () => Engine.open({ backend: 'native', root: roots.root, runRoot: roots.runRoot, network: roots.network, supervisorIdleMs: 3_000 });

beforeAll(async () => {
  skipWhy = await nativeUnavailable();
  if (skipWhy) return;
  roots = await tempRoots();
  paths = new NativePaths(roots.root, roots.runRoot);
  const engine = await open();
  await seedTestImage(engine);
  await engine.close();
});

afterAll(async () => {
  await roots?.cleanup();
});

/** Runs the child until the crash point kills it (or the supervisor it started). */
async function crashAt(point: CrashPoint, operation: string): Promise<void> {
  // A crash point in the supervisor needs a supervisor started by the child, with its env.
  await new SupervisorClient(paths, { idleMs: 0 }).shutdown();
  const outcome = await run(process.execPath, ['--import', 'tsx', child, JSON.stringify({ op: 'crash', root: roots.root, runRoot: roots.runRoot, network: roots.network, image: TEST_IMAGE, operation })], {
    env: { ...process.env, STOWAGE_NATIVE_CRASH_AT: point },
    timeout: 60_000,
  }).then(() => 'completed', (error: { signal?: string; code?: number }) => error.signal ?? `exit ${error.code}`);
  // The SDK process dies itself, or fails once its supervisor died.
  expect(outcome).not.toBe('completed');
}

async function parses(path: string, schema: z.ZodType): Promise<void> {
  const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  expect(parsed.success, path).toBe(true);
}

/** Everything the recovery promises, checked on disk. */
async function checkRoot(): Promise<void> {
  const containers = await readdir(paths.containers);
  const live = new Set<string>();
  for (const id of containers) {
    const files = await readdir(paths.container(id));
    expect(files, `container ${id}`).toContain('container.json');
    await parses(join(paths.container(id), 'container.json'), ContainerRecordSchema);
    await parses(join(paths.container(id), 'state.json'), ContainerStateSchema);
    live.add(paths.container(id));
    expect(files.filter(isAtomicTempName)).toEqual([]);
  }
  for (const mount of await mountsUnder(paths.root)) {
    expect(live.has(join(mount, '..')), `mount ${mount} belongs to a container`).toBe(true);
    expect(mount.endsWith('/merged')).toBe(true);
  }
  for (const name of await readdir(paths.names)) {
    expect(containers, `name ${name}`).toContain(await readlink(join(paths.names, name)));
  }
  for (const layer of await readdir(paths.layers)) await parses(join(paths.layer(layer), 'layer.json'), LayerRecordSchema);
  for (const file of await readdir(paths.images)) {
    expect(isAtomicTempName(file), file).toBe(false);
    await parses(join(paths.images, file), ImageRecordSchema);
  }
  JSON.parse(await readFile(paths.repositories, 'utf8'));
  expect((await readdir(paths.tmp)).filter((d) => !d.startsWith(`p${process.pid}-`))).toEqual([]);
  expect((await readdir(paths.blobs)).filter(isAtomicTempName)).toEqual([]);
  // No runc container is left without a supervisor watching it.
  const supervisorUp = await new SupervisorClient(paths, { idleMs: 0 }).request({ op: 'ping' }).then(() => true, () => false);
  if (!supervisorUp) expect(await new Runc(paths.runc).list()).toEqual([]);
}

const cases: [CrashPoint, string][] = [
  ['create:after-name', 'create'],
  ['create:after-init-layer', 'create'],
  ['import:after-blob', 'import'],
  ['layer:after-extract', 'import'],
  ['commit:after-blob', 'commit'],
  ['start:after-runc', 'start'],
  ['remove:after-unmount', 'remove'],
];

describe('native recovery after a SIGKILL', () => {
  for (const [point, operation] of cases) {
    it(`${point} (${operation}): the next open repairs the root`, async ({ skip }) => {
      if (skipWhy) skip(skipWhy);
      await crashAt(point, operation);
      const engine = await open();
      try {
        await checkRoot();
        const c = await engine.containers.run({ image: TEST_IMAGE, cmd: ['sh', '-c', 'echo fine'], pull: 'never' });
        expect(await c.wait()).toEqual({ exitCode: 0 });
        await c.remove();
        // Containers that survived the crash whole are usable: remove them all; no mount stays.
        for (const row of await engine.containers.list({ all: true })) await (await engine.containers.get(row.id)).remove({ force: true });
        // Only the network half's namespace directory (a mount point of its own) stays.
        expect((await mountsUnder(roots.dir)).filter((m) => m !== join(roots.runRoot, 'netns'))).toEqual([]);
      } finally {
        await engine.close();
      }
    });
  }
});
