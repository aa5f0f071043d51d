/**
 * Issue 7: a shell fork bomb in an emulated container hits the container's process limit and
 * fails with EAGAIN as under Docker's `--pids-limit`, instead of exhausting the engine's
 * memory; killing it frees what it held. Run in a child process with a watchdog (busy-probe.ts).
 */
import { describe, expect, it } from 'vitest';
import { runProbe } from './busy-probe.js';

describe('fork bomb (emulator)', () => {
  it('fails with "can\'t fork" at pidsLimit, is killed, frees its memory, and the engine goes on', async () => {
    const outcome = await runProbe('fork-bomb');
    expect(outcome.timedOut, outcome.stderr).toBe(false);
    const r = outcome.result;
    expect(r).toMatchObject({
      refused: true,
      ticked: true,
      exitCode: 137,
      line: "sh: can't fork: Resource temporarily unavailable",
      after: 'after',
    });
    // What the bomb held is released: a few MiB of slack for the heap's own growth.
    expect(r.grownMiB).toBeLessThan(16);
  });

  it('hits the default limit when the container sets none, and stop() still ends it', async () => {
    const outcome = await runProbe('fork-bomb-default');
    expect(outcome.timedOut, outcome.stderr).toBe(false);
    expect(outcome.result).toEqual({ refused: true, exitCode: 137, grownMiB: expect.any(Number) });
    expect(outcome.result.grownMiB).toBeLessThan(32);
  });
});
