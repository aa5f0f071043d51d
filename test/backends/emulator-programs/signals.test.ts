import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Program } from '../../../src/backends/emulator/program.js';
import { run, sh, until } from './helpers/harness.js';

/** A stdout that records text as it arrives, so tests can wait for a program to be ready. */
function liveOutput(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  return { stream, text: () => text };
}

describe('signals and backpressure', () => {
  it('ends a killed `sleep 1000` at once with 137', async () => {
    const ac = new AbortController();
    let sleeping = false;
    const done = run(['sleep', '1000'], { signal: ac.signal, onSleep: () => (sleeping = true) });
    await until(() => sleeping);
    ac.abort('SIGKILL');
    expect((await done).code).toBe(137);
  });

  it('ends a shell waiting on `sleep` with 128 + SIGTERM', async () => {
    const ac = new AbortController();
    const out = liveOutput();
    const done = sh('echo started; sleep 1000; echo never', { signal: ac.signal, stdout: out.stream });
    await until(() => out.text() === 'started\n');
    ac.abort('SIGTERM');
    const r = await done;
    expect(r.code).toBe(143);
    expect(out.text()).toBe('started\n');
  });

  it("lets `trap 'exit 0' TERM` handle SIGTERM", async () => {
    const ac = new AbortController();
    const out = liveOutput();
    const done = sh("trap 'echo caught; exit 0' TERM; echo ready; while true; do sleep 1; done", {
      signal: ac.signal,
      stdout: out.stream,
    });
    await until(() => out.text() === 'ready\n');
    ac.abort('SIGTERM');
    expect((await done).code).toBe(0);
    expect(out.text()).toBe('ready\ncaught\n');
  });

  it('runs the EXIT trap when the script ends', async () => {
    const r = await sh("trap 'echo bye' EXIT; echo hi; exit 3");
    expect(r).toMatchObject({ stdout: 'hi\nbye\n', code: 3 });
  });

  it('interrupts `wait` on a background job', async () => {
    const ac = new AbortController();
    const out = liveOutput();
    const done = sh('sleep 1000 & echo bg; wait', { signal: ac.signal, stdout: out.stream });
    await until(() => out.text() === 'bg\n');
    ac.abort('SIGTERM');
    expect((await done).code).toBe(143);
  });

  it('rejects a launch whose signal already fired', async () => {
    const ac = new AbortController();
    ac.abort('SIGKILL');
    await expect(run(['true'], { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('interrupts a `read` from an open stdin', async () => {
    const ac = new AbortController();
    const stdin = new PassThrough();
    const done = run(['sh', '-c', 'read line; echo got $line'], { signal: ac.signal, stdin });
    await until(() => stdin.listenerCount('readable') > 0);
    ac.abort('SIGINT');
    expect((await done).code).toBe(130);
    stdin.end();
  });

  it('bounds `yes` by its reader: EPIPE ends it when head is done', async () => {
    const r = await sh('yes | head -n 2; echo "status $?"');
    expect(r.stdout).toBe('y\ny\nstatus 0\n');
  });

  it('stops `yes` writing to a stdout nobody reads when it is killed', async () => {
    const ac = new AbortController();
    // A stdout that never drains: yes must wait for 'drain', then leave on the signal.
    let written = 0;
    const stuck = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _e, _cb) {
        written += chunk.length;
      },
    });
    const done = run(['yes'], { signal: ac.signal, stdout: stuck });
    await until(() => written > 0);
    ac.abort('SIGKILL');
    expect((await done).code).toBe(137);
    // One block went out; the stream never drained, so nothing more was written.
    expect(written).toBeLessThanOrEqual(64 * 1024);
  });

  it('follows a growing file with tail -f until killed', async () => {
    const ac = new AbortController();
    const out = liveOutput();
    const prep = await sh('echo first > /log');
    const done = run(['tail', '-f', '-s', '0.05', '/log'], { fs: prep.fs, signal: ac.signal, stdout: out.stream });
    await until(() => out.text() === 'first\n');
    await prep.fs.appendFile('/log', 'second\n');
    await until(() => out.text() === 'first\nsecond\n');
    ac.abort('SIGTERM');
    expect((await done).code).toBe(143);
  });

  it('keeps an interactive shell answering line by line', async () => {
    const stdin = new PassThrough();
    const out = liveOutput();
    const done = run(['sh'], { stdin, stdout: out.stream });
    stdin.write('echo first\n');
    await until(() => out.text() === 'first\n');
    stdin.write('x=2; echo $((x * 21))\n');
    await until(() => out.text() === 'first\n42\n');
    stdin.end();
    expect((await done).code).toBe(0);
  });
});

describe('background jobs', () => {
  it('ends the jobs a shell leaves running when it exits, as a container does', async () => {
    let reason: unknown;
    const probe: Program = (ctx) =>
      new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          reason = ctx.signal.reason;
          resolve(0);
        });
      });
    const r = await sh('probe & echo started', { launch: { programs: { probe }, fallbackToBuiltins: true } });
    expect(r).toMatchObject({ code: 0, stdout: 'started\n' });
    await until(() => reason !== undefined);
    expect(reason).toBe('SIGKILL');
  });

  it('keeps jobs alive while the shell waits for them', async () => {
    const r = await sh('(sleep 0.02; echo job) & echo main; wait; echo after');
    expect(r.stdout).toBe('main\njob\nafter\n');
  });
});
