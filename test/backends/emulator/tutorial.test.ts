import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/core/backend.js';
import { allLogs, openBackend, pollUntil, req } from './helpers.js';
import { ManualClock } from './manual-clock.js';

let backend: Backend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

describe('emulator containers: the tutorial\'s stop steps on a deterministic clock', () => {
  it('stop of `sleep 1000` waits out the timeout (PID 1 ignores SIGTERM) and ends with 137', async () => {
    const clock = new ManualClock();
    backend = await openBackend({ clock });
    const { id } = await backend.containers.create(req({ cmd: ['sleep', '1000'] }));
    await backend.containers.start(id);
    await pollUntil(() => clock.pending === 1);
    let stopped = false;
    const stopping = backend.containers.stop(id, { timeout: 1 }).then(() => {
      stopped = true;
    });
    // The sleep and the stop timer are both waiting: SIGTERM changed nothing.
    await pollUntil(() => clock.pending === 2);
    expect(stopped).toBe(false);
    expect((await backend.containers.inspect(id)).state.status).toBe('running');
    clock.advance(999);
    expect((await backend.containers.inspect(id)).state.status).toBe('running');
    clock.advance(1);
    await stopping;
    const info = await backend.containers.inspect(id);
    expect(info.state).toMatchObject({ status: 'exited', exitCode: 137 });
    expect(info.state.finishedAt?.getTime()).toBe(clock.now().getTime());
    const [row] = await backend.containers.list({ all: true, filters: {} });
    expect(row?.status).toBe('Exited (137) Less than a second ago');
  });

  it('a shell that traps TERM exits by itself, before the timeout', async () => {
    const clock = new ManualClock();
    backend = await openBackend({ clock });
    const { id } = await backend.containers.create(req({ cmd: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo ready; while true; do sleep 1; done'] }));
    await backend.containers.start(id);
    await pollUntil(async () => (await allLogs(backend!, id)).length > 0);
    await backend.containers.stop(id, { timeout: 30 });
    expect((await backend.containers.inspect(id)).state.exitCode).toBe(0);
    expect((await allLogs(backend, id)).map((l) => l.text)).toEqual(['ready', 'bye']);
  });

  it('an exec\'d process is not PID 1: SIGTERM ends its sleep with 143', async () => {
    const clock = new ManualClock();
    backend = await openBackend({ clock });
    const { id } = await backend.containers.create(req({ cmd: ['sleep', '1000'] }));
    await backend.containers.start(id);
    const p = await backend.containers.exec(id, { argv: ['sleep', '500'], env: [], stdin: false, tty: false });
    await pollUntil(() => clock.pending === 2);
    await p.kill('SIGTERM');
    expect(await p.exit).toBe(143);
    await backend.containers.kill(id, 'SIGKILL');
    expect(await backend.containers.wait(id)).toEqual({ exitCode: 137 });
  });
});
