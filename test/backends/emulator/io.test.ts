import { PassThrough, type Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import tarStream from 'tar-stream';
import type { Backend } from '../../../src/core/backend.js';
import { NotFoundError } from '../../../src/core/errors.js';
import type { Program } from '../../../src/backends/emulator/index.js';
import { allLogs, openBackend, pollUntil, req } from './helpers.js';

let backend: Backend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

/** Echoes each stdin line back as `> line` until stdin ends. */
const repeat: Program = async (ctx) => {
  let buf = '';
  for await (const chunk of ctx.stdin) {
    buf += String(chunk);
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      ctx.stdout.write(`> ${buf.slice(0, nl)}\n`);
      buf = buf.slice(nl + 1);
    }
  }
  return 0;
};

/** Prints `tick N` every time the test lets it (through a shared counter), forever. */
let allowed = 0;
const ticker: Program = async (ctx) => {
  for (let i = 1; ; i++) {
    await pollFor(() => allowed >= i);
    ctx.stdout.write(`tick ${i}\n`);
    await ctx.fs.stat('/');
  }
};
async function pollFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

async function text(stream: Readable): Promise<string> {
  let s = '';
  for await (const chunk of stream) s += String(chunk);
  return s;
}

async function untar(stream: Readable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const extract = tarStream.extract();
  stream.pipe(extract);
  for await (const entry of extract) {
    let body = '';
    for await (const chunk of entry) body += String(chunk);
    out.set(`${entry.header.type}:${entry.header.name}`, body);
  }
  return out;
}

describe('emulator containers: logs, exec, attach', () => {
  it('keeps logs per stream with tail, since and follow', async () => {
    allowed = 0;
    backend = await openBackend({ programs: { ticker } });
    const { id } = await backend.containers.create(req({ cmd: ['ticker'] }));
    await backend.containers.start(id);
    allowed = 3;
    await pollUntil(async () => (await allLogs(backend!, id)).length === 3);
    const tail = [];
    for await (const l of backend.containers.logs(id, { follow: false, stdout: true, stderr: true, tail: 2 })) tail.push(l.text);
    expect(tail).toEqual(['tick 2', 'tick 3']);
    const none = [];
    for await (const l of backend.containers.logs(id, { follow: false, stdout: false, stderr: true })) none.push(l);
    expect(none).toEqual([]);
    const future = [];
    for await (const l of backend.containers.logs(id, { follow: false, stdout: true, stderr: true, since: new Date(Date.now() + 60_000) })) future.push(l);
    expect(future).toEqual([]);
    const followed: string[] = [];
    const following = (async () => {
      for await (const l of backend!.containers.logs(id, { follow: true, stdout: true, stderr: true, tail: 0 })) followed.push(l.text);
    })();
    allowed = 5;
    await pollUntil(() => followed.length === 2);
    await backend.containers.kill(id, 'SIGKILL');
    await following;
    expect(followed).toEqual(['tick 4', 'tick 5']);
  });

  it('execs into a running container with env, cwd and exit codes; missing commands give 127', async () => {
    backend = await openBackend({ programs: { repeat } });
    const { id } = await backend.containers.create(req({ cmd: ['repeat'], openStdin: true, env: ['A=1'] }));
    await backend.containers.start(id);
    const p = await backend.containers.exec(id, { argv: ['sh', '-c', 'echo $A $B; pwd; echo e >&2; exit 4'], env: ['B=2'], workingDir: '/etc', stdin: false, tty: false });
    const [out, err, code] = await Promise.all([text(p.stdout), text(p.stderr), p.exit]);
    expect([out, err, code]).toEqual(['1 2\n/etc\n', 'e\n', 4]);
    const missing = await backend.containers.exec(id, { argv: ['nope'], env: [], stdin: false, tty: false });
    const [, missingErr, missingCode] = await Promise.all([text(missing.stdout), text(missing.stderr), missing.exit]);
    expect(missingCode).toBe(127);
    expect(missingErr).toMatch(/exec: "nope": executable file not found in \$PATH/);
    const tty = await backend.containers.exec(id, { argv: ['sh', '-c', 'echo o; echo e >&2'], env: [], stdin: false, tty: true });
    const [ttyOut, ttyErr] = await Promise.all([text(tty.stdout), text(tty.stderr), tty.exit]);
    // One stream through the terminal's line discipline (\n -> \r\n), as Docker's TTY gives.
    expect([ttyOut, ttyErr]).toEqual(['o\r\ne\r\n', '']);
    const asUser = await backend.containers.exec(id, { argv: ['sh', '-c', 'id -u; echo $HOME'], env: [], user: '65534', stdin: false, tty: false });
    const [userOut] = await Promise.all([text(asUser.stdout), asUser.exit]);
    expect(userOut.split('\n')[0]).toBe('65534');
    // Engine 20.10 starts the exec and reports runc's refusal in the output, status 126.
    const noUser = await backend.containers.exec(id, { argv: ['true'], env: [], user: 'no-such-user', stdin: false, tty: false });
    expect(await Promise.all([text(noUser.stdout), text(noUser.stderr), noUser.exit]))
      .toEqual(['unable to find user no-such-user: no matching entries in passwd file\r\n', '', 126]);
    const relative = await backend.containers.exec(id, { argv: ['pwd'], env: [], workingDir: 'etc', stdin: false, tty: false });
    expect(await Promise.all([text(relative.stdout), relative.exit]))
      .toEqual(['OCI runtime exec failed: exec failed: Cwd must be an absolute path: unknown\r\n', 126]);
    const piped = await backend.containers.exec(id, { argv: ['repeat'], env: [], stdin: true, tty: false });
    piped.stdin!.end('a\nb\n');
    expect(await text(piped.stdout)).toBe('> a\n> b\n');
    expect(await piped.exit).toBe(0);
  });

  it('attaches to the main process: stdin in, output out', async () => {
    backend = await openBackend({ programs: { repeat } });
    const { id } = await backend.containers.create(req({ cmd: ['repeat'], openStdin: true }));
    await backend.containers.start(id);
    const io = await backend.containers.attach(id, { stdin: true });
    const got = text(io.stdout);
    io.stdin!.end('hello\n');
    expect(await got).toBe('> hello\n');
    expect(await backend.containers.wait(id)).toEqual({ exitCode: 0 });
    expect((await allLogs(backend, id)).map((l) => l.text)).toEqual(['> hello']);
  });

  it('copies files in and out, exports the filesystem with the engine files, commits with history', async () => {
    backend = await openBackend();
    const { id } = await backend.containers.create(req({ cmd: ['sh', '-c', 'echo made > /made.txt; rm /etc/passwd'] }));
    await backend.containers.start(id);
    await backend.containers.wait(id);
    const diff = await backend.containers.diff(id);
    expect(diff).toEqual(expect.arrayContaining([{ kind: 'A', path: '/made.txt' }, { kind: 'D', path: '/etc/passwd' }]));
    expect(diff.some((c) => c.path === '/etc/hosts' || c.path === '/.dockerenv')).toBe(false);

    const pack = tarStream.pack();
    pack.entry({ name: 'in/' , type: 'directory' });
    pack.entry({ name: 'in/note.txt' }, 'from the host\n');
    pack.finalize();
    const packed = new PassThrough();
    (pack as unknown as Readable).pipe(packed);
    await backend.containers.putArchive(id, '/tmp', packed);
    const out = await untar(await backend.containers.getArchive(id, '/tmp/in'));
    expect(out.get('file:in/note.txt')).toBe('from the host\n');
    await expect(backend.containers.getArchive(id, '/missing')).rejects.toThrow(NotFoundError);

    const exported = await untar(await backend.containers.export(id));
    expect(exported.get('file:made.txt')).toBe('made\n');
    expect(exported.has('file:.dockerenv')).toBe(true);
    expect(exported.has('file:etc/hosts')).toBe(true);
    expect(exported.has('file:etc/passwd')).toBe(false);

    const { imageId } = await backend.containers.commit(id, { repo: 'mine', tag: 'v1', message: 'new', author: 'me', pause: true, changes: ['CMD ["sh"]'] });
    const image = await backend.images.inspect('mine:v1');
    expect(image.id).toBe(imageId);
    expect(image).toMatchObject({ author: 'me', comment: 'new' });
    expect(image.config.cmd).toEqual(['sh']);
    const history = await backend.images.history('mine:v1');
    expect(history[0]).toMatchObject({ comment: 'new' });
    // The engine's files stay out of the committed layer.
    const child = await backend.containers.create(req({ image: 'mine:v1', cmd: ['sh', '-c', 'cat /made.txt || echo none; test -e /etc/passwd || echo gone'] }));
    await backend.containers.start(child.id);
    await backend.containers.wait(child.id);
    expect((await allLogs(backend, child.id)).map((l) => l.text)).toContain('gone');
  });

  it('lists like docker ps with status strings and filters', async () => {
    backend = await openBackend({ programs: { repeat } });
    const a = await backend.containers.create(req({ name: 'alpha', labels: { tier: 'web' }, cmd: ['repeat'], openStdin: true }));
    const b = await backend.containers.create(req({ name: 'beta', cmd: ['true'] }));
    await backend.containers.start(a.id);
    await backend.containers.start(b.id);
    await backend.containers.wait(b.id);
    const running = await backend.containers.list({ all: false, filters: {} });
    expect(running.map((c) => c.names[0])).toEqual(['alpha']);
    expect(running[0]?.status).toMatch(/^Up /);
    const all = await backend.containers.list({ all: true, filters: {} });
    expect(all.map((c) => c.names[0]).sort()).toEqual(['alpha', 'beta']);
    expect(all.find((c) => c.names[0] === 'beta')?.status).toMatch(/^Exited \(0\) /);
    expect((await backend.containers.list({ all: true, filters: { label: ['tier=web'] } })).map((c) => c.id)).toEqual([a.id]);
    expect((await backend.containers.list({ all: true, filters: { status: ['exited'] } })).map((c) => c.id)).toEqual([b.id]);
    expect((await backend.containers.list({ all: true, filters: { name: ['bet'] } })).map((c) => c.id)).toEqual([b.id]);
    expect((await backend.containers.list({ all: true, filters: { ancestor: ['busybox'] } }))).toHaveLength(2);
    expect((await backend.containers.list({ all: true, filters: { ancestor: ['mine:v9'] } }))).toHaveLength(0);
  });
});
