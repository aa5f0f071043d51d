import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { probeDocker } from '../../src/backends/docker/index.js';
import { seedTestImage } from '../../src/testing/index.js';
import { isRequired } from '../../src/testing/describe-backend.js';
import { TEST_IMAGE } from '../../src/testing/busybox-rootfs.js';

// The same contexts built by our builder (on the emulator) and by the engine's BuildKit
// (`DOCKER_BUILDKIT=1 docker build`, Engine 20.10) must give the same config, the same number
// of layers and the same files. The docker CLI that still has BuildKit built in is looked for
// first (a newer CLI needs the buildx plugin for it).
const cli = ['/usr/bin/docker', 'docker'].find((c) =>
  spawnSync(c, ['build', '--help'], { env: { ...process.env, DOCKER_BUILDKIT: '1' }, stdio: 'ignore', timeout: 10_000 }).status === 0);
const dockerUp = cli !== undefined && (await probeDocker().catch(() => false));
if (!dockerUp && isRequired('docker')) throw new Error('STOWAGE_REQUIRE names docker, but no engine with a BuildKit-capable CLI answers');

/** One entry of an exported filesystem, without times. */
type Tree = Map<string, string>;

/** Paths the engine provides in every container (not part of an image). */
const engineOwned = /^(etc\/(hosts|hostname|resolv\.conf|mtab)|\.dockerenv|proc(\/.*)?|sys(\/.*)?|dev(\/.*)?)$/;

async function treeOf(tar: Readable): Promise<Tree> {
  const tree: Tree = new Map();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, body, next) => {
      const hash = createHash('sha256');
      body.on('data', (c: unknown) => { hash.update(c as Buffer); });
      body.on('end', () => {
        const name = h.name.replace(/^\.?\//, '').replace(/\/$/, '');
        if (name !== '' && !engineOwned.test(name)) {
          const what = h.type === 'file' ? hash.digest('hex').slice(0, 16) : h.type === 'symlink' ? `-> ${h.linkname ?? ''}` : '';
          tree.set(name, `${h.type} ${((h.mode ?? 0) & 0o7777).toString(8)} ${h.uid}:${h.gid} ${what}`);
        }
        next();
      });
      body.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  tar.pipe(ex);
  await done;
  return tree;
}

async function describeImage(engine: Engine, ref: string) {
  const image = await engine.images.get(ref);
  const info = await image.inspect();
  const c = await engine.containers.create({ image: ref, cmd: ['true'], entrypoint: [] });
  try {
    const tree = await treeOf(c.export());
    // A container's volume mount points are the container's, not the image's.
    for (const v of info.config.volumes) tree.delete(v.replace(/^\//, ''));
    return {
      config: {
        env: info.config.env, cmd: info.config.cmd, entrypoint: info.config.entrypoint, workingDir: info.config.workingDir, user: info.config.user,
        exposedPorts: [...info.config.exposedPorts].sort(), volumes: [...info.config.volumes].sort(), labels: info.config.labels,
      },
      // The Engine API's history has no empty_layer flag: count the image's layers instead.
      layers: info.rootfs.diffIds.length,
      tree,
    };
  } finally {
    await c.remove({ force: true });
  }
}

const contexts: Record<string, Record<string, string | { link: string }>> = {
  'config and variables': {
    Dockerfile: [
      'ARG BASE',
      'FROM $BASE',
      'ARG V=1',
      'ENV A=a B="two words" C=${V:-none}',
      'ENV D=$A-$C',
      'LABEL org.test.one=1 "org.test.two"="two"',
      'EXPOSE 80 443/tcp 5000-5002/udp',
      'VOLUME /data /more',
      'USER nobody',
      'USER root',
      'STOPSIGNAL SIGINT',
      'ENTRYPOINT echo entry',
      'CMD ["arg"]',
      '',
    ].join('\n'),
  },
  'files and layers': {
    'a.txt': 'a\n',
    'dir/b.txt': 'b\n',
    'dir/sub/c.txt': 'c\n',
    'other/d.txt': 'd\n',
    link: { link: 'a.txt' },
    '.dockerignore': 'other/d.txt\n',
    Dockerfile: [
      'ARG BASE',
      'FROM $BASE',
      'WORKDIR /app',
      'WORKDIR sub',
      'COPY a.txt .',
      'COPY dir /app/copied/',
      'COPY dir/*.txt /wild/',
      'COPY a.txt /etc',
      'COPY a.txt /renamed.txt',
      'COPY link /followed/',
      'COPY --chown=nobody:nogroup a.txt /owned/',
      'COPY --chown=1001 a.txt /numeric/',
      'COPY --chmod=700 a.txt /private/',
      'COPY other /other/',
      'RUN mkdir -p /made && echo made > /made/file && ln -s file /made/link && chmod 600 /made/file',
      'RUN rm /app/copied/b.txt && echo replaced > /app/copied/sub/c.txt',
      '',
    ].join('\n'),
  },
  // RUN runs as the stage's USER (resolved in the image's passwd/group, numbers as they are,
  // gid 0 for a numeric user without an entry, supplementary groups only for a user without a
  // group); WORKDIR makes its directories as that user (a numeric user's group is its own
  // number there); COPY without --chown stays root's.
  'user': {
    'a.txt': 'a\n',
    Dockerfile: [
      'ARG BASE',
      'FROM $BASE',
      'RUN mkdir /out && chmod 777 /out && echo extra:x:500:nobody >> /etc/group && echo more:x:501:root,nobody >> /etc/group',
      'USER 1000:1000',
      'RUN touch /out/by-1000 && id -u > /out/id-1000 && echo $HOME > /out/home-1000',
      'WORKDIR /w1000/sub',
      'COPY a.txt /out/copied-1000',
      'COPY a.txt ./',
      'USER nobody',
      'RUN id > /out/id-nobody && mkdir /out/dir-nobody && echo $HOME > /out/home-nobody',
      'WORKDIR /wnobody',
      'USER 2000',
      'RUN touch /out/by-2000 && id > /out/id-2000',
      'WORKDIR /w2000',
      'USER nobody:www-data',
      'RUN touch /out/by-nobody-www && id > /out/id-nobody-www',
      'USER 65534',
      'RUN id > /out/id-65534',
      'USER root',
      'RUN id > /out/id-root && echo $HOME > /out/home-root',
      '',
    ].join('\n'),
  },
  'stages': {
    Dockerfile: [
      'ARG BASE',
      'FROM $BASE AS first',
      'RUN mkdir /out && echo one > /out/one && chown -R 1000:1000 /out',
      'FROM $BASE AS unused',
      'RUN exit 1',
      'FROM first AS second',
      'RUN echo two > /out/two',
      'FROM $BASE',
      'COPY --from=first /out /from-first/',
      'COPY --from=2 /out/two /two',
      'SHELL ["/bin/sh", "-ec"]',
      'RUN echo shell > /shell',
      'CMD echo done',
      '',
    ].join('\n'),
  },
};

async function writeContext(files: Record<string, string | { link: string }>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-diff-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    if (typeof content === 'string') await writeFile(join(dir, name), content);
    else await symlink(content.link, join(dir, name));
  }
  return dir;
}

describe.skipIf(!dockerUp)('builder vs DOCKER_BUILDKIT=1 docker build (Engine 20.10)', () => {
  let emulator: Engine;
  let docker: Engine;
  const dirs: string[] = [];
  const tags: string[] = [];

  beforeAll(async () => {
    emulator = await Engine.open({ backend: 'emulator' });
    docker = await Engine.open({ backend: 'docker' });
    await seedTestImage(docker);
    // The same busybox rootfs on both sides (the real binary, as the engine needs it).
    const { busyboxRootfsTar } = await import('../../src/testing/busybox-rootfs.js');
    await emulator.images.import(busyboxRootfsTar({ requireBinary: true }), {
      ref: TEST_IMAGE, changes: ['CMD ["sh"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    });
  });

  afterAll(async () => {
    for (const tag of tags) spawnSync(cli ?? 'docker', ['rmi', '-f', tag], { stdio: 'ignore', timeout: 60_000 });
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    await emulator?.close();
    await docker?.close();
  });

  for (const [name, files] of Object.entries(contexts)) {
    it(`gives the same image: ${name}`, async () => {
      const dir = await writeContext(files);
      dirs.push(dir);
      const tag = `stowage-test/diff-${process.pid}-${name.replace(/\W+/g, '-')}:1`;
      tags.push(tag);
      execFileSync(cli ?? 'docker', ['build', '-q', '--build-arg', `BASE=${TEST_IMAGE}`, '-t', tag, dir], {
        env: { ...process.env, DOCKER_BUILDKIT: '1' }, stdio: 'pipe', timeout: 300_000,
      });
      await emulator.images.build({ context: dir, tags: [tag], buildArgs: { BASE: TEST_IMAGE } });
      const theirs = await describeImage(docker, tag);
      const ours = await describeImage(emulator, tag);
      expect(ours.config).toEqual(theirs.config);
      expect(ours.layers).toBe(theirs.layers);
      const differences = [...new Set([...ours.tree.keys(), ...theirs.tree.keys()])].sort()
        .filter((p) => ours.tree.get(p) !== theirs.tree.get(p))
        .map((p) => `${p}: ours ${ours.tree.get(p) ?? '(none)'} | engine ${theirs.tree.get(p) ?? '(none)'}`);
      expect(differences).toEqual([]);
    }, 300_000);
  }
});
