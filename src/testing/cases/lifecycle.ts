/**
 * Conformance cases: container lifecycle, states, names and `ps -a` rows.
 *
 * @module
 */
import { expect, it } from 'vitest';
import { create, rejectsWithCode, run, runToEnd, sleeper } from '../case-helpers.js';
import { eventually, type SuiteContext } from '../suite-context.js';

/** Registers the lifecycle cases. */
export function lifecycleCases(ctx: SuiteContext): void {
  it('tutorial: create then ps -a shows the container as Created', async () => {
    const c = await create(ctx, { cmd: ['sleep', '1000'] });
    const all = await ctx.engine.containers.list({ all: true });
    const row = all.find((r) => r.id === c.id);
    expect(row).toBeDefined();
    expect(row!.names[0]).toBe(c.name);
    expect(row!.state).toBe('created');
    expect(row!.status).toBe('Created');
    expect(row!.image).toBe(ctx.image);
    const running = await ctx.engine.containers.list();
    expect(running.some((r) => r.id === c.id)).toBe(false);
  });

  it('runs a command to its exit code', async () => {
    const { container, exitCode, stdout } = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo hello; exit 3'] });
    expect(exitCode).toBe(3);
    expect(stdout).toBe('hello');
    const row = (await ctx.engine.containers.list({ all: true })).find((r) => r.id === container.id)!;
    // `docker ps` quotes the arguments that hold a space.
    expect(row.command).toBe("sh -c 'echo hello; exit 3'");
  });

  it('stop of sleep 1000 ends with 137 after the timeout (PID 1 ignores SIGTERM)', async () => {
    const c = await sleeper(ctx);
    const running = await c.inspect();
    expect(running.state.status).toBe('running');
    expect(running.state.running).toBe(true);
    expect(running.state.startedAt).toBeInstanceOf(Date);
    await c.stop({ timeout: 1 });
    expect(await c.wait()).toEqual({ exitCode: 137 });
    const info = await c.inspect();
    expect(info.state.status).toBe('exited');
    expect(info.state.running).toBe(false);
    expect(info.state.exitCode).toBe(137);
    expect(info.state.finishedAt).toBeInstanceOf(Date);
    const row = (await ctx.engine.containers.list({ all: true })).find((r) => r.id === c.id)!;
    expect(row.status).toMatch(/^Exited \(137\) /);
  });

  it('a program that traps SIGTERM exits by itself on stop', async () => {
    const c = await run(ctx, { cmd: ['sh', '-c', 'trap "exit 0" TERM; echo ready; while true; do sleep 0.1; done'] });
    await eventually(async () => ((await c.inspect()).state.running ? true : undefined), 'the container to run');
    await eventually(async () => {
      for await (const line of c.logs()) if (line.text === 'ready') return true;
      return undefined;
    }, 'the trap to be set');
    await c.stop({ timeout: 30 });
    expect(await c.wait()).toEqual({ exitCode: 0 });
  });

  it('kill ends the container with 128+n', async () => {
    const c = await sleeper(ctx);
    await c.kill();
    expect(await c.wait()).toEqual({ exitCode: 137 });
  });

  it('restart runs the command again and keeps the logs', async () => {
    const c = await run(ctx, { cmd: ['sh', '-c', 'echo started; sleep 1000'] });
    await c.restart({ timeout: 0 });
    expect((await c.inspect()).state.running).toBe(true);
    await eventually(async () => {
      let n = 0;
      for await (const line of c.logs()) if (line.text === 'started') n++;
      return n >= 2 ? n : undefined;
    }, 'the second start to log');
  });

  it('pause and unpause; exec into a paused container is a conflict', async ({ skip }) => {
    ctx.need('pause', skip);
    const c = await sleeper(ctx);
    await c.pause();
    const paused = await c.inspect();
    expect(paused.state.status).toBe('paused');
    expect(paused.state.paused).toBe(true);
    const row = (await ctx.engine.containers.list()).find((r) => r.id === c.id)!;
    expect(row.status).toMatch(/\(Paused\)$/);
    await rejectsWithCode(c.exec(['true']), 'CONFLICT');
    await c.unpause();
    expect((await c.inspect()).state.status).toBe('running');
    expect((await c.exec(['true'])).exitCode).toBe(0);
  });

  it('rename keeps the container and frees the old name', async () => {
    const c = await create(ctx, { cmd: ['true'] });
    const old = c.name;
    const next = ctx.unique('renamed');
    await c.rename(next);
    expect(c.name).toBe(next);
    expect((await ctx.engine.containers.get(next)).id).toBe(c.id);
    await rejectsWithCode(ctx.engine.containers.get(old), 'NOT_FOUND');
  });

  it('remove of a running container needs force', async () => {
    const c = await sleeper(ctx);
    await rejectsWithCode(c.remove(), 'CONFLICT');
    await c.remove({ force: true });
    await rejectsWithCode(ctx.engine.containers.get(c.id), 'NOT_FOUND');
  });

  it('a name in use is a conflict', async () => {
    const c = await create(ctx, { cmd: ['true'] });
    await rejectsWithCode(ctx.engine.containers.create({ image: ctx.image, name: c.name }), 'CONFLICT');
  });

  it('get accepts a /name, the full ID and a unique ID prefix', async () => {
    const c = await create(ctx, { cmd: ['true'] });
    expect(c.id).toMatch(/^[0-9a-f]{64}$/);
    expect((await ctx.engine.containers.get(`/${c.name}`)).id).toBe(c.id);
    expect((await ctx.engine.containers.get(c.id)).name).toBe(c.name);
    expect((await ctx.engine.containers.get(c.id.slice(0, 12))).id).toBe(c.id);
    await rejectsWithCode(ctx.engine.containers.get(ctx.unique('missing')), 'NOT_FOUND');
  });

  it('a missing executable fails start and leaves the container created with exit code 127', async () => {
    const c = await create(ctx, { cmd: ['no-such-command-here'] });
    await rejectsWithCode(c.start(), 'INVALID_ARGUMENT');
    const info = await c.inspect();
    expect(info.state.status).toBe('created');
    expect(info.state.exitCode).toBe(127);
  });

  it('create never pulls: a missing image is NotFound', async () => {
    await rejectsWithCode(ctx.engine.containers.create({ image: `${ctx.unique('stowage-missing')}:1` }), 'NOT_FOUND');
    await rejectsWithCode(ctx.engine.containers.run({ image: `${ctx.unique('stowage-missing')}:1`, pull: 'never' }), 'NOT_FOUND');
  });

  it('autoRemove removes the container once it exits', async () => {
    const c = await ctx.engine.containers.run({ image: ctx.image, name: ctx.unique('auto'), cmd: ['true'], autoRemove: true, pull: 'never' });
    await eventually(async () => {
      try {
        await ctx.engine.containers.get(c.id);
        return undefined;
      } catch (err) {
        return (err as { code?: string }).code === 'NOT_FOUND' ? true : undefined;
      }
    }, 'the container to be removed');
  });

  it('list filters by label, status, name and ancestor', async () => {
    const label = ctx.unique('team');
    const a = await sleeper(ctx, { labels: { team: label } });
    const b = await create(ctx, { cmd: ['true'], labels: { team: label } });
    const byLabel = await ctx.engine.containers.list({ all: true, filters: { label: [`team=${label}`] } });
    expect(byLabel.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(byLabel.find((r) => r.id === a.id)!.labels).toEqual({ team: label });
    const created = await ctx.engine.containers.list({ all: true, filters: { label: [`team=${label}`], status: ['created'] } });
    expect(created.map((r) => r.id)).toEqual([b.id]);
    const byName = await ctx.engine.containers.list({ all: true, filters: { name: [a.name] } });
    expect(byName.map((r) => r.id)).toEqual([a.id]);
    const byAncestor = await ctx.engine.containers.list({ all: true, filters: { ancestor: [ctx.image], label: [`team=${label}`] } });
    expect(byAncestor.length).toBe(2);
  });

  it('inspect reports the config the container was created with', async () => {
    const c = await create(ctx, {
      cmd: ['sh', '-c', 'true'], env: { FOO: 'bar' }, workingDir: '/tmp', hostname: 'box1',
      labels: { a: 'b' }, exposedPorts: ['8080/tcp'],
    });
    const info = await c.inspect();
    expect(info.name).toBe(c.name);
    expect(info.config.cmd).toEqual(['sh', '-c', 'true']);
    // Docker's merge: the container's own entries first, then the image's it did not override.
    expect(info.config.env[0]).toBe('FOO=bar');
    expect(info.config.env.some((e) => e.startsWith('PATH='))).toBe(true);
    expect(info.config.workingDir).toBe('/tmp');
    expect(info.config.hostname).toBe('box1');
    expect(info.config.labels).toEqual({ a: 'b' });
    expect(info.config.exposedPorts).toContain('8080/tcp');
    expect(info.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info.created).toBeInstanceOf(Date);
  });

  it('an aborted signal rejects wait with AbortError carrying the reason', async () => {
    const c = await sleeper(ctx);
    const ac = new AbortController();
    const waiting = c.wait({ signal: ac.signal });
    const reason = new Error('test gave up');
    ac.abort(reason);
    const err = await rejectsWithCode(waiting, 'ABORTED');
    expect(err.cause).toBe(reason);
    expect((await c.inspect()).state.running).toBe(true);
  });
}
