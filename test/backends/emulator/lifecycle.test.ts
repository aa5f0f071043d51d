import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/core/backend.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../src/core/errors.js';
import type { EngineEvent } from '../../../src/core/schemas/index.js';
import type { Program } from '../../../src/backends/emulator/index.js';
import { allLogs, openBackend, pollUntil, req } from './helpers.js';

let backend: Backend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

/** Runs until signalled; with SIGTERM it exits 0 after saying so (a program that handles it). */
const server: Program = async (ctx) => {
  ctx.stdout.write('ready\n');
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  ctx.stdout.write(`got ${String(ctx.signal.reason)}\n`);
  return 0;
};

/** Never ends on its own and never looks at signals. */
const stubborn: Program = async (ctx) => {
  for (;;) await new Promise((resolve) => setTimeout(resolve, 5)).then(() => ctx.fs.stat('/'));
};

describe('emulator containers: lifecycle', () => {
  it('creates, starts, waits and reports the exit code and output', async () => {
    backend = await openBackend();
    const { id, name } = await backend.containers.create(req({ cmd: ['sh', '-c', 'echo hi; echo oops >&2; exit 3'] }));
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(name).toMatch(/^[a-z]+_[a-z]+\d?$/);
    expect((await backend.containers.inspect(id)).state.status).toBe('created');
    await backend.containers.start(id);
    expect(await backend.containers.wait(id)).toEqual({ exitCode: 3 });
    const info = await backend.containers.inspect(name);
    expect(info.state).toMatchObject({ status: 'exited', running: false, exitCode: 3 });
    expect(info.state.finishedAt).toBeInstanceOf(Date);
    const logs = await allLogs(backend, id);
    expect(logs.map((l) => [l.stream, l.text])).toEqual([['stdout', 'hi'], ['stderr', 'oops']]);
  });

  it('rejects a missing image and a name in use with Docker\'s texts', async () => {
    backend = await openBackend();
    await expect(backend.containers.create(req({ image: 'nope:1', cmd: ['true'] }))).rejects.toThrow(NotFoundError);
    await expect(backend.containers.create(req({ image: 'nope:1', cmd: ['true'] }))).rejects.toThrow(/No such image: nope:1/);
    const { id } = await backend.containers.create(req({ name: 'web1', cmd: ['true'] }));
    const err = await backend.containers.create(req({ name: 'web1', cmd: ['true'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe(
      `Conflict. The container name "/web1" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
  });

  it('fails start of a missing executable as Docker does and leaves it created with 127', async () => {
    backend = await openBackend();
    const { id } = await backend.containers.create(req({ cmd: ['foo'] }));
    const err = await backend.containers.start(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/OCI runtime create failed: .*exec: "foo": executable file not found in \$PATH: unknown/);
    const info = await backend.containers.inspect(id);
    expect(info.state).toMatchObject({ status: 'created', exitCode: 127, running: false });
    const [row] = await backend.containers.list({ all: true, filters: {} });
    expect(row?.status).toBe('Created');
  });

  it('stops a program that ignores SIGTERM with SIGKILL after the timeout: 137', async () => {
    backend = await openBackend({ programs: { stubborn } });
    const { id } = await backend.containers.create(req({ cmd: ['stubborn'] }));
    await backend.containers.start(id);
    // A user program is sent SIGTERM; this one never looks, so SIGKILL ends it.
    await backend.containers.stop(id, { timeout: 0 });
    expect((await backend.containers.inspect(id)).state).toMatchObject({ status: 'exited', exitCode: 137 });
  });

  it('lets a program that handles SIGTERM exit on its own', async () => {
    backend = await openBackend({ programs: { server } });
    const { id } = await backend.containers.create(req({ cmd: ['server'] }));
    await backend.containers.start(id);
    await pollUntil(async () => (await allLogs(backend!, id)).length > 0);
    await backend.containers.stop(id, { timeout: 5 });
    expect((await backend.containers.inspect(id)).state.exitCode).toBe(0);
    expect((await allLogs(backend, id)).map((l) => l.text)).toEqual(['ready', 'got SIGTERM']);
  });

  it('kill gives 128+n, remove refuses a running container unless forced', async () => {
    backend = await openBackend({ programs: { stubborn } });
    const { id } = await backend.containers.create(req({ cmd: ['stubborn'] }));
    await backend.containers.start(id);
    const err = await backend.containers.remove(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe(
      `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
    );
    await backend.containers.kill(id, 'SIGKILL');
    expect(await backend.containers.wait(id)).toEqual({ exitCode: 137 });
    await expect(backend.containers.kill(id, 'SIGKILL')).rejects.toThrow(ConflictError);
    await backend.containers.start(id);
    await backend.containers.remove(id, { force: true });
    await expect(backend.containers.inspect(id)).rejects.toThrow(NotFoundError);
  });

  it('pause holds every effect until unpause; exec into a paused container is a conflict', async () => {
    let ticks = 0;
    const ticker: Program = async (ctx) => {
      for (;;) {
        await ctx.fs.stat('/');
        ticks++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    backend = await openBackend({ programs: { ticker } });
    const { id } = await backend.containers.create(req({ cmd: ['ticker'] }));
    await backend.containers.start(id);
    await pollUntil(() => ticks > 3);
    await backend.containers.pause(id);
    const frozen = ticks;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    // At most the effect already past the gate completes.
    expect(ticks - frozen).toBeLessThanOrEqual(1);
    expect((await backend.containers.inspect(id)).state).toMatchObject({ status: 'paused', paused: true, running: true });
    const err = await backend.containers.exec(id, { argv: ['true'], env: [], stdin: false, tty: false }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`Container ${id} is paused, unpause the container before exec`);
    await expect(backend.containers.pause(id)).rejects.toThrow(ConflictError);
    await backend.containers.unpause(id);
    const resumed = ticks;
    await pollUntil(() => ticks > resumed + 3);
    await backend.containers.kill(id, 'SIGKILL');
    await expect(backend.containers.exec(id, { argv: ['true'], env: [], stdin: false, tty: false })).rejects.toThrow(`Container ${id} is not running`);
  });

  it('renames, restarts and removes itself with autoRemove; events follow the lifecycle', async () => {
    backend = await openBackend();
    const events: EngineEvent[] = [];
    const sub = await backend.subscribeEvents((e) => events.push(e), () => undefined);
    // Names that are not hex: a lookup by a gone name must not hit an ID prefix by chance.
    const { id } = await backend.containers.create(req({ name: 'first', cmd: ['sh', '-c', 'echo run'] }));
    await backend.containers.rename(id, 'second');
    expect((await backend.containers.inspect('second')).name).toBe('second');
    await expect(backend.containers.inspect('first')).rejects.toThrow(NotFoundError);
    await backend.containers.start(id);
    await backend.containers.wait(id);
    await backend.containers.restart(id);
    await backend.containers.wait(id);
    expect((await allLogs(backend, id)).map((l) => l.text)).toEqual(['run', 'run']);
    const auto = await backend.containers.create(req({ autoRemove: true, cmd: ['true'] }));
    await backend.containers.start(auto.id);
    await pollUntil(async () => (await backend!.containers.list({ all: true, filters: {} })).every((c) => c.id !== auto.id));
    await sub.close();
    const actions = events.filter((e) => e.type === 'container' && e.id === id).map((e) => e.action);
    // The second run may end before or after `restart` is announced.
    expect(actions.slice(0, 4)).toEqual(['create', 'rename', 'start', 'die']);
    expect(actions.slice(4).sort()).toEqual(['die', 'restart', 'start']);
    expect(actions.indexOf('start', 4)).toBeLessThan(actions.lastIndexOf('die'));
    expect(events.filter((e) => e.id === auto.id).map((e) => e.action)).toEqual(['create', 'start', 'die', 'destroy']);
  });
});
