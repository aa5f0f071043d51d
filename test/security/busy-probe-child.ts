/**
 * The busy-loop probes, run in a child process by busy-probe.ts so that a probe which freezes
 * the event loop cannot freeze the test runner too: the parent kills the child when its time
 * is up. Usage: `node --import tsx busy-probe-child.ts NAME`; the last line printed is the
 * probe's result as JSON.
 *
 * Each probe runs emulated containers through the public API while a host timer ticks, and
 * reports what happened (ticks seen, exit codes, output sizes), never wall-clock figures that
 * a test would assert on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/index.js';
import type { Container } from '../../src/core/container.js';

type Probe = (engine: Engine) => Promise<Record<string, unknown>>;

/** Counts the ticks of a host interval, as a host app's timers would run, and their gaps. */
function ticker(ms = 10): { count: () => number; gaps: () => { p50: number; max: number }; resetGaps: () => void; stop: () => void } {
  let count = 0;
  let last = performance.now();
  let gaps: number[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    count++;
  }, ms);
  return {
    count: () => count,
    gaps: () => {
      const sorted = [...gaps].sort((a, b) => a - b);
      return { p50: Math.round(sorted[sorted.length >> 1] ?? 0), max: Math.round(sorted[sorted.length - 1] ?? 0) };
    },
    resetGaps: () => (gaps = []),
    stop: () => clearInterval(timer),
  };
}

/** Waits until `check` holds, polling on a short timer, at most `tries` times. */
async function until(check: () => boolean | Promise<boolean>, tries = 1000): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** Lets `n` host ticks pass (time for a frozen container to show it is not frozen). */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 10));
}

async function logBytes(c: Container): Promise<number> {
  let n = 0;
  for await (const line of c.logs({ stdout: true, stderr: true })) n += line.text.length + 1;
  return n;
}

async function logText(c: Container): Promise<string> {
  const out: string[] = [];
  for await (const line of c.logs({ stdout: true, stderr: true })) out.push(line.text);
  return out.join('\n');
}

async function runBusy(engine: Engine, cmd: string[], extra: Record<string, unknown> = {}): Promise<Container> {
  return engine.containers.run({ image: 'busybox', cmd, ...extra });
}

/** Starts a busy container and checks the host's timers run while it spins; then kills it. */
function spinProbe(cmd: string[]): Probe {
  return async (engine) => {
    const t = ticker();
    const c = await runBusy(engine, cmd);
    const started = t.count();
    const ticked = await until(() => t.count() >= started + 5);
    const running = (await c.inspect()).state.running;
    await c.kill();
    const { exitCode } = await c.wait();
    t.stop();
    return { ticked, running, exitCode };
  };
}

/** Runs a script that ends by itself; counts the host's ticks while it runs. */
function finiteProbe(script: string): Probe {
  return async (engine) => {
    const t = ticker();
    const c = await runBusy(engine, ['sh', '-c', script]);
    const before = t.count();
    const { exitCode } = await c.wait();
    const during = t.count() - before;
    t.stop();
    return { exitCode, during, output: await logText(c) };
  };
}

const probes: Record<string, Probe> = {
  'sh-spin': spinProbe(['sh', '-c', 'while :; do :; done']),
  'sh-echo': spinProbe(['sh', '-c', 'while :; do echo x; done']),
  'sh-recursion': spinProbe(['sh', '-c', 'f() { f; }; f']),
  'awk-spin': spinProbe(['awk', 'BEGIN { while (1) {} }']),
  'awk-recursion': spinProbe(['awk', 'function f(n) { return n ? f(n - 1) : 0 } BEGIN { while (1) f(200) }']),
  'yes-null': spinProbe(['sh', '-c', 'yes > /dev/null']),
  'yes-pipe': spinProbe(['sh', '-c', 'yes | cat > /dev/null']),
  'seq-huge': spinProbe(['sh', '-c', 'seq 1 1000000000 > /dev/null']),
  'grep-stream': spinProbe(['sh', '-c', 'yes abc | grep -c x']),

  /** A finite loop: the host keeps ticking while it runs, and it still finishes. */
  'finite-loop': finiteProbe('i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo $i'),

  /** Big input through grep, sed and awk: finite, and the host keeps ticking meanwhile. */
  'filters': finiteProbe('yes abc | head -n 200000 > /tmp/in; grep -c b /tmp/in; sed -n "$=" /tmp/in; awk "END { print NR }" /tmp/in'),

  /** `stop({ timeout: 1 })`: PID 1 ignores TERM, SIGKILL after a second. */
  async 'stop'(engine) {
    const c = await runBusy(engine, ['sh', '-c', 'while :; do :; done']);
    await c.stop({ timeout: 1 });
    return { exitCode: (await c.wait()).exitCode, status: (await c.inspect()).state.status };
  },

  async 'stop-awk'(engine) {
    const c = await runBusy(engine, ['awk', 'BEGIN { while (1) {} }']);
    await c.stop({ timeout: 1 });
    return { exitCode: (await c.wait()).exitCode };
  },

  /** `kill()` ends a spinning PID 1 at once, with its pipeline and background jobs. */
  async 'kill'(engine) {
    const c = await runBusy(engine, ['sh', '-c', 'while :; do :; done & while :; do echo x; done | while read l; do :; done']);
    await c.kill();
    const { exitCode } = await c.wait();
    // The engine goes on working: a new container runs to its end.
    const after = await runBusy(engine, ['echo', 'after']);
    await after.wait();
    return { exitCode, after: await logText(after) };
  },

  /** `pause()` freezes a spinning writer; `unpause()` lets it go on. */
  async 'pause'(engine) {
    const c = await runBusy(engine, ['sh', '-c', 'while :; do echo x; done']);
    const wrote = await until(async () => (await logBytes(c)) > 0);
    await c.pause();
    const atPause = await logBytes(c);
    await ticks(20);
    const whilePaused = await logBytes(c);
    const status = (await c.inspect()).state.status;
    await c.unpause();
    const resumed = await until(async () => (await logBytes(c)) > whilePaused);
    await c.kill();
    return { wrote, frozen: atPause === whilePaused, status, resumed, exitCode: (await c.wait()).exitCode };
  },

  /** `exec` into a second container (and into the spinning one) while one spins. */
  async 'exec'(engine) {
    const spinning = await runBusy(engine, ['sh', '-c', 'while :; do :; done']);
    const other = await runBusy(engine, ['sleep', '1000']);
    const intoOther = await other.exec(['echo', 'hi']);
    const intoSpinning = await spinning.exec(['sh', '-c', 'echo $((6*7))']);
    await spinning.kill();
    await other.kill();
    return { other: intoOther.stdout, spinning: intoSpinning.stdout };
  },

  /** A busy `docker exec` process (not PID 1) ends on SIGTERM with 143, shell and awk alike. */
  async 'exec-term'(engine) {
    const c = await runBusy(engine, ['sleep', '1000']);
    const codes: number[] = [];
    for (const cmd of [['sh', '-c', 'while :; do :; done'], ['awk', 'BEGIN { while (1) {} }']]) {
      const p = c.spawn(cmd);
      const t = ticker();
      await until(() => t.count() >= 3);
      t.stop();
      await p.kill('SIGTERM');
      codes.push(await p.exit);
    }
    await c.kill();
    return { codes };
  },

  /** An AbortSignal still fires while a container spins. */
  async 'abort'(engine) {
    const c = await runBusy(engine, ['sh', '-c', 'while :; do :; done']);
    let name = '';
    try {
      await c.wait({ signal: AbortSignal.timeout(100) });
    } catch (e) {
      name = (e as Error).name;
    }
    await c.kill();
    return { name };
  },

  /** A RUN step that spins: the host keeps ticking, and aborting the build ends it with nothing left. */
  async 'build-abort'(engine) {
    const t = ticker();
    const context = await mkdtemp(join(tmpdir(), 'stowage-busy-build-'));
    try {
      await writeFile(join(context, 'Dockerfile'), 'FROM busybox\nRUN while :; do :; done\n');
      const before = (await engine.images.list()).length;
      const controller = new AbortController();
      const started = t.count();
      const build = engine.images.build({ context, tags: ['busy:build'], signal: controller.signal });
      const ticked = await until(() => t.count() >= started + 10);
      controller.abort();
      let name = '';
      try {
        await build;
      } catch (e) {
        name = (e as Error).name;
      }
      const imagesLeft = (await engine.images.list()).length - before;
      const containersLeft = (await engine.containers.list({ all: true })).length;
      return { ticked, name, imagesLeft, containersLeft };
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  },

  /** Three busy containers: the host's interval keeps ticking and each container advances. */
  async 'fairness'(engine) {
    const t = ticker();
    const cs = await Promise.all([0, 1, 2].map(() => runBusy(engine, ['sh', '-c', 'while :; do echo x; done'])));
    // The gaps that count are those while all three spin, not those of starting them.
    t.resetGaps();
    const before = t.count();
    const ticked = await until(() => t.count() >= before + 50);
    // Taken before the logs are read: reading megabytes of them is the host's own work.
    const gapsMs = t.gaps();
    const sizes = await Promise.all(cs.map(logBytes));
    await Promise.all(cs.map((c) => c.kill()));
    t.stop();
    return { ticked, allRan: sizes.every((n) => n > 0), gapsMs };
  },

  /** A fork bomb hits the process limit (EAGAIN), is killed, and leaves nothing behind. */
  async 'fork-bomb'(engine) {
    const t = ticker();
    const bomb = await forkBomb(engine, { pidsLimit: 64 }, (c) => c.kill());
    t.stop();
    return { ...bomb, ticked: t.count() > 0 };
  },

  /** The default limit holds a bomb too (no pidsLimit given), and stop() ends it. */
  async 'fork-bomb-default'(engine) {
    const { refused, exitCode, grownMiB } = await forkBomb(engine, {}, (c) => c.stop({ timeout: 1 }));
    return { refused, exitCode, grownMiB };
  },
};

/** The heap in use after a full collection (the child runs with --expose-gc). */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Runs a fork bomb until the shell reports a refused fork, ends it with `end`, removes it,
 * runs another container, and measures the heap against a baseline taken before the bomb.
 */
async function forkBomb(engine: Engine, extra: Record<string, unknown>, end: (c: Container) => Promise<void>): Promise<Record<string, unknown>> {
  const warm = await runBusy(engine, ['true']);
  await warm.wait();
  await warm.remove();
  const baseline = heapUsed();
  const c = await runBusy(engine, ['sh', '-c', 'f() { f | f & }; f; while :; do sleep 1; done'], extra);
  const refused = await until(async () => (await logText(c)).includes("can't fork"));
  await end(c);
  const { exitCode } = await c.wait();
  const line = (await logText(c)).split('\n').find((l) => l.includes("can't fork")) ?? '';
  await c.remove({ force: true });
  const after = await runBusy(engine, ['echo', 'after']);
  await after.wait();
  const text = await logText(after);
  await after.remove();
  // Give the killed processes' promise chains a few turns to unwind before measuring.
  await ticks(10);
  return { refused, exitCode, line, after: text, grownMiB: Math.round((heapUsed() - baseline) / 2 ** 20) };
}

const name = process.argv[2] ?? '';
const probe = probes[name];
if (!probe) {
  console.log(JSON.stringify({ error: `no probe ${name}` }));
  process.exit(2);
}
const engine = await Engine.open({ backend: 'emulator' });
try {
  await engine.images.pull('busybox');
  console.log(JSON.stringify(await probe(engine)));
} finally {
  await engine.close();
}
process.exit(0);
