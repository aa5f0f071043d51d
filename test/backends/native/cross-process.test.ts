// Several SDK processes on one state root: names are taken by exactly one of them, and a
// container started by a process that has since exited is seen, followed, exec'd into,
// stopped and removed by another.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/index.js';
import { seedTestImage } from '../../../src/testing/index.js';
import { TEST_IMAGE } from '../../../src/testing/busybox-rootfs.js';
import { nativeUnavailable, tempRoots, type TempRoots } from './helpers.js';

const run = promisify(execFile);
const child = join(import.meta.dirname, 'fixtures', 'engine-child.ts');
let skipWhy: string | undefined;
let roots: TempRoots;
let a: Engine;
let b: Engine;

beforeAll(async () => {
  skipWhy = await nativeUnavailable();
  if (skipWhy) return;
  roots = await tempRoots();
  const open = () => Engine.open({ backend: 'native', root: roots.root, runRoot: roots.runRoot, network: roots.network, supervisorIdleMs: 5_000 });
  a = await open();
  b = await open();
  await seedTestImage(a);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await roots?.cleanup();
});

async function inChild(command: Record<string, unknown>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, JSON.stringify({ root: roots.root, runRoot: roots.runRoot, network: roots.network, image: TEST_IMAGE, ...command })], { timeout: 60_000 });
  return stdout.trim();
}

describe('native engine across processes', () => {
  it('50 concurrent creates of one name from two engines and two processes: exactly one wins', async ({ skip }) => {
    if (skipWhy) skip(skipWhy);
    const name = `race-${Date.now()}`;
    const local = (engine: Engine) => Array.from({ length: 13 }, () => engine.containers.create({ image: TEST_IMAGE, name, cmd: ['true'] }).then(() => 'OK', (e: { code?: string }) => e.code ?? String(e)));
    const [fromA, fromB, fromC, fromD] = await Promise.all([
      Promise.all(local(a)),
      Promise.all(local(b)),
      inChild({ op: 'race', name, attempts: 12 }).then((out) => JSON.parse(out) as string[]),
      inChild({ op: 'race', name, attempts: 12 }).then((out) => JSON.parse(out) as string[]),
    ]);
    const all = [...fromA, ...fromB, ...fromC, ...fromD];
    expect(all).toHaveLength(50);
    expect(all.filter((r) => r === 'OK')).toHaveLength(1);
    expect(all.filter((r) => r !== 'OK').every((r) => r === 'CONFLICT')).toBe(true);
    const rows = (await a.containers.list({ all: true, filters: { name: [`^/${name}$`] } }));
    expect(rows).toHaveLength(1);
    await (await a.containers.get(name)).remove();
  });

  it('a container started by a process that exited runs on; another process follows, execs, stops and removes it', async ({ skip }) => {
    if (skipWhy) skip(skipWhy);
    const id = await inChild({ op: 'start', cmd: ['sh', '-c', 'trap "echo bye; exit 7" TERM; echo up; while true; do sleep 0.1; done'] });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const c = await b.containers.get(id);
    expect((await c.inspect()).state.running).toBe(true);
    expect((await c.exec(['sh', '-c', 'echo $HOSTNAME'])).stdout).toBe(`${id.slice(0, 12)}\n`);
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of c.logs({ follow: true })) seen.push(line.text);
    })();
    const waiting = (await a.containers.get(id)).wait();
    await c.stop({ timeout: 30 });
    expect(await waiting).toEqual({ exitCode: 7 });
    await following;
    expect(seen).toEqual(['up', 'bye']);
    await c.remove();
    await expect(a.containers.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
