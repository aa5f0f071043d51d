import { describe, expect, it } from 'vitest';
import { launch, selectProgram } from '../../../src/backends/emulator/exec/launch.js';
import {
  ExecutableNotFoundError,
  ExecutablePermissionError,
  resolveExecutable,
} from '../../../src/backends/emulator/exec/resolve.js';
import type { Program } from '../../../src/backends/emulator/program.js';
import { NotFoundError } from '../../../src/core/errors.js';
import { Collector, createRootfs, makeContext, run, sh } from './helpers/harness.js';

describe('resolveExecutable', () => {
  it('finds a bare name in PATH and reports the symlink target', async () => {
    const fs = await createRootfs();
    const r = await resolveExecutable(fs, 'sh', { path: '/usr/bin:/bin' });
    expect(r).toEqual({ path: '/bin/sh', realPath: '/bin/busybox' });
  });

  it('takes names with a slash as given, relative to cwd', async () => {
    const fs = await createRootfs();
    await fs.writeFile('/tmp/run.sh', '#!/bin/sh\n', { mode: 0o755 });
    expect((await resolveExecutable(fs, './run.sh', { cwd: '/tmp' })).path).toBe('/tmp/run.sh');
    expect((await resolveExecutable(fs, '/tmp/run.sh')).path).toBe('/tmp/run.sh');
  });

  it('treats directories and missing files as not found', async () => {
    const fs = await createRootfs();
    await expect(resolveExecutable(fs, '/tmp')).rejects.toBeInstanceOf(ExecutableNotFoundError);
    await expect(resolveExecutable(fs, 'nosuch')).rejects.toBeInstanceOf(ExecutableNotFoundError);
    const e = await resolveExecutable(fs, 'nosuch').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as ExecutableNotFoundError).exitCode).toBe(127);
    expect((e as Error).message).toBe('exec: "nosuch": executable file not found in $PATH');
  });

  it('reports a file without an execute bit as permission denied', async () => {
    const fs = await createRootfs();
    await fs.writeFile('/bin/plain', 'x', { mode: 0o644 });
    const e = await resolveExecutable(fs, 'plain').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExecutablePermissionError);
    expect((e as ExecutablePermissionError).exitCode).toBe(126);
  });

  it('keeps searching PATH past a non-executable match', async () => {
    const fs = await createRootfs();
    await fs.mkdir('/opt/bin', { recursive: true });
    await fs.writeFile('/opt/bin/ls', 'x', { mode: 0o644 });
    expect((await resolveExecutable(fs, 'ls', { path: '/opt/bin:/bin' })).path).toBe('/bin/ls');
  });
});

describe('launch', () => {
  it('dispatches on the invoked name of a busybox symlink', async () => {
    const r = await run(['/bin/echo', 'via', 'link']);
    expect(r).toMatchObject({ code: 0, stdout: 'via link\n' });
  });

  it('runs `busybox APPLET` and lists applets', async () => {
    expect((await run(['busybox', 'echo', 'hi'])).stdout).toBe('hi\n');
    const list = (await run(['busybox', '--list'])).stdout.split('\n');
    expect(list).toContain('sh');
    expect(list).toContain('wget');
  });

  it('dispatches on the resolved file name when the link name is unknown', async () => {
    const fs = await createRootfs();
    await fs.symlink('/bin/busybox', '/bin/mybox');
    // The file is busybox, which (as the real one does) refuses a name that is no applet.
    const r = await run(['mybox', 'echo', 'x'], { fs });
    expect(r).toMatchObject({ code: 127, stdout: '', stderr: 'mybox: applet not found\n' });
  });

  it('runs #! scripts through their interpreter with the script path and arguments', async () => {
    const fs = await createRootfs();
    await fs.writeFile('/usr/bin/greet', '#!/bin/sh\necho "hello $1 from $0"\n', { mode: 0o755 });
    const r = await run(['greet', 'world'], { fs });
    expect(r).toMatchObject({ code: 0, stdout: 'hello world from /usr/bin/greet\n' });
  });

  it('lets a user program shadow a built-in', async () => {
    const mine: Program = async (ctx) => {
      ctx.stdout.write(`custom ${ctx.argv.slice(1).join(',')}\n`);
      return 3;
    };
    const r = await sh('echo a b; echo $?', { launch: { programs: { echo: mine } } });
    // The shell's own `echo` builtin wins inside sh, as in a real shell; exec'd it is the user's.
    expect(r.stdout).toBe('a b\n0\n');
    const direct = await run(['echo', 'a', 'b'], { launch: { programs: { echo: mine } } });
    expect(direct).toMatchObject({ code: 3, stdout: 'custom a,b\n' });
  });

  it('throws ExecutableNotFoundError before running anything at the top level', async () => {
    const fs = await createRootfs();
    const ctx = makeContext(fs, {}, new Collector(), new Collector());
    await expect(launch(['nosuch'], ctx)).rejects.toBeInstanceOf(ExecutableNotFoundError);
    await fs.writeFile('/bin/noexec', 'x', { mode: 0o600 });
    await expect(launch(['noexec'], ctx)).rejects.toBeInstanceOf(ExecutablePermissionError);
  });

  it('gives 127 and 126 with shell messages for nested commands', async () => {
    const fs = await createRootfs();
    await fs.writeFile('/tmp/x.sh', 'echo hi\n', { mode: 0o644 });
    const r = await sh('nosuch; echo $?; /tmp/x.sh; echo $?', { fs });
    expect(r.stdout).toBe('127\n126\n');
    expect(r.stderr).toBe('sh: nosuch: not found\nsh: /tmp/x.sh: Permission denied\n');
  });

  it('refuses a file that is neither a script nor a known program', async () => {
    const fs = await createRootfs();
    await fs.writeFile('/bin/elfish', '\x7fELF', { mode: 0o755 });
    await expect(selectProgram(['elfish'], fs, { PATH: '/bin' }, '/')).rejects.toBeInstanceOf(ExecutableNotFoundError);
  });

  it('can fall back to built-ins when the filesystem has no links for them', async () => {
    const fs = await createRootfs();
    await fs.rm('/bin/ls');
    await expect(run(['ls', '/'], { fs })).rejects.toBeInstanceOf(ExecutableNotFoundError);
    const r = await run(['ls', '/'], { fs, launch: { fallbackToBuiltins: true } });
    expect(r.stdout.split('\n')).toContain('bin');
  });
});
