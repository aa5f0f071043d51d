/**
 * Conformance cases: bind mounts, data volumes, volume containers and the volumes API.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TEST_PAGE } from '../busybox-rootfs.js';
import { create, rejectsWithCode, runToEnd } from '../case-helpers.js';
import type { SuiteContext } from '../suite-context.js';

/** Registers the volume cases. */
export function volumeCases(ctx: SuiteContext): void {
  it('tutorial: a bind-mounted /data1 written in the container is read on the host', async () => {
    const host = await ctx.tempDir();
    await writeFile(join(host, 'from-host.txt'), 'host says hi\n');
    const r = await runToEnd(ctx, {
      cmd: ['sh', '-c', 'echo hello > /data1/abc.txt && cat /data1/from-host.txt'],
      volumes: [`${host}:/data1`],
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('host says hi');
    expect(await readFile(join(host, 'abc.txt'), 'utf8')).toBe('hello\n');
    const mount = (await r.container.inspect()).mounts.find((m) => m.destination === '/data1');
    expect(mount).toMatchObject({ type: 'bind', source: host, readOnly: false });
  });

  it('a missing host directory of a bind mount is created', async () => {
    const host = join(await ctx.tempDir(), 'made', 'by', 'run');
    const r = await runToEnd(ctx, { cmd: ['sh', '-c', 'touch /x/f'], volumes: [`${host}:/x`] });
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(host, 'f'))).toBe(true);
  });

  it('a read-only bind mount refuses writes', async () => {
    const host = await ctx.tempDir();
    const r = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo x > /data1/f'], volumes: [`${host}:/data1:ro`] });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(host, 'f'))).toBe(false);
  });

  it('tutorial: anonymous volumes appear as volume mounts', async () => {
    const c = await create(ctx, { cmd: ['true'], volumes: ['/data1', '/data2'] });
    const mounts = (await c.inspect()).mounts.sort((a, b) => a.destination.localeCompare(b.destination));
    expect(mounts.map((m) => [m.type, m.destination, m.readOnly])).toEqual([
      ['volume', '/data1', false],
      ['volume', '/data2', false],
    ]);
    for (const m of mounts) expect(m.name).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tutorial: a volume container is shared with volumesFrom, read-only with :ro', async () => {
    const data = await create(ctx, { cmd: ['true'], volumes: ['/data1', '/data2'] });
    const writer = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo shared > /data2/f'], volumesFrom: [data.name] });
    expect(writer.exitCode).toBe(0);
    const reader = await runToEnd(ctx, { cmd: ['cat', '/data2/f'], volumesFrom: [data.name] });
    expect(reader.stdout).toBe('shared');
    const ro = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo no > /data1/g'], volumesFrom: [`${data.name}:ro`] });
    expect(ro.exitCode).not.toBe(0);
    expect(ro.stderr).toMatch(/Read-only file system/);
    const mounts = (await ro.container.inspect()).mounts;
    expect(mounts.every((m) => m.readOnly)).toBe(true);
  });

  it('a named volume persists across containers and is filled from the image on first use', async () => {
    const name = ctx.unique('vol');
    ctx.cleanup(() => ctx.engine.volumes.get(name).then((v) => v.remove({ force: true })));
    const first = await runToEnd(ctx, { cmd: ['sh', '-c', 'cat /www/index.html && echo kept > /www/extra'], volumes: [`${name}:/www`] });
    expect(first.stdout).toBe(TEST_PAGE.trimEnd());
    const second = await runToEnd(ctx, { cmd: ['cat', '/www/extra'], volumes: [`${name}:/www:ro`] });
    expect(second.stdout).toBe('kept');
    const info = await (await ctx.engine.volumes.get(name)).inspect();
    expect(info).toMatchObject({ name, driver: 'local', anonymous: false });
  });

  it('a bind mount over an image directory is never filled from the image', async () => {
    const host = await ctx.tempDir();
    const r = await runToEnd(ctx, { cmd: ['ls', '-A', '/www'], volumes: [`${host}:/www`] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('remove with volumes drops anonymous volumes and keeps named ones', async () => {
    const named = ctx.unique('keep');
    ctx.cleanup(() => ctx.engine.volumes.get(named).then((v) => v.remove({ force: true })));
    const c = await create(ctx, { cmd: ['true'], volumes: ['/anon', `${named}:/named`] });
    const anon = (await c.inspect()).mounts.find((m) => m.destination === '/anon')!.name!;
    await ctx.engine.volumes.get(anon);
    await c.remove({ volumes: true });
    await rejectsWithCode(ctx.engine.volumes.get(anon), 'NOT_FOUND');
    expect((await ctx.engine.volumes.get(named)).name).toBe(named);
  });

  it('volumes API: create, inspect, list, remove; in use is a conflict', async () => {
    const name = ctx.unique('api');
    const v = await ctx.engine.volumes.create({ name, labels: { purpose: 'test' } });
    ctx.cleanup(() => v.remove({ force: true }));
    const info = await v.inspect();
    expect(info).toMatchObject({ name, driver: 'local', labels: { purpose: 'test' }, anonymous: false });
    expect(info.created).toBeInstanceOf(Date);
    expect((await ctx.engine.volumes.list()).some((x) => x.name === name)).toBe(true);
    const c = await create(ctx, { cmd: ['true'], volumes: [`${name}:/v`] });
    await rejectsWithCode(v.remove(), 'CONFLICT');
    await c.remove();
    await v.remove();
    await rejectsWithCode(ctx.engine.volumes.get(name), 'NOT_FOUND');
    const anon = await ctx.engine.volumes.create();
    ctx.cleanup(() => anon.remove({ force: true }));
    expect(anon.name).toMatch(/^[0-9a-f]{64}$/);
  });
}
