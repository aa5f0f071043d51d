/**
 * Typed errors and names (issue 7, "Typed errors and names"): the same bad input gives the
 * same error class on the emulator and on docker, the one Engine 20.10's answer maps to; tar
 * names that are not UTF-8 keep their bytes, so two such names never collide. Every case runs
 * on both backends with the same expectations.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, StowageError } from '../../src/core/errors.js';
import { readAll } from '../../src/fs-union/tar-writer.js';
import { create, sleeper } from '../../src/testing/case-helpers.js';
import { describeOnBackends, type OracleContext } from './oracle.js';
import { readRawTar, writeRawTar, type RawTarEntry } from './raw-tar.js';

const b = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** A checksum-valid header that claims a 1000-byte body, then 100 bytes and the end. */
function truncatedTar(): Buffer {
  return writeRawTar([{ name: b('f'), type: '0', data: Buffer.alloc(1000, 0x78) }]).subarray(0, 512 + 100);
}

/** A PAX header of 2 MiB (Go's archive/tar takes 1 MiB at most). */
function oversizedHeaderTar(): Buffer {
  return writeRawTar([{ name: Buffer.alloc(2 << 20, 0x70), type: '0' }]);
}

/** A header whose checksum does not match. */
function badChecksumTar(): Buffer {
  const tar = writeRawTar([{ name: b('f'), type: '0', data: b('x') }]);
  tar.write('0000000\0', 148, 'latin1');
  return tar;
}

/** Whether the call failed, and with what (class name and message), to compare backends. */
async function outcome(call: () => Promise<unknown>): Promise<{ error?: StowageError }> {
  try {
    await call();
    return {};
  } catch (e) {
    if (!(e instanceof StowageError)) throw new Error(`not a typed error: ${String(e)}`, { cause: e });
    return { error: e };
  }
}

async function expectInvalid(call: () => Promise<unknown>, text: string | RegExp): Promise<void> {
  const { error } = await outcome(call);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  if (typeof text === 'string') expect(error?.message).toContain(text);
  else expect(error?.message).toMatch(text);
}

/** The files below `dir` in a tar: name bytes (relative, as hex) to content. */
function filesOf(tar: Buffer, dir: string): Map<string, string> {
  const prefix = Buffer.from(`${dir}/`);
  const out = new Map<string, string>();
  for (const e of readRawTar(tar)) {
    if (e.type !== '0' || !e.name.subarray(0, prefix.length).equals(prefix)) continue;
    out.set(e.name.subarray(prefix.length).toString('hex'), e.data.toString());
  }
  return out;
}

async function putNames(ctx: OracleContext, names: Buffer[]): Promise<{ sent: Map<string, string>; back: Map<string, string>; dir: string; count: string; c: Awaited<ReturnType<typeof sleeper>> }> {
  const c = await sleeper(ctx);
  const dir = ctx.unique('names');
  const entries: RawTarEntry[] = [{ name: b(`${dir}/`), type: '5' }];
  const sent = new Map<string, string>();
  names.forEach((name, i) => {
    entries.push({ name: Buffer.concat([b(`${dir}/`), name]), type: '0', data: b(`content ${i}`) });
    sent.set(name.toString('hex'), `content ${i}`);
  });
  await c.putArchive('/tmp', writeRawTar(entries));
  const back = filesOf(await readAll(c.getArchive(`/tmp/${dir}`)), dir);
  const count = (await c.exec(['sh', '-c', `ls -1a /tmp/${dir} | wc -l`])).stdout as string;
  return { sent, back, dir, count: count.trim(), c };
}

describeOnBackends('typed errors', (ctx) => {
  describe('malformed archives', () => {
    it.each([
      ['bytes that are not a tar', () => Buffer.from('hello, this is not a tar at all. '.repeat(40)), 'archive/tar: invalid tar header'],
      ['a header with a bad checksum', badChecksumTar, 'archive/tar: invalid tar header'],
      ['a tar cut inside a body', truncatedTar, 'unexpected EOF'],
      ['a PAX header over 1 MiB', oversizedHeaderTar, 'archive/tar: header field too long'],
    ])('%s: InvalidArgumentError, Docker\'s text', async (_what, tar, text) => {
      const c = await sleeper(ctx);
      await expectInvalid(() => c.putArchive('/tmp', tar()), `Error processing tar file(exit status 1): ${text}`);
    });

    it('an empty stream is an empty archive', async () => {
      const c = await sleeper(ctx);
      expect(await outcome(() => c.putArchive('/tmp', Readable.from([])))).toEqual({});
    });
  });

  describe('bad container specs', () => {
    it('an unknown user or group fails start; exec reports it with status 126', async () => {
      for (const [user, text] of [
        ['nobody2', 'unable to find user nobody2: no matching entries in passwd file'],
        ['0:nogroup2', 'unable to find group nogroup2: no matching entries in group file'],
      ] as const) {
        const c = await create(ctx, { cmd: ['true'], user });
        await expectInvalid(() => c.start(), text);
      }
      const running = await sleeper(ctx);
      const r = await running.exec(['true'], { user: 'nobody2' });
      expect({ exitCode: r.exitCode, stdout: r.stdout }).toEqual({ exitCode: 126, stdout: 'unable to find user nobody2: no matching entries in passwd file\r\n' });
    });

    it('a host IP this machine does not have fails start', async () => {
      const port = await ctx.freePort();
      const c = await create(ctx, { cmd: ['sleep', '1000'], ports: [`198.51.100.1:${port}:80`] });
      await expectInvalid(() => c.start(), `listen tcp4 198.51.100.1:${port}: bind: cannot assign requested address`);
    });

    it('a volume name over 255 bytes is refused, at create and by volumes.create', async () => {
      const name = 'v'.repeat(300);
      await expectInvalid(() => create(ctx, { cmd: ['true'], volumes: [`${name}:/data`] }), /file name too long$/);
      await expectInvalid(() => ctx.engine.volumes.create({ name }), /file name too long$/);
    });

    it('a relative working directory is refused at create', async () => {
      await expectInvalid(() => create(ctx, { cmd: ['true'], workingDir: 'rel/dir' }), "the working directory 'rel/dir' is invalid, it needs to be an absolute path");
    });

    it('container port 0 is refused, naming the field', async () => {
      const { error } = await outcome(() => create(ctx, { cmd: ['true'], ports: ['80:0'] }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error?.details.path).toBe('spec.ports[0]');
    });

    it('cmd [] runs the image\'s CMD, as Docker merges it', async () => {
      const c = await create(ctx, { cmd: [] });
      expect((await c.inspect()).config.cmd).toEqual(['sh']);
      await c.start();
      expect((await c.wait()).exitCode).toBe(0);
    });

    it('an unknown network is accepted at create and fails start with NotFoundError', async () => {
      const network = ctx.unique('no-such-net');
      const c = await create(ctx, { cmd: ['true'], network });
      expect(Object.keys((await c.inspect()).networks)).toEqual([network]);
      const { error } = await outcome(() => c.start());
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error?.message).toBe(`network ${network} not found`);
      expect((await c.inspect()).state.status).toBe('created');
    });
  });

  describe('names that are not UTF-8', () => {
    it('keep their bytes through putArchive and getArchive, and never collide', async () => {
      const names = [b('a', [0xff]), b('a', [0xfe]), b('caf', [0xc3, 0xa9]), b('x', [0xed, 0xa0, 0x80]), b('l'.repeat(110), [0xff])];
      const { sent, back, count } = await putNames(ctx, names);
      expect(back).toEqual(sent);
      expect(count).toBe(String(names.length + 2));
    });

    it('keep their bytes in export, in link targets and in a committed image', async () => {
      const { c, dir } = await putNames(ctx, [b('a', [0xff])]);
      await c.putArchive(`/tmp/${dir}`, writeRawTar([{ name: b('s', [0xfe]), type: '2', linkname: b('a', [0xff]) }]));
      const exported = readRawTar(await readAll(c.export()));
      const link = exported.find((e) => e.name.equals(b(`tmp/${dir}/s`, [0xfe])));
      expect(link?.type).toBe('2');
      expect(link?.linkname).toEqual(b('a', [0xff]));
      expect(exported.some((e) => e.name.equals(b(`tmp/${dir}/a`, [0xff])))).toBe(true);
      const image = await c.commit({ repo: ctx.unique('names-img') });
      ctx.cleanup(() => image.remove({ force: true }));
      const copy = await ctx.engine.containers.run({ image: image.id, name: ctx.unique('names-copy'), cmd: ['sleep', '1000'], pull: 'never' });
      ctx.cleanup(() => copy.remove({ force: true }));
      expect(filesOf(await readAll(copy.getArchive(`/tmp/${dir}`)), dir)).toEqual(new Map([[b('a', [0xff]).toString('hex'), 'content 0']]));
    });

    it('any set of byte names round-trips (property)', async () => {
      const nameBytes = fc
        .uint8Array({ minLength: 1, maxLength: 24 })
        .map((a) => Buffer.from(a.map((x) => (x === 0 || x === 0x2f ? 0x5f : x))))
        .filter((n) => !n.equals(b('.')) && !n.equals(b('..')));
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(nameBytes, { minLength: 1, maxLength: 6, selector: (n) => n.toString('hex') }), async (names) => {
          const { sent, back } = await putNames(ctx, names);
          expect(back).toEqual(sent);
        }),
        { numRuns: ctx.backend === 'emulator' ? 40 : 6 },
      );
    });
  });
});
