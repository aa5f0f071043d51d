import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/core/backend.js';
import { ConflictError } from '../../../src/core/errors.js';
import type { Program } from '../../../src/backends/emulator/index.js';
import { allLogs, openBackend, req } from './helpers.js';

let backend: Backend | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-emu-mounts-'));
});
afterEach(async () => {
  await backend?.close();
  backend = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** `readfile PATH...`: prints files, or `ERR <code>` for each that fails. */
const readfile: Program = async (ctx) => {
  for (const p of ctx.argv.slice(1)) {
    try {
      ctx.stdout.write(await ctx.fs.readFile(p));
    } catch (e) {
      ctx.stdout.write(`ERR ${String((e as { code?: string }).code)}\n`);
    }
  }
  return 0;
};

/** `writefile PATH TEXT`: writes, printing `ERR <code>` on failure. */
const writefile: Program = async (ctx) => {
  try {
    await ctx.fs.writeFile(ctx.argv[1]!, `${ctx.argv[2] ?? ''}\n`);
    return 0;
  } catch (e) {
    ctx.stdout.write(`ERR ${String((e as { code?: string }).code)}\n`);
    return 1;
  }
};

async function run(b: Backend, request: Parameters<Backend['containers']['create']>[0]): Promise<{ id: string; out: string[]; code: number }> {
  const { id } = await b.containers.create(request);
  await b.containers.start(id);
  const { exitCode } = await b.containers.wait(id);
  return { id, out: (await allLogs(b, id)).map((l) => l.text), code: exitCode };
}

describe('emulator containers: bind mounts and volumes', () => {
  it('writes through a bind mount to the real host dir, creating it if missing', async () => {
    backend = await openBackend();
    const host = join(dir, 'www');
    const r = await run(backend, req({
      cmd: ['sh', '-c', 'echo hello > /data1/abc.txt'],
      mounts: [{ type: 'bind', source: host, target: '/data1', readOnly: false }],
    }));
    expect(r.code).toBe(0);
    expect(await readFile(join(host, 'abc.txt'), 'utf8')).toBe('hello\n');
    const info = await backend.containers.inspect(r.id);
    expect(info.mounts).toEqual([{ type: 'bind', source: host, destination: '/data1', readOnly: false }]);
    // Bind mount content never shows in the container's own changes.
    expect((await backend.containers.diff(r.id)).some((c) => c.path.startsWith('/data1/'))).toBe(false);
  });

  it('shares a volume container\'s volumes through volumesFrom, read-only with :ro', async () => {
    backend = await openBackend({ programs: { readfile, writefile } });
    const store = await run(backend, req({
      name: 'web2',
      cmd: ['sh', '-c', 'echo one > /data1/a; echo two > /data2/b'],
      mounts: [{ type: 'volume', target: '/data1', readOnly: false }, { type: 'volume', target: '/data2', readOnly: false }],
    }));
    expect(store.code).toBe(0);
    const reader = await run(backend, req({ cmd: ['readfile', '/data1/a', '/data2/b'], volumesFrom: [{ container: 'web2', mode: 'rw', readOnly: false }] }));
    expect(reader.out).toEqual(['one', 'two']);
    const ro = await run(backend, req({ cmd: ['writefile', '/data1/c', 'x'], volumesFrom: [{ container: 'web2', mode: 'ro', readOnly: true }] }));
    expect(ro).toMatchObject({ code: 1, out: ['ERR EROFS'] });
    const vols = await backend.volumes.list();
    expect(vols.filter((v) => v.anonymous)).toHaveLength(2);
    for (const v of vols) expect(v.name).toMatch(/^[0-9a-f]{64}$/);
    // In use by the stopped containers: Docker refuses to remove it.
    await expect(backend.volumes.remove(vols[0]!.name)).rejects.toThrow(ConflictError);
    await backend.containers.remove(reader.id);
    await backend.containers.remove(ro.id);
    await backend.containers.remove(store.id, { volumes: true });
    expect(await backend.volumes.list()).toEqual([]);
  });

  it('refuses writes on a read-only bind mount with EROFS', async () => {
    backend = await openBackend({ programs: { writefile } });
    const r = await run(backend, req({
      cmd: ['writefile', '/ro/x', 'data'],
      mounts: [{ type: 'bind', source: dir, target: '/ro', readOnly: true }],
    }));
    expect(r).toMatchObject({ code: 1, out: ['ERR EROFS'] });
    await expect(stat(join(dir, 'x'))).rejects.toThrow();
  });

  it('fills a new named volume with the image directory it covers; bind mounts are never filled', async () => {
    backend = await openBackend({ programs: { readfile } });
    const image = (await backend.images.inspect('busybox'));
    expect(image.id).toMatch(/^sha256:/);
    const r = await run(backend, req({ cmd: ['readfile', '/vol/hostname', '/b/hostname'], mounts: [
      { type: 'volume', source: 'etcvol', target: '/vol', readOnly: false },
      { type: 'bind', source: dir, target: '/b', readOnly: false },
    ] }));
    expect(r.out[1]).toBe('ERR ENOENT');
    // A named volume over /etc would take the image's /etc; /vol is empty in the image.
    const s = await run(backend, req({ cmd: ['sh', '-c', 'echo kept > /etc/kept'], mounts: [{ type: 'volume', source: 'etc2', target: '/etc', readOnly: false }] }));
    expect(s.code).toBe(0);
    const t = await run(backend, req({ cmd: ['readfile', '/x/kept', '/x/passwd'], mounts: [{ type: 'volume', source: 'etc2', target: '/x', readOnly: false }] }));
    expect(t.out[0]).toBe('kept');
    expect(t.out[1]).not.toBe('ERR ENOENT');
    const names = (await backend.volumes.list()).map((v) => v.name).sort();
    expect(names).toEqual(['etc2', 'etcvol']);
  });

  it('shows /etc/hosts, /etc/hostname and /.dockerenv inside, never in diff', async () => {
    backend = await openBackend({ programs: { readfile } });
    const r = await run(backend, req({ hostname: 'box1', cmd: ['readfile', '/etc/hostname', '/.dockerenv', '/etc/hosts'] }));
    expect(r.out[0]).toBe('box1');
    expect(r.out.some((l) => /^172\.17\.\d+\.\d+\s+box1/.test(l))).toBe(true);
    expect(await backend.containers.diff(r.id)).toEqual([]);
  });
});
