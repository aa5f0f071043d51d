/**
 * Issue 7, "Busy loops freeze Node": a busy emulated container must not stop the host's
 * timers, and stop/kill/pause/exec must still reach it. Every probe runs in a child process
 * (busy-probe.ts) so a regression freezes that child, which the watchdog kills, not the runner.
 */
import { describe, expect, it } from 'vitest';
import { runProbe, type ProbeOutcome } from './busy-probe.js';

function expectFinished(outcome: ProbeOutcome): Record<string, unknown> {
  expect(outcome.timedOut, `the probe froze (stderr: ${outcome.stderr})`).toBe(false);
  expect(outcome.result, outcome.stderr).not.toEqual({});
  return outcome.result;
}

describe('busy loops yield to the event loop (emulator)', () => {
  const spinning: [string, string][] = [
    ['sh-spin', 'while :; do :; done'],
    ['sh-echo', 'while :; do echo x; done (output drained as fast as it comes)'],
    ['sh-recursion', 'a shell function calling itself forever'],
    ['awk-spin', "awk 'BEGIN{while(1){}}'"],
    ['awk-recursion', 'awk recursing in a loop'],
    ['yes-null', 'yes > /dev/null'],
    ['yes-pipe', 'yes | cat > /dev/null'],
    ['seq-huge', 'seq 1 1000000000 > /dev/null'],
    ['grep-stream', 'yes abc | grep -c x'],
  ];
  // Each probe is its own child process: they may run side by side.
  it.concurrent.each(spinning)('%s: start() returns, timers tick, kill() ends it with 137 (%s)', async (name) => {
    const r = expectFinished(await runProbe(name));
    expect(r).toEqual({ ticked: true, running: true, exitCode: 137 });
  });

  it('a finite loop lets the host tick while it runs and still finishes', async () => {
    const r = expectFinished(await runProbe('finite-loop'));
    expect(r.exitCode).toBe(0);
    expect(r.output).toBe('20000');
    expect(r.during).toBeGreaterThan(0);
  });

  it('grep, sed and awk over a big input let the host tick and give the right counts', async () => {
    const r = expectFinished(await runProbe('filters'));
    expect(r.exitCode).toBe(0);
    expect(r.output).toBe('200000\n200000\n200000');
    expect(r.during).toBeGreaterThan(0);
  });

  it('stop({ timeout: 1 }) of a spinning shell as PID 1 ends with 137', async () => {
    const r = expectFinished(await runProbe('stop'));
    expect(r).toEqual({ exitCode: 137, status: 'exited' });
  });

  it('stop({ timeout: 1 }) of a spinning awk as PID 1 ends with 137', async () => {
    expect(expectFinished(await runProbe('stop-awk'))).toEqual({ exitCode: 137 });
  });

  it('kill() ends a spinning PID 1 with its jobs at once, and the engine goes on working', async () => {
    expect(expectFinished(await runProbe('kill'))).toEqual({ exitCode: 137, after: 'after' });
  });

  it('pause() freezes a spinning writer, unpause() resumes it', async () => {
    const r = expectFinished(await runProbe('pause'));
    expect(r).toEqual({ wrote: true, frozen: true, status: 'paused', resumed: true, exitCode: 137 });
  });

  it('exec works into another container and into the spinning one', async () => {
    expect(expectFinished(await runProbe('exec'))).toEqual({ other: 'hi\n', spinning: '42\n' });
  });

  it('a busy exec\'d shell or awk (not PID 1) ends on SIGTERM with 143', async () => {
    expect(expectFinished(await runProbe('exec-term'))).toEqual({ codes: [143, 143] });
  });

  it('an AbortSignal fires while a container spins', async () => {
    expect(expectFinished(await runProbe('abort'))).toEqual({ name: 'AbortError' });
  });

  it('a spinning RUN step lets the host tick, and aborting the build ends it leaving nothing', async () => {
    expect(expectFinished(await runProbe('build-abort'))).toEqual({ ticked: true, name: 'AbortError', imagesLeft: 0, containersLeft: 0 });
  });

  it('three busy containers all advance and the host interval keeps ticking', async () => {
    const r = expectFinished(await runProbe('fairness'));
    expect(r.ticked).toBe(true);
    expect(r.allRan).toBe(true);
    // The gaps between ticks are reported, not asserted on: the machine is shared.
    console.log(`fairness: gaps between 10 ms host ticks with 3 busy containers (ms): ${JSON.stringify(r.gapsMs)}`);
  });
});
