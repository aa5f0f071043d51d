import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonFile, removeStaleTempFiles, writeFileAtomic, writeJsonAtomic } from '../../../src/backends/native/state/atomic-file.js';
import { abstractLockName, acquireLock, tryAcquireLock, withLock } from '../../../src/backends/native/state/engine-lock.js';
import { processIsAlive, processStartTime } from '../../../src/backends/native/state/process-identity.js';

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-native-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic files', () => {
  it('writes, replaces and validates JSON', async () => {
    const path = join(dir, 'state.json');
    const schema = z.object({ n: z.number() });
    expect(await readJsonFile(path, schema)).toBeUndefined();
    await writeJsonAtomic(path, { n: 1 });
    await writeJsonAtomic(path, { n: 2 });
    expect(await readJsonFile(path, schema)).toEqual({ n: 2 });
    expect(await readdir(dir)).toEqual(['state.json']);
    await writeFile(path, '{"n": "x"}');
    await expect(readJsonFile(path, schema)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await writeFile(path, '{"n": 1');
    await expect(readJsonFile(path, schema)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('removes the temp files of dead writers and keeps a live one', async () => {
    const { stdout } = await run(process.execPath, ['-e', 'console.log(process.pid)']);
    const deadPid = Number(stdout.trim());
    await writeFile(join(dir, `.a.json.tmp-${deadPid}-0123abcd`), 'half');
    await writeFile(join(dir, `.b.json.tmp-${process.pid}-0123abcd`), 'in flight');
    // A temp file older than the process holding its PID: the PID was reused.
    const reused = join(dir, `.c.json.tmp-${process.pid}-89abcdef`);
    await writeFile(reused, 'old');
    const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    await utimes(reused, old, old);
    await writeFile(join(dir, 'unrelated.tmp'), 'x');
    const removed = await removeStaleTempFiles(dir);
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([`.a.json.tmp-${deadPid}-0123abcd`, '.c.json.tmp-' + process.pid + '-89abcdef']);
    expect((await readdir(dir)).sort()).toEqual([`.b.json.tmp-${process.pid}-0123abcd`, 'unrelated.tmp']);
  });

  it('tells processes apart by start time', async () => {
    const started = await processStartTime(process.pid);
    expect(started).toBeGreaterThan(Date.now() - 24 * 3600 * 1000 * 365);
    expect(started).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await processIsAlive(process.pid)).toBe(true);
    expect(await processIsAlive(process.pid, started! - 60_000)).toBe(false);
    expect(await processIsAlive(0)).toBe(false);
  });
});

describe('engine lock', () => {
  it('excludes callers in this process and wakes waiters', async () => {
    const name = await abstractLockName(dir, 'test');
    const order: string[] = [];
    const first = await acquireLock(name);
    expect(await tryAcquireLock(name)).toBeUndefined();
    const second = withLock(name, async () => { order.push('second'); });
    await delay(20);
    order.push('first-release');
    await first.release();
    await second;
    expect(order).toEqual(['first-release', 'second']);
    const again = await tryAcquireLock(name);
    expect(again).toBeDefined();
    await again!.release();
  });

  it('an aborted wait rejects with AbortError and does not block the next caller', async () => {
    const name = await abstractLockName(dir, 'abort');
    const held = await acquireLock(name);
    const ac = new AbortController();
    const waiting = acquireLock(name, ac.signal);
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    await held.release();
    await (await acquireLock(name)).release();
  });

  it('is released when its holder dies, however it dies', async () => {
    const name = await abstractLockName(dir, 'death');
    const child = (await import('node:child_process')).spawn(process.execPath, ['-e',
      `require('net').createServer().listen({ path: ${JSON.stringify(name)}, exclusive: true }, () => console.log('held'))`]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(await tryAcquireLock(name)).toBeUndefined();
    child.kill('SIGKILL');
    const lock = await acquireLock(name);
    await lock.release();
  });

  it('two processes and this one never lose an update (150 increments)', async () => {
    const name = await abstractLockName(dir, 'counter');
    const counter = join(dir, 'counter');
    await writeFileAtomic(counter, '0');
    const child = (n: number) => run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'lock-child.ts'), Buffer.from(name).toString('hex'), counter, String(n)]);
    const local = Promise.all(Array.from({ length: 50 }, () => withLock(name, async () => {
      const value = Number(await readFile(counter, 'utf8'));
      await delay(1);
      await writeFileAtomic(counter, String(value + 1));
    })));
    await Promise.all([child(50), child(50), local]);
    expect(Number(await readFile(counter, 'utf8'))).toBe(150);
  });
});
