/**
 * Issue 7: the process limit (`pidsLimit`, Docker's `--pids-limit`) as a shell meets it, with
 * the real Docker Engine as the oracle: which constructs take a process (pipeline stages,
 * subshells, `$( )`, background jobs, programs, but not the last command of a subshell, which
 * execs in place), what a refused fork says, and that `docker exec` still gets in. Also the
 * docker side of busy-loops.test.ts's stop probe: `stop({ timeout: 1 })` of a busy PID 1 -> 137.
 *
 * Runs on every backend that is present; docker is skipped visibly when its engine is absent,
 * unless STOWAGE_REQUIRE names it.
 */
import { expect, it } from 'vitest';
import type { Container } from '../../src/core/container.js';
import { describeOnBackends, type OracleContext } from './oracle.js';

const CANT_FORK = "sh: can't fork: Resource temporarily unavailable\n";

/** Output of a finished container, by stream. */
async function output(c: Container): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  for await (const line of c.logs({ stdout: true, stderr: true })) {
    if (line.stream === 'stdout') stdout += `${line.text}\n`;
    else stderr += `${line.text}\n`;
  }
  return { stdout, stderr };
}

// [pidsLimit, script, stdout, stderr, exit code]
const scripts: [number, string, string, string, number][] = [
  [1, 'true | true; echo after', '', CANT_FORK, 2],
  [1, 'ls / > /dev/null; echo after', '', CANT_FORK, 2],
  [1, 'sleep 1 & echo after', '', CANT_FORK, 2],
  [2, 'x=$(ls /); (ls / > /dev/null); sleep 0 & wait; echo after', 'after\n', '', 0],
  [2, '(ls / > /dev/null; true); echo after $?', 'after 2\n', CANT_FORK, 0],
  [3, 'true | ls / > /dev/null; echo after', 'after\n', '', 0],
];

describeOnBackends('process limit as ash meets it', (ctx: OracleContext) => {
  async function run(cmd: string[], pidsLimit?: number): Promise<Container> {
    const c = await ctx.engine.containers.run({ image: ctx.image, cmd, ...(pidsLimit === undefined ? {} : { pidsLimit }) });
    ctx.cleanup(() => c.remove({ force: true }));
    return c;
  }

  it.each(scripts)('pidsLimit %i: sh -c %j', async (limit, script, stdout, stderr, exitCode) => {
    const c = await run(['sh', '-c', script], limit);
    expect(await c.wait()).toEqual({ exitCode });
    expect(await output(c)).toEqual({ stdout, stderr });
  });

  it('lets docker exec into a container at its limit; a fork inside it is refused', async () => {
    const c = await run(['sleep', '1000'], 1);
    expect(await c.exec(['echo', 'hi'])).toMatchObject({ exitCode: 0, stdout: 'hi\n' });
    expect(await c.exec(['sh', '-c', 'true | true'])).toMatchObject({ exitCode: 2, stderr: CANT_FORK });
    await c.kill();
  });

  // The emulator's side of this runs in a watchdogged child (busy-loops.test.ts): a regression
  // there would freeze this runner.
  it('stop({ timeout: 1 }) of `while :; do :; done` as PID 1 ends with 137', async ({ skip }) => {
    if (ctx.backend === 'emulator') skip('run in a child process by busy-loops.test.ts');
    const c = await run(['sh', '-c', 'while :; do :; done']);
    await c.stop({ timeout: 1 });
    expect(await c.wait()).toEqual({ exitCode: 137 });
  });
});
