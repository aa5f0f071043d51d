import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Image } from '../../src/index.js';

// The shared builder through the emulator's BuildHost: the instruction semantics the
// differential tests cannot reach through Engine 20.10 (heredocs, ONBUILD, errors).
let engine: Engine;
const dirs: string[] = [];

beforeAll(async () => {
  engine = await Engine.open({ backend: 'emulator' });
  await engine.images.pull('busybox');
});

afterAll(async () => {
  await engine.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function context(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-builder-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

async function cat(image: Image | string, ...paths: string[]): Promise<string> {
  const c = await engine.containers.run({ image: typeof image === 'string' ? image : image.id, cmd: ['cat', ...paths], entrypoint: [] });
  await c.wait();
  let out = '';
  for await (const line of c.logs()) out += `${line.text}\n`;
  await c.remove({ force: true });
  return out;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (e) {
    return e as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected the build to fail');
}

describe('builder (emulator host)', () => {
  it('runs ONBUILD triggers in the child build, and the child does not inherit them', async () => {
    const parent = await context({ Dockerfile: 'FROM busybox\nONBUILD RUN echo triggered > /trigger\n' });
    await engine.images.build({ context: parent, tags: ['onbuild-parent:1'] });
    const child = await context({ Dockerfile: 'FROM onbuild-parent:1\nRUN cat /trigger > /seen\n' });
    const { image, steps } = await engine.images.build({ context: child, tags: ['onbuild-child:1'] });
    expect(steps.map((s) => s.instruction)).toEqual(['FROM onbuild-parent:1', 'RUN echo triggered > /trigger', 'RUN cat /trigger > /seen']);
    expect(await cat(image, '/seen')).toBe('triggered\n');
    const grandchild = await context({ Dockerfile: 'FROM onbuild-child:1\nRUN true\n' });
    const again = await engine.images.build({ context: grandchild });
    expect(again.steps).toHaveLength(2);
  });

  it('honours SHELL, heredoc scripts with a shebang, and COPY heredocs with expansion', async () => {
    const dir = await context({
      Dockerfile: [
        'FROM busybox', 'ENV WHO=world', 'SHELL ["/bin/sh", "-c"]',
        'RUN <<EOF', '#!/bin/sh', 'echo "script $WHO" > /script', 'EOF',
        'COPY <<EOF /greeting', 'hello $WHO', 'EOF',
        "COPY <<'EOF' /raw", 'hello $WHO', 'EOF',
        'CMD echo shell form', '',
      ].join('\n'),
    });
    const { image } = await engine.images.build({ context: dir });
    expect(await cat(image, '/script', '/greeting', '/raw')).toBe('script world\nhello world\nhello $WHO\n');
    expect((await image.inspect()).config.cmd).toEqual(['/bin/sh', '-c', 'echo shell form']);
  });

  it('extracts local tar archives with ADD (detected by content) and copies other files as they are', async () => {
    const tar = pack();
    tar.entry({ name: 'inside/file.txt', mode: 0o640, uid: 7, gid: 8 }, 'from the archive\n');
    tar.finalize();
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(c as Buffer);
    const dir = await context({ 'bundle.data': gzipSync(Buffer.concat(chunks)), 'plain.gz': 'not really gzip\n', Dockerfile: 'FROM busybox\nADD bundle.data plain.gz /x/\n' });
    const { image } = await engine.images.build({ context: dir });
    expect(await cat(image, '/x/inside/file.txt', '/x/plain.gz')).toBe('from the archive\nnot really gzip\n');
  });

  it('refuses ADD from a URL (no network) and several sources without a / destination', async () => {
    const url = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox\nADD https://example.invalid/x /x\n' }) }));
    expect(url.code).toBe('UNSUPPORTED');
    const many = await failure(engine.images.build({ context: await context({ a: '1', b: '2', Dockerfile: 'FROM busybox\nCOPY a b /dst\n' }) }));
    expect(many.code).toBe('BUILD_FAILED');
    expect(many.message).toBe('When using COPY with more than one source file, the destination must be a directory and end with a /');
  });

  it("reports BuildKit's errors as BuildError with the line", async () => {
    const parse = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox\nCOPY --bogus=1 a b\n' }) }));
    expect(parse).toMatchObject({ code: 'BUILD_FAILED', message: 'dockerfile parse error on line 2: unknown flag: --bogus' });
    expect(parse.details).toMatchObject({ line: 2 });
    const before = await failure(engine.images.build({ context: await context({ Dockerfile: 'RUN x\nFROM busybox\n' }) }));
    expect(before.message).toBe('no build stage in current context');
    const target = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox\n' }), target: 'nope' }));
    expect(target.message).toBe('target stage "nope" could not be found');
    const later = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox AS a\nCOPY --from=b /x /x\nFROM busybox AS b\nFROM a\n' }) }));
    expect(later.message).toBe('cannot copy from stage "b", it needs to be defined before current stage "a"');
    const missing = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox\nCOPY nope /x\n' }) }));
    expect(missing.message).toContain('"/nope" not found');
    const run = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox\nRUN ["no-such-program"]\n' }) }));
    expect(run.details).toMatchObject({ exitCode: 127, instruction: 'RUN ["no-such-program"]' });
  });

  it('noCache runs every step again; a changed build arg re-runs RUN; ARG before FROM only reaches FROM', async () => {
    const dir = await context({ Dockerfile: 'ARG TAG=latest\nFROM busybox:${TAG}\nARG N=1\nRUN echo "$N/$TAG" > /n\n' });
    const first = await engine.images.build({ context: dir });
    expect(await cat(first.image, '/n')).toBe('1/\n');
    expect((await engine.images.build({ context: dir, noCache: true })).steps.map((s) => s.cached)).toEqual([true, false, false]);
    const changed = await engine.images.build({ context: dir, buildArgs: { N: '2' } });
    expect(changed.steps.map((s) => s.cached)).toEqual([true, false, false]);
    expect(await cat(changed.image, '/n')).toBe('2/\n');
  });

  it('resolves --chown names from the stage, makes WORKDIR relative and owned by USER', async () => {
    const dir = await context({ f: 'x', Dockerfile: 'FROM busybox\nWORKDIR /w\nWORKDIR rel\nUSER nobody\nWORKDIR mine\nUSER root\nCOPY --chown=nobody f .\nRUN stat -c "%u:%g %n" /w/rel/mine /w/rel/mine/f > /owners\n' });
    const { image } = await engine.images.build({ context: dir });
    expect((await image.inspect()).config.workingDir).toBe('/w/rel/mine');
    expect(await cat(image, '/owners')).toBe('65534:65534 /w/rel/mine\n65534:65534 /w/rel/mine/f\n');
  });

  it('runs RUN as USER: new files are that user\'s, id prints it, HOME is from passwd; an unknown user fails the step', async () => {
    const dir = await context({ Dockerfile: 'FROM busybox\nRUN mkdir -m 777 /out\nUSER nobody\nRUN id -u > /out/u && id -g > /out/g && echo $HOME > /out/h\nUSER 1234:5\nRUN touch /out/t\nUSER root\nRUN stat -c "%u:%g %n" /out/u /out/t > /owners\n' });
    const { image } = await engine.images.build({ context: dir });
    expect(await cat(image, '/out/u', '/out/g', '/out/h', '/owners')).toBe('65534\n65534\n/home\n65534:65534 /out/u\n1234:5 /out/t\n');
    const unknown = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox\nUSER nosuch\nRUN true\n' }) }));
    expect(unknown).toMatchObject({ code: 'BUILD_FAILED', message: 'process "/bin/sh -c true" did not complete successfully: unable to find user nosuch: no matching entries in passwd file' });
    const group = await failure(engine.images.build({ context: await context({ Dockerfile: 'FROM busybox\nUSER nobody:nosuch\nRUN true\n' }) }));
    expect(group.message).toContain('unable to find group nosuch: no matching entries in group file');
  });

  it('puts RUN on the default bridge, as BuildKit on Engine 20.10: a container there is reachable by address, and nothing stays', async () => {
    const events: string[] = [];
    const onEvent = (e: { action: string; attributes: Record<string, string> }): void => { events.push(`${e.action} ${e.attributes['container'] ?? ''}`); };
    engine.events.on('network.connect', onEvent);
    engine.events.on('network.disconnect', onEvent);
    const server = await engine.containers.run({ image: 'busybox', entrypoint: [], cmd: ['sh', '-c', 'mkdir /www && echo served > /www/f && httpd -f -p 80 -h /www'] });
    try {
      const ip = (await server.inspect()).networks['bridge']?.ipAddress ?? '';
      expect(ip).toMatch(/^172\.17\./);
      // Bounded wait until the server listens (seen from the server itself).
      for (let i = 0; i < 200 && (await server.exec(['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/f'])).exitCode !== 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const dir = await context({ Dockerfile: `FROM busybox\nRUN wget -q -O /got http://${ip}/f && hostname > /hostname && cat /etc/hosts > /hosts\n` });
      const { image } = await engine.images.build({ context: dir, noCache: true });
      // The server's own join is the only network event; the step's sandbox has left the bridge.
      expect(events).toEqual([`connect ${server.id}`]);
      expect(Object.keys((await (await engine.networks.get('bridge')).inspect()).containers)).toEqual([server.id]);
      expect(await cat(image, '/got', '/hostname', '/hosts')).toBe('served\nbuildkitsandbox\n127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n');
    } finally {
      engine.events.off('network.connect', onEvent);
      engine.events.off('network.disconnect', onEvent);
      await server.remove({ force: true });
    }
  });
});
