/**
 * The emulator's process model: a container's process table (PIDs, the limit), its time
 * slices, the controls a program's context carries, and the PIDs a shell sees.
 */
import { describe, expect, it } from 'vitest';
import { PauseGate } from '../../../src/backends/emulator/containers/pause-gate.js';
import { processControls } from '../../../src/backends/emulator/containers/process-controls.js';
import { DEFAULT_PIDS_LIMIT, ProcessTable } from '../../../src/backends/emulator/containers/process-table.js';
import { Scheduler } from '../../../src/backends/emulator/containers/scheduler.js';
import type { EmulatorContainers } from '../../../src/backends/emulator/containers/container-backend.js';
import { ForkError, SignalledError } from '../../../src/backends/emulator/programs/io.js';
import { sh } from '../emulator-programs/helpers/harness.js';
import { openBackend, pollUntil, req } from './helpers.js';

describe('ProcessTable', () => {
  it('numbers processes from 1 as Linux does and lists them by PID', () => {
    const t = new ProcessTable(10);
    const init = t.add(0, ['sh'], true);
    const a = t.add(1, ['ls']);
    const b = t.add(1, ['cat']);
    expect([init.pid, a.pid, b.pid]).toEqual([1, 2, 3]);
    t.remove(a);
    // A freed PID is not reused until the numbers wrap.
    expect(t.add(1, ['wc']).pid).toBe(4);
    expect(t.list().map((p) => [p.pid, p.ppid, p.argv.join(' ')])).toEqual([[1, 0, 'sh'], [3, 1, 'cat'], [4, 1, 'wc']]);
    expect(t.get(3)?.argv).toEqual(['cat']);
  });

  it('refuses a fork past the limit with EAGAIN, but lets a process enter from outside', () => {
    const t = new ProcessTable(2);
    t.add(0, ['sh'], true);
    t.add(1, ['sleep']);
    let error: unknown;
    try {
      t.add(1, ['x']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ForkError);
    expect(error).toMatchObject({ code: 'EAGAIN', message: 'Resource temporarily unavailable' });
    // `docker exec` is moved into the cgroup after it was made: pids.max does not stop it.
    expect(t.add(0, ['echo'], true).pid).toBe(3);
    expect(t.size).toBe(3);
  });

  it('has no limit at 0 or -1, as Docker reads PidsLimit, and 1024 by default', () => {
    expect(new ProcessTable(0).limit).toBe(Infinity);
    expect(new ProcessTable(-1).limit).toBe(Infinity);
    expect(new ProcessTable().limit).toBe(DEFAULT_PIDS_LIMIT);
    expect(DEFAULT_PIDS_LIMIT).toBe(1024);
  });

  it('wraps past pid_max to 300, skipping PIDs in use, and starts at 1 again once cleared', () => {
    const t = new ProcessTable(0);
    const keep = t.add(0, ['init'], true);
    let last = keep;
    for (let i = 0; i < 32766; i++) {
      const p = t.add(1, ['x']);
      if (p.pid !== 300) t.remove(p);
      last = p;
    }
    expect(last.pid).toBe(32767);
    expect(t.add(1, ['y']).pid).toBe(301);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.add(0, ['sh'], true).pid).toBe(1);
  });

  it('ignores the removal of a process whose PID was reused after a clear', () => {
    const t = new ProcessTable();
    const old = t.add(0, ['old'], true);
    t.clear();
    const fresh = t.add(0, ['new'], true);
    t.remove(old);
    expect(t.get(fresh.pid)).toBe(fresh);
  });
});

describe('Scheduler', () => {
  it('reads the clock only every checkEvery steps and asks for a turn once the slice is over', () => {
    const s = new Scheduler({ sliceMs: 0, checkEvery: 3 });
    // The third step reads the clock and starts a slice; the sixth finds it used up.
    expect([s.due(), s.due(), s.due(), s.due(), s.due(), s.due()]).toEqual([false, false, false, false, false, true]);
  });

  it('gives every waiting process the same next turn, after the event loop has run', async () => {
    const s = new Scheduler({ sliceMs: 0, checkEvery: 1 });
    s.due();
    expect(s.due()).toBe(true);
    let timerRan = false;
    setImmediate(() => (timerRan = true));
    const a = s.nextTurn();
    expect(s.nextTurn()).toBe(a);
    await a;
    expect(timerRan).toBe(true);
    // The turn starts a fresh slice.
    expect(s.due()).toBe(false);
  });
});

describe('process controls', () => {
  function setup(limit = 8) {
    const table = new ProcessTable(limit);
    const gate = new PauseGate();
    const kill = new AbortController();
    const controls = processControls({ table, scheduler: new Scheduler(), gate, fatal: kill.signal }, table.add(0, ['sh'], true));
    return { table, gate, kill, controls };
  }

  it('lets a running program through its checkpoint without a promise', () => {
    const { controls } = setup();
    for (let i = 0; i < 10; i++) expect(controls.checkpoint()).toBeUndefined();
  });

  it('holds a paused program at its checkpoint until unpaused', async () => {
    const { controls, gate } = setup();
    gate.pause();
    let passed = false;
    const wait = controls.checkpoint()!.then(() => (passed = true));
    await new Promise((r) => setImmediate(r));
    expect(passed).toBe(false);
    gate.resume();
    await wait;
    expect(passed).toBe(true);
  });

  it('throws SIGKILL at the checkpoint of a killed program, even a paused one', async () => {
    const { controls, gate, kill } = setup();
    gate.pause();
    const wait = controls.checkpoint()!;
    kill.abort('SIGKILL');
    await expect(wait).rejects.toBeInstanceOf(SignalledError);
    await expect(controls.checkpoint()).rejects.toMatchObject({ signalName: 'SIGKILL' });
  });

  it('registers forks as children, forgets them on exit, and drops them all when killed', () => {
    const { controls, table, kill } = setup();
    const child = controls.fork(['sh', 'sub']);
    const grandchild = child.fork();
    expect(table.list().map((p) => [p.pid, p.ppid, p.argv.join(' ')])).toEqual([[1, 0, 'sh'], [2, 1, 'sh sub'], [3, 2, 'sh sub']]);
    grandchild.exit();
    grandchild.exit();
    expect(table.size).toBe(2);
    {
      using scoped = controls.fork();
      expect(table.get(scoped.pid)).toBeDefined();
    }
    expect(table.size).toBe(2);
    kill.abort('SIGKILL');
    expect(table.list().map((p) => p.pid)).toEqual([1]);
    expect(() => controls.fork()).toThrow(SignalledError);
  });
});

describe('PIDs in the shell', () => {
  it('gives $$ the top shell\'s PID in subshells too, and $! the job\'s', async () => {
    const processes = new ProcessTable();
    const r = await sh('echo $$ $(echo $$) $(sh -c \'echo $$\'); sleep 0 & echo $!; wait', { processes });
    // 1 is the harness's process; each $( ) forks (2, 3) and the `sh -c` in the second one runs
    // in its process (it is that subshell's last command); the job is 4.
    expect(r.stdout).toBe('1 1 3\n4\n');
    expect(processes.list().map((p) => p.pid)).toEqual([1]);
  });

  it('runs a subshell\'s last program in the subshell\'s own process', async () => {
    const processes = new ProcessTable(3);
    // PID 1 + the stage forks: `ls` and `cat` exec in place, so three processes suffice.
    const r = await sh('ls / | cat > /dev/null; (true; ls / > /dev/null); echo $?', { processes });
    expect(r).toMatchObject({ stdout: '0\n', stderr: '', code: 0 });
  });

  it('refuses a fork past the limit as ash does and ends the shell with 2', async () => {
    const r = await sh('echo before; true | true; echo after', { processes: new ProcessTable(2) });
    expect(r).toMatchObject({ stdout: 'before\n', stderr: "sh: can't fork: Resource temporarily unavailable\n", code: 2 });
  });
});

describe('a container\'s processes', () => {
  it('lists PID 1 and its children while running, and nothing once it has exited', async () => {
    const backend = await openBackend();
    const containers = backend.containers as EmulatorContainers;
    const { id } = await containers.create(req({ cmd: ['sh', '-c', 'sleep 1000 & sleep 1000'] }));
    await containers.start(id);
    await pollUntil(() => containers.processes(id).length === 3);
    expect(containers.processes(id).map((p) => [p.pid, p.ppid])).toEqual([[1, 0], [2, 1], [3, 1]]);
    expect(containers.processes(id)[2]!.argv).toEqual(['sleep', '1000']);
    const exec = await containers.exec(id, { argv: ['sh', '-c', 'echo $$'], tty: false, stdin: false, env: [] });
    let out = '';
    exec.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    expect(await exec.exit).toBe(0);
    expect(out).toBe('4\n');
    await containers.kill(id, 'SIGKILL');
    expect(containers.processes(id)).toEqual([]);
    await backend.close();
  });
});
