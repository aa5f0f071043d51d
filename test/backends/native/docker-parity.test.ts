// The native backend's export and diff of a container, compared with a real Docker Engine's
// `docker export` and `docker diff` of the same busybox image: the same entries with the same
// types, modes, owners, sizes and link targets, and the same kind of time (the image's, or
// fresh: made by the engine for this container).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDocker } from '../../../src/backends/docker/index.js';
import { Engine } from '../../../src/index.js';
import { busyboxRootfsTar } from '../../../src/testing/busybox-rootfs.js';
import { nativeUnavailable, tempRoots, type TempRoots } from './helpers.js';

const run = promisify(execFile);
const tag = `stowage-parity-${randomBytes(4).toString('hex')}:1`;
let skipWhy: string | undefined;
let roots: TempRoots | undefined;
let engine: Engine | undefined;
const started = Date.now() - 2000;

interface Entry { type: string; mode: number; uid: number; gid: number; size: number; linkname: string; fresh: boolean }

async function entries(stream: NodeJS.ReadableStream): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const ex = extract();
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, body, next) => {
      body.resume();
      const name = h.name.replace(/^\.\//, '').replace(/\/$/, '');
      if (name && name !== '.') {
        out.set(name, { type: h.type ?? 'file', mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, size: h.size ?? 0, linkname: h.linkname ?? '', fresh: (h.mtime?.getTime() ?? 0) >= started });
      }
      body.on('end', next);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    (stream as Readable).on('error', reject);
    (stream as Readable).pipe(ex);
  });
  return out;
}

async function docker(args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
}

const SCRIPT = 'rm /bin/hostname && mkdir -p /a/b && touch /a/b/f && echo x > /tmp/x && echo y >> /etc/passwd';

beforeAll(async () => {
  skipWhy = (await nativeUnavailable()) ?? (!(await probeDocker()) ? 'no Docker Engine to compare with' : undefined);
  if (skipWhy) return;
  const child = spawn('docker', ['import', '-', tag], { stdio: ['pipe', 'ignore', 'inherit'] });
  busyboxRootfsTar({ requireBinary: true }).pipe(child.stdin);
  await new Promise((resolve) => child.on('close', resolve));
  roots = await tempRoots();
  engine = await Engine.open({ backend: 'native', root: roots.root, runRoot: roots.runRoot, network: roots.network, supervisorIdleMs: 2000 });
  await engine.images.import(busyboxRootfsTar({ requireBinary: true }), { ref: tag });
});

afterAll(async () => {
  await engine?.close();
  await roots?.cleanup();
  if (!skipWhy) await docker(['rmi', '-f', tag]).catch(() => undefined);
});

describe('native export and diff match Docker\'s', () => {
  it('export of a fresh container has the same entries as docker export', async ({ skip }) => {
    if (skipWhy) skip(skipWhy);
    const id = await docker(['create', tag, 'true']);
    try {
      const theirs = await entries(spawn('docker', ['export', id]).stdout);
      const ours = await entries((await engine!.containers.create({ image: tag, cmd: ['true'] })).export());
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      for (const [name, entry] of theirs) expect(ours.get(name), name).toEqual(entry);
    } finally {
      await docker(['rm', '-f', id]);
    }
  });

  it('diff after a run lists what docker diff lists, engine files excluded', async ({ skip }) => {
    if (skipWhy) skip(skipWhy);
    const id = await docker(['run', '-d', tag, 'sh', '-c', SCRIPT]);
    try {
      await docker(['wait', id]);
      const theirs = (await docker(['diff', id])).split('\n').filter(Boolean).map((line) => ({ kind: line[0], path: line.slice(2) }));
      const c = await engine!.containers.run({ image: tag, cmd: ['sh', '-c', SCRIPT], pull: 'never' });
      expect(await c.wait()).toEqual({ exitCode: 0 });
      const ours = await c.diff();
      const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
      expect(ours.sort(byPath)).toEqual(theirs.sort(byPath));
    } finally {
      await docker(['rm', '-f', id]);
    }
  });
});
