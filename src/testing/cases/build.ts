/**
 * Conformance cases: Dockerfile builds (the tutorial's third chapter). Every backend with
 * `capabilities.build` runs them; heredoc cases also need `buildHeredocs`.
 *
 * @module
 */
import { utimes, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { rejectsWithCode, runToEnd } from '../case-helpers.js';
import type { SuiteContext } from '../suite-context.js';

/** Writes a context directory: file path -> content. */
async function contextDir(ctx: SuiteContext, files: Record<string, string>): Promise<string> {
  const dir = await ctx.tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** Builds and registers the image's removal. */
async function build(ctx: SuiteContext, context: string, extra: { target?: string; buildArgs?: Record<string, string>; noCache?: boolean } = {}) {
  const tag = `${ctx.unique('stowage-build')}:1`;
  const result = await ctx.engine.images.build({ context, tags: [tag], ...extra });
  ctx.cleanup(() => result.image.remove({ force: true }).catch(() => undefined));
  return { ...result, tag };
}

/** The build cases. */
export function buildCases(ctx: SuiteContext): void {
  it('builds the tutorial image: config from ENV/WORKDIR/CMD/EXPOSE/LABEL, files from COPY and RUN', async ({ skip }) => {
    ctx.need('build', skip);
    const dir = await contextDir(ctx, {
      'index.html': '<h1>hi</h1>\n',
      Dockerfile: [
        `FROM ${ctx.image}`,
        'ENV GREETING=hello',
        'WORKDIR /srv/www',
        'COPY index.html .',
        'RUN echo "$GREETING from RUN" > made.txt',
        'EXPOSE 80',
        'LABEL stage=test',
        'CMD ["cat", "/srv/www/made.txt"]',
        '',
      ].join('\n'),
    });
    const { image, steps, tag } = await build(ctx, dir);
    const info = await image.inspect();
    expect(info.config.env).toContain('GREETING=hello');
    expect(info.config.workingDir).toBe('/srv/www');
    expect(info.config.cmd).toEqual(['cat', '/srv/www/made.txt']);
    expect(info.config.exposedPorts).toEqual(['80/tcp']);
    expect(info.config.labels).toMatchObject({ stage: 'test' });
    expect(steps.map((s) => s.instruction)).toEqual([
      `FROM ${ctx.image}`, 'ENV GREETING=hello', 'WORKDIR /srv/www', 'COPY index.html .',
      'RUN echo "$GREETING from RUN" > made.txt', 'EXPOSE 80', 'LABEL stage=test', 'CMD ["cat", "/srv/www/made.txt"]',
    ]);
    const run = await runToEnd(ctx, { image: tag });
    expect(run.stdout).toBe('hello from RUN');
    const copied = await runToEnd(ctx, { image: tag, cmd: ['cat', 'index.html'] });
    expect(copied.stdout).toBe('<h1>hi</h1>');
  });

  it('reuses the cache for an unchanged rebuild and rebuilds from a changed COPY source on', async ({ skip }) => {
    ctx.need('build', skip);
    const dir = await contextDir(ctx, {
      'app.txt': 'v1\n',
      Dockerfile: `FROM ${ctx.image}\nRUN echo one > /one\nCOPY app.txt /app.txt\nRUN cat /app.txt > /copy\nENV X=1\n`,
    });
    await build(ctx, dir);
    const again = await build(ctx, dir);
    expect(again.steps.every((s) => s.cached), JSON.stringify(again.steps)).toBe(true);
    // A new mtime with the same content keeps the cache.
    await utimes(join(dir, 'app.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = await build(ctx, dir);
    expect(touched.steps.every((s) => s.cached), JSON.stringify(touched.steps)).toBe(true);
    await writeFile(join(dir, 'app.txt'), 'v2\n');
    const changed = await build(ctx, dir);
    expect(changed.steps.map((s) => s.cached)).toEqual([true, true, false, false, false]);
    const out = await runToEnd(ctx, { image: changed.tag, cmd: ['cat', '/copy'] });
    expect(out.stdout).toBe('v2');
  });

  it('builds only the stages the target needs and copies between stages', async ({ skip }) => {
    ctx.need('build', skip);
    const dir = await contextDir(ctx, {
      Dockerfile: [
        `FROM ${ctx.image} AS broken`,
        'RUN exit 3',
        `FROM ${ctx.image} AS builder`,
        'RUN echo artifact > /artifact',
        `FROM ${ctx.image}`,
        'COPY --from=builder /artifact /artifact',
        'CMD ["cat", "/artifact"]',
        '',
      ].join('\n'),
    });
    const { tag, steps } = await build(ctx, dir);
    expect(steps.some((s) => s.instruction === 'RUN exit 3')).toBe(false);
    expect((await runToEnd(ctx, { image: tag })).stdout).toBe('artifact');
    const failing = await rejectsWithCode(ctx.engine.images.build({ context: dir, target: 'broken', tags: [`${ctx.unique('stowage-build')}:1`] }), 'BUILD_FAILED');
    expect((failing as unknown as { details: Record<string, unknown> }).details).toMatchObject({ exitCode: 3 });
  });

  it('a failing RUN leaves no container behind', async ({ skip }) => {
    ctx.need('build', skip);
    // Other suites share the engine: the step's container is recognised by a marker of its own.
    const marker = ctx.unique('about-to-fail');
    const dir = await contextDir(ctx, { Dockerfile: `FROM ${ctx.image}\nRUN echo ${marker} && exit 7\n` });
    const error = await rejectsWithCode(ctx.engine.images.build({ context: dir, tags: [`${ctx.unique('stowage-build')}:1`] }), 'BUILD_FAILED');
    const details = (error as unknown as { details: Record<string, unknown> }).details;
    expect(details).toMatchObject({ exitCode: 7 });
    expect(String(details.output)).toContain(marker);
    const left = (await ctx.engine.containers.list({ all: true })).filter((c) => c.command.includes(marker));
    expect(left).toEqual([]);
  });

  it('ENTRYPOINT clears an inherited CMD; ARG values reach RUN; .dockerignore hides files', async ({ skip }) => {
    ctx.need('build', skip);
    const dir = await contextDir(ctx, {
      'keep.txt': 'keep\n',
      'secret.txt': 'secret\n',
      '.dockerignore': 'secret.txt\n',
      Dockerfile: `FROM ${ctx.image}\nARG WHO=nobody\nRUN echo "$WHO" > /who\nCOPY *.txt /files/\nENTRYPOINT ["cat"]\n`,
    });
    const { image, tag } = await build(ctx, dir, { buildArgs: { WHO: 'tester' } });
    const info = await image.inspect();
    expect(info.config.entrypoint).toEqual(['cat']);
    expect(info.config.cmd).toBeNull();
    expect((await runToEnd(ctx, { image: tag, cmd: ['/who'] })).stdout).toBe('tester');
    const listing = await runToEnd(ctx, { image: tag, entrypoint: ['ls'], cmd: ['/files'] });
    expect(listing.stdout.split('\n')).toEqual(['keep.txt']);
  });

  it('RUN and COPY take heredocs', async ({ skip }) => {
    ctx.need('build', skip);
    ctx.need('buildHeredocs', skip);
    const dir = await contextDir(ctx, {
      Dockerfile: `FROM ${ctx.image}\nRUN <<EOF\necho from heredoc > /h\nEOF\nCOPY <<EOF /c.txt\ncopied\nEOF\n`,
    });
    const { tag } = await build(ctx, dir);
    expect((await runToEnd(ctx, { image: tag, cmd: ['cat', '/h', '/c.txt'] })).stdout).toBe('from heredoc\ncopied');
  });
}
