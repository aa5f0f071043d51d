// Builds and engine-specific behaviour against the real engine (the conformance suite has no
// build cases). Skipped without an engine unless STOWAGE_REQUIRE names docker.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/index.js';
import { probeDocker } from '../../../src/backends/docker/index.js';
import { isRequired, seedTestImage, TEST_IMAGE } from '../../../src/testing/index.js';
import type { EngineEvent } from '../../../src/core/schemas/index.js';

const present = await probeDocker();
if (!present && isRequired('docker')) throw new Error('STOWAGE_REQUIRE names docker, but no engine answers');

describe.skipIf(!present)('docker backend against the engine: build, exec kill, events', () => {
  let engine: Engine;
  let dir: string;
  const tag = `stowage-test/h10-build-${process.pid}`;

  beforeAll(async () => {
    engine = await Engine.open({ backend: 'docker' });
    await seedTestImage(engine);
    dir = await mkdtemp(join(tmpdir(), 'stowage-docker-build-'));
  });

  afterAll(async () => {
    for (const ref of [`${tag}:1`, `${tag}:2`, `${tag}:3`]) await engine.images.get(ref).then((i) => i.remove({ force: true })).catch(() => undefined);
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds a directory context filtered by .dockerignore, with args, labels and steps', async () => {
    await writeFile(join(dir, 'Dockerfile'), `FROM ${TEST_IMAGE}\nARG MSG\nCOPY . /ctx\nRUN echo "$MSG" > /msg\nCMD ["sh", "-c", "cat /msg; ls /ctx"]\n`);
    await writeFile(join(dir, '.dockerignore'), 'secret.txt\nDockerfile\n');
    await writeFile(join(dir, 'kept.txt'), 'kept\n');
    await writeFile(join(dir, 'secret.txt'), 'secret\n');
    const progress: string[] = [];
    const { image, steps } = await engine.images.build({
      context: dir, tags: [`${tag}:1`], buildArgs: { MSG: 'hello build' }, labels: { built: 'yes' },
      onProgress: (e) => progress.push(e.status),
    });
    expect(steps.map((s) => s.instruction)).toEqual([`FROM ${TEST_IMAGE}`, 'ARG MSG', 'COPY . /ctx', 'RUN echo "$MSG" > /msg', 'CMD ["sh", "-c", "cat /msg; ls /ctx"]',
      // The classic builder applies build labels as a step of its own.
      'LABEL built=yes']);
    expect(progress.some((p) => p.startsWith('Step 1/6'))).toBe(true);
    const info = await image.inspect();
    expect(info.repoTags).toContain(`${tag}:1`);
    expect(info.config.labels).toEqual({ built: 'yes' });
    const c = await engine.containers.run({ image: `${tag}:1`, pull: 'never' });
    try {
      await c.wait();
      const out: string[] = [];
      for await (const line of c.logs()) out.push(line.text);
      // The Dockerfile is sent although .dockerignore names it (the build needs it), but as
      // with `docker build`, COPY . leaves out what .dockerignore names; secret.txt is never sent.
      expect(out).toEqual(['hello build', 'kept.txt']);
    } finally {
      await c.remove({ force: true });
    }
    const again = await engine.images.build({ context: dir, tags: [`${tag}:2`], buildArgs: { MSG: 'hello build' }, labels: { built: 'yes' } });
    expect(again.image.id).toBe(image.id);
    expect(again.steps.slice(1).every((s) => s.cached)).toBe(true);
  });

  it('a failing step is a BuildError naming the step', async () => {
    const failing = await mkdtemp(join(dir, 'fail-'));
    await writeFile(join(failing, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo ok\nRUN exit 3\n`);
    // The classic builder keeps the images of the steps that succeeded: remove them after.
    const intermediate = new Set<string>();
    const onProgress = (e: { status: string }) => {
      for (const m of e.status.matchAll(/---> ([0-9a-f]{12})\b/g)) intermediate.add(m[1]!);
    };
    const err = await engine.images.build({ context: failing, onProgress })
      .then(() => undefined, (e: unknown) => e as Error & { code: string; details: Record<string, unknown> })
      .finally(async () => {
        for (const id of intermediate) await engine.images.get(id).then((i) => i.remove({ force: true })).catch(() => undefined);
      });
    expect(err?.code).toBe('BUILD_FAILED');
    expect(err?.details).toMatchObject({ step: 3, instruction: 'RUN exit 3', exitCode: 3 });
    expect(err?.message).toMatch(/step 3 \(RUN exit 3\)/);
  });

  it('heredocs and RUN --mount are refused with a BuildError naming the feature', async () => {
    const hd = await mkdtemp(join(dir, 'heredoc-'));
    await writeFile(join(hd, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN <<EOF\necho hi\nEOF\n`);
    await expect(engine.images.build({ context: hd })).rejects.toMatchObject({ code: 'BUILD_FAILED', details: { feature: 'heredocs', line: 2 } });
    await writeFile(join(hd, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN --mount=type=cache,target=/c true\n`);
    await expect(engine.images.build({ context: hd })).rejects.toMatchObject({ code: 'BUILD_FAILED', details: { feature: 'RUN --mount' } });
  });

  it('a tar-stream context is pruned too: an unused failing stage does not fail the build; heredocs are refused', async () => {
    // The Dockerfile comes after the other entries, as in a tar made by hand or by `tar c .`.
    const tarOf = (dockerfile: string): Readable => {
      const tar = pack();
      tar.entry({ name: 'sub/', type: 'directory' });
      tar.entry({ name: 'sub/a.txt' }, 'from the stream\n');
      tar.entry({ name: './Dockerfile' }, dockerfile);
      tar.finalize();
      return Readable.from(tar);
    };
    const dockerfile = [
      `FROM ${TEST_IMAGE} AS unused`, 'RUN exit 9',
      `FROM ${TEST_IMAGE} AS first`, 'RUN echo first > /first',
      `FROM ${TEST_IMAGE}`, 'COPY sub/a.txt /a.txt', 'COPY --from=1 /first /first', 'CMD ["cat", "/a.txt", "/first"]', '',
    ].join('\n');
    const { image, steps } = await engine.images.build({ context: tarOf(dockerfile), tags: [`${tag}:3`] });
    expect(steps.some((s) => s.instruction === 'RUN exit 9')).toBe(false);
    // The image of the last stage (the engine also names the images of earlier stages).
    expect((await image.inspect()).repoTags).toContain(`${tag}:3`);
    const c = await engine.containers.run({ image: image.id, pull: 'never' });
    try {
      await c.wait();
      const out: string[] = [];
      for await (const line of c.logs()) out.push(line.text);
      expect(out).toEqual(['from the stream', 'first']);
    } finally {
      await c.remove({ force: true });
    }
    await expect(engine.images.build({ context: tarOf(`FROM ${TEST_IMAGE}\nRUN <<EOF\necho hi\nEOF\n`) }))
      .rejects.toMatchObject({ code: 'BUILD_FAILED', details: { feature: 'heredocs', line: 2 } });
  });

  it('spawn().kill() is unsupported and the exec still ends with its own exit code', async () => {
    const c = await engine.containers.run({ image: TEST_IMAGE, cmd: ['sleep', '1000'], pull: 'never' });
    try {
      const p = c.spawn(['sh', '-c', 'echo x; exit 5']);
      await expect(p.kill()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      p.stdout.resume();
      p.stderr.resume();
      expect(await p.exit).toBe(5);
    } finally {
      await c.remove({ force: true });
    }
  });

  it('events carry names and map exec_start to exec', async () => {
    const seen: EngineEvent[] = [];
    const onExec = (e: EngineEvent) => seen.push(e);
    engine.events.on('container.exec', onExec);
    const c = await engine.containers.run({ image: TEST_IMAGE, cmd: ['sleep', '1000'], pull: 'never', name: `h10-ev-${process.pid}` });
    try {
      const deadline = Date.now() + 15_000;
      while (!seen.some((e) => e.id === c.id) && Date.now() < deadline) {
        await c.exec(['true']);
        if (!seen.some((e) => e.id === c.id)) await new Promise((r) => setTimeout(r, 100));
      }
      const e = seen.find((x) => x.id === c.id);
      expect(e).toMatchObject({ type: 'container', action: 'exec', name: c.name });
      expect(e!.time).toBeInstanceOf(Date);
    } finally {
      engine.events.off('container.exec', onExec);
      await c.remove({ force: true });
    }
  });

  it('an autoRemove container that exits at once still reports its exit code', async () => {
    const c = await engine.containers.run({ image: TEST_IMAGE, cmd: ['sh', '-c', 'exit 7'], autoRemove: true, pull: 'never' });
    expect(await c.wait()).toEqual({ exitCode: 7 });
  });
});
