/**
 * Conformance cases: exec, spawn, attach and logs.
 *
 * @module
 */
import { expect, it } from 'vitest';
import { create, outputOf, rejectsWithCode, run, runToEnd, sleeper } from '../case-helpers.js';
import { eventually, type SuiteContext } from '../suite-context.js';

/** Registers the exec, attach and logs cases. */
export function execLogsCases(ctx: SuiteContext): void {
  it('exec keeps stdout, stderr and the exit code apart', async () => {
    const c = await sleeper(ctx);
    const r = await c.exec(['sh', '-c', 'echo out; echo err >&2; exit 4']);
    expect(r).toEqual({ exitCode: 4, stdout: 'out\n', stderr: 'err\n' });
  });

  it('exec passes stdin, env and the working directory', async () => {
    const c = await sleeper(ctx);
    expect((await c.exec(['cat'], { stdin: 'hello stdin' })).stdout).toBe('hello stdin');
    const r = await c.exec(['sh', '-c', 'echo $FOO; pwd'], { env: { FOO: 'bar' }, workingDir: '/tmp' });
    expect(r.stdout).toBe('bar\n/tmp\n');
    const buf = await c.exec(['echo', 'bytes'], { encoding: 'buffer' });
    expect(Buffer.isBuffer(buf.stdout)).toBe(true);
    expect(buf.stdout.toString()).toBe('bytes\n');
  });

  it('exec into a stopped container is a conflict', async () => {
    const c = await create(ctx, { cmd: ['sleep', '1000'] });
    await rejectsWithCode(c.exec(['true']), 'CONFLICT');
  });

  it('spawn streams a shell fed through stdin', async () => {
    const c = await sleeper(ctx);
    const p = c.spawn(['sh'], { stdin: true });
    p.stdin!.end('echo hi\nexit 2\n');
    let out = '';
    p.stdout.setEncoding('utf8');
    for await (const chunk of p.stdout) out += chunk;
    expect(await p.exit).toBe(2);
    expect(out).toBe('hi\n');
  });

  it('a TTY merges the output streams, translates newlines and is a terminal to the program', async ({ skip }) => {
    ctx.need('tty', skip);
    const c = await sleeper(ctx);
    const p = c.spawn(['sh', '-c', 'echo out; echo err >&2; test -t 1 && echo tty; test -t 1 > /tmp/t || echo file'], { tty: true });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    expect(await p.exit).toBe(0);
    expect(out).toBe('out\r\nerr\r\ntty\r\nfile\r\n');
    expect(err).toBe('');
    expect((await c.exec(['sh', '-c', 'test -t 1 || echo plain'])).stdout).toBe('plain\n');
    const { container } = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo main; echo e >&2'], tty: true });
    const lines = [];
    for await (const line of container.logs()) lines.push(`${line.stream}:${line.text}`);
    expect(lines).toEqual(['stdout:main', 'stdout:e']);
  });

  it('logs keep stdout and stderr apart, with times, tail and a last line without newline', async () => {
    const { container } = await runToEnd(ctx, { cmd: ['sh', '-c', 'echo out1; echo err1 >&2; sleep 0.05; printf "out2"'] });
    const lines = [];
    for await (const line of container.logs()) lines.push(line);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['out1', 'out2']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['err1']);
    for (const l of lines) expect(l.time).toBeInstanceOf(Date);
    const onlyOut = [];
    for await (const line of container.logs({ stderr: false })) onlyOut.push(line.text);
    expect(onlyOut).toEqual(['out1', 'out2']);
    const tail = [];
    for await (const line of container.logs({ tail: 1 })) tail.push(line.text);
    expect(tail).toEqual(['out2']);
    const future = [];
    for await (const line of container.logs({ since: Date.now() + 60_000 })) future.push(line);
    expect(future).toEqual([]);
  });

  it('logs follow until the container exits', async () => {
    const c = await run(ctx, { cmd: ['sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.1; done'] });
    const seen: string[] = [];
    for await (const line of c.logs({ follow: true })) seen.push(line.text);
    expect(seen).toEqual(['1', '2', '3']);
    expect(await c.wait()).toEqual({ exitCode: 0 });
  });

  it('logs of a missing container reject the iteration with NotFound', async () => {
    const c = await create(ctx, { cmd: ['true'] });
    await c.remove();
    await rejectsWithCode(outputOf(c), 'NOT_FOUND');
  });

  it('attach writes to the main process and reads its output', async () => {
    const c = await create(ctx, { cmd: ['cat'], openStdin: true });
    const io = await c.attach({ stdin: true });
    await c.start();
    let out = '';
    io.stdout.setEncoding('utf8');
    io.stdout.on('data', (chunk: string) => { out += chunk; });
    io.stdin!.write('hello attach\n');
    await eventually(async () => (out.includes('hello attach') ? true : undefined), 'the echoed line');
    await c.kill();
    await c.wait();
  });
}
