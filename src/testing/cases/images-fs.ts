/**
 * Conformance cases: import, commit, diff, archives, export, save/load, tags and removal.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { extract, pack } from 'tar-stream';
import { busyboxRootfsTar } from '../busybox-rootfs.js';
import { create, rejectsWithCode, run, runToEnd, sleeper } from '../case-helpers.js';
import type { SuiteContext } from '../suite-context.js';

/** Reads a tar stream into a map of entry name (without `./`) -> content (and type). */
async function readTar(stream: Readable): Promise<Map<string, { type: string; data: Buffer }>> {
  const out = new Map<string, { type: string; data: Buffer }>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => { chunks.push(c as Buffer); });
      body.on('end', () => {
        out.set(header.name.replace(/^\.\//, '').replace(/\/$/, ''), { type: header.type ?? 'file', data: Buffer.concat(chunks) });
        next();
      });
      body.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  stream.on('error', (e) => ex.destroy(e));
  stream.pipe(ex);
  await done;
  return out;
}

function tarOf(files: Record<string, string>): Readable {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o644 }, content);
  p.finalize();
  // tar-stream's Pack is a streamx Readable; wrap it so callers get a Node Readable.
  return Readable.from(p);
}

/** Registers the image and filesystem cases. */
export function imageFsCases(ctx: SuiteContext): void {
  it('tutorial: import of a gzip rootfs tar with changes and a message', async () => {
    const ref = `${ctx.unique('stowage-test/imported')}:v1`;
    const img = await ctx.engine.images.import(busyboxRootfsTar({ requireBinary: ctx.engine.backend !== 'emulator' }), {
      ref, changes: ['CMD ["sh", "-c", "echo imported $FOO"]', 'ENV FOO=bar'], message: 'from a tarball',
    });
    ctx.cleanup(() => img.remove({ force: true }));
    expect(img.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const info = await img.inspect();
    expect(info.repoTags).toContain(ref);
    expect(info.config.cmd).toEqual(['sh', '-c', 'echo imported $FOO']);
    expect(info.config.env).toContain('FOO=bar');
    expect(info.rootfs.diffIds.length).toBe(1);
    const history = await img.history();
    expect(history[0]!.comment).toBe('from a tarball');
    expect((await ctx.engine.images.list()).some((i) => i.repoTags.includes(ref))).toBe(true);
    const r = await runToEnd(ctx, { image: ref });
    expect(r.stdout).toBe('imported bar');
  });

  it('tutorial: commit with message, author and changes; history shows it', async () => {
    const { container } = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo new > /newfile'] });
    const repo = ctx.unique('stowage-test/committed');
    const img = await container.commit({ repo, tag: 'test', message: 'new', author: 'centos', changes: ['CMD ["cat", "/newfile"]'] });
    ctx.cleanup(() => img.remove({ force: true }));
    const info = await img.inspect();
    expect(info.repoTags).toContain(`${repo}:test`);
    expect(info.author).toBe('centos');
    expect(info.comment).toBe('new');
    expect(info.config.cmd).toEqual(['cat', '/newfile']);
    const base = await (await ctx.engine.images.get(ctx.image)).inspect();
    expect(info.rootfs.diffIds.slice(0, base.rootfs.diffIds.length)).toEqual(base.rootfs.diffIds);
    expect(info.rootfs.diffIds.length).toBe(base.rootfs.diffIds.length + 1);
    const history = await img.history();
    expect(history[0]).toMatchObject({ comment: 'new' });
    expect(history[0]!.id).toBe(img.id);
    const r = await runToEnd(ctx, { image: `${repo}:test` });
    expect(r.stdout).toBe('new');
  });

  it('diff lists changes as docker diff does, without the engine-provided files', async () => {
    const { container } = await runToEnd(ctx, { cmd: ['sh', '-c', 'rm /bin/hostname && mkdir -p /a/b && touch /a/b/f'] });
    const changes = await container.diff();
    expect(changes).toEqual(expect.arrayContaining([
      { kind: 'C', path: '/bin' }, { kind: 'D', path: '/bin/hostname' },
      { kind: 'A', path: '/a' }, { kind: 'A', path: '/a/b' }, { kind: 'A', path: '/a/b/f' },
    ]));
    expect(changes.some((c) => c.path.startsWith('/etc/host') || c.path === '/.dockerenv' || c.path === '/etc/resolv.conf')).toBe(false);
  });

  it('export holds the whole filesystem, engine-provided files included', async () => {
    const c = await create(ctx, { cmd: ['true'] });
    const entries = await readTar(c.export());
    for (const name of ['bin/busybox', 'etc/passwd', 'www/index.html', '.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf']) {
      expect(entries.has(name), name).toBe(true);
    }
  });

  it('putArchive and getArchive copy files in and out like docker cp', async () => {
    const c = await sleeper(ctx);
    await c.putArchive('/tmp', tarOf({ 'hello.txt': 'hello archive\n', 'd/inner.txt': 'inner\n' }));
    expect((await c.exec(['cat', '/tmp/hello.txt', '/tmp/d/inner.txt'])).stdout).toBe('hello archive\ninner\n');
    const one = await readTar(c.getArchive('/tmp/hello.txt'));
    expect([...one.keys()]).toEqual(['hello.txt']);
    expect(one.get('hello.txt')!.data.toString()).toBe('hello archive\n');
    const dir = await readTar(c.getArchive('/tmp/d'));
    expect(dir.get('d/inner.txt')!.data.toString()).toBe('inner\n');
    await rejectsWithCode(readTar(c.getArchive('/no/such/path')), 'NOT_FOUND');
  });

  it('tag, get by the new tag, and remove untags before it deletes', async () => {
    const base = await ctx.engine.images.get(ctx.image);
    const ref = `${ctx.unique('stowage-test/tagged')}:t1`;
    await base.tag(ref);
    const tagged = await ctx.engine.images.get(ref);
    expect(tagged.id).toBe(base.id);
    const result = await tagged.remove();
    expect(result.untagged).toContain(ref);
    expect(result.deleted).toEqual([]);
    await rejectsWithCode(ctx.engine.images.get(ref), 'NOT_FOUND');
    expect((await ctx.engine.images.get(ctx.image)).id).toBe(base.id);
  });

  it('an image in use by a container cannot be removed without force', async () => {
    const { container } = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo x > /x'] });
    const repo = ctx.unique('stowage-test/inuse');
    const img = await container.commit({ repo, tag: 'v' });
    ctx.cleanup(() => img.remove({ force: true }));
    await create(ctx, { image: `${repo}:v`, cmd: ['true'] });
    await rejectsWithCode((await ctx.engine.images.get(img.id)).remove(), 'CONFLICT');
  });

  for (const format of ['docker', 'oci'] as const) {
    it(`save and load round trip (${format} format)`, async () => {
      const { container } = await runToEnd(ctx, { cmd: ['sh', '-c', `echo ${format} > /saved`] });
      const repo = ctx.unique(`stowage-test/saved-${format}`);
      const img = await container.commit({ repo, tag: 'v1' });
      ctx.cleanup(() => ctx.engine.images.get(`${repo}:v1`).then((i) => i.remove({ force: true })));
      const chunks: Buffer[] = [];
      for await (const chunk of img.save({ format })) chunks.push(chunk as Buffer);
      const archive = Buffer.concat(chunks);
      const names = [...(await readTar(Readable.from([archive]))).keys()];
      expect(names).toContain('manifest.json');
      if (format === 'oci') expect(names).toEqual(expect.arrayContaining(['oci-layout', 'index.json']));
      await img.remove({ force: true });
      await rejectsWithCode(ctx.engine.images.get(`${repo}:v1`), 'NOT_FOUND');
      const loaded = await ctx.engine.images.load(archive);
      expect(loaded.map((i) => i.id)).toContain(img.id);
      const r = await runToEnd(ctx, { image: `${repo}:v1`, cmd: ['cat', '/saved'] });
      expect(r.stdout).toBe(format);
    });
  }

  it('events report container starts', async ({ skip }) => {
    ctx.need('events', skip);
    const seen: string[] = [];
    const listener = (e: { id: string }) => { seen.push(e.id); };
    ctx.engine.events.on('container.start', listener);
    try {
      const c = await create(ctx, { cmd: ['true'] });
      // Subscriptions are lazy and may take a moment to be live: start until one is seen.
      const deadline = Date.now() + 15_000;
      while (!seen.includes(c.id) && Date.now() < deadline) {
        await c.start();
        await c.wait();
        if (!seen.includes(c.id)) await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toContain(c.id);
    } finally {
      ctx.engine.events.off('container.start', listener);
    }
  });

  it('run with pull never and a missing image is NotFound', async () => {
    await rejectsWithCode(run(ctx, { image: `${ctx.unique('stowage-missing')}:x`, cmd: ['true'] }), 'NOT_FOUND');
  });
}
