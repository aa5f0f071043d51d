/**
 * `docker exec` on the native backend: `runc exec` run by the calling SDK process itself (an
 * exec needs no process that outlives its caller), with a process spec built like the main
 * process's (the container's env plus the exec's, its user and working directory unless the
 * request names others, Docker's capabilities and limits). The exit code is runc's (128+N for
 * a signal); `kill()` signals the process by its host PID from runc's PID file. A process that
 * could not be started (no such executable, not executable) ends with 126 and runc's message
 * on stderr, as Docker 20.10's exec does.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { ExecProcess, ExecRequest } from '../../../core/backend.js';
import { ConflictError } from '../../../core/errors.js';
import type { NativeContext } from '../context.js';
import { ociProcess } from '../runtime/bundle.js';
import { terminalInput, underTerminal } from '../runtime/tty.js';
import { PidFileWatch, runcError } from '../runtime/pid-file.js';
import { containerNofile } from '../runtime/rlimits.js';
import { normalizeSignal } from '../supervisor/signals.js';
import { processEnv, replaceOrAppend } from './merge-config.js';

/** The exit code of an exec that could not start. */
export const EXEC_START_FAILED = 126;

/** Starts a process in a running container. @throws ConflictError when it is stopped or paused */
export async function execInContainer(ctx: NativeContext, ref: string, request: ExecRequest, signal?: AbortSignal): Promise<ExecProcess> {
  const { record, state } = await ctx.containers.get(ref);
  const id = record.id;
  if (state.status === 'paused') throw new ConflictError(`Container ${id} is paused, unpause the container before exec`, { details: { container: id } });
  if (state.status !== 'running') throw new ConflictError(`Container ${id} is not running`, { details: { container: id } });
  signal?.throwIfAborted();
  const user = await ctx.resolveUser(ctx.containers.dir(id).merged, request.user ?? record.config.user);
  const process = ociProcess({
    args: request.argv,
    env: replaceOrAppend(processEnv({ ...record.config, tty: request.tty }), request.env),
    cwd: request.workingDir ?? (record.config.workingDir || '/'),
    user,
    terminal: request.tty,
    nofile: await containerNofile(),
  });
  const dir = ctx.paths.runContainer(id);
  await mkdir(dir, { recursive: true });
  const tag = randomBytes(6).toString('hex');
  const files = { spec: join(dir, `exec-${tag}.json`), pid: join(dir, `exec-${tag}.pid`), log: join(dir, `exec-${tag}.log`) };
  await writeFile(files.spec, JSON.stringify(process));
  const pidWatch = new PidFileWatch(files.pid);
  const runcArgs = [...ctx.runc.globalArgs(), '--log', files.log, '--log-format', 'json', 'exec', '--process', files.spec, '--pid-file', files.pid, id];
  const viaTerminal = request.tty ? underTerminal(runcArgs) : undefined;
  const child = viaTerminal
    ? spawn(viaTerminal.command, viaTerminal.args, { env: viaTerminal.env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('runc', runcArgs, { stdio: [request.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdin?.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => {
    child.on('close', (code) => {
      child.stdin?.destroy();
      resolve(code ?? 255);
    });
    child.on('error', () => resolve(255));
  });
  const stdout: Readable = child.stdout!;
  const stderr = new PassThrough();
  const started = pidWatch.wait(closed);
  // What runc prints before the process runs is runc's own failure (in logrus' text form);
  // it is replaced by the message from runc's JSON log. After that, stderr is the process's.
  const held: Buffer[] = [];
  const hold = (chunk: Buffer): void => { held.push(chunk); };
  child.stderr!.on('data', hold);
  void started.then(async (pid) => {
    child.stderr!.off('data', hold);
    if (pid !== undefined) {
      for (const chunk of held) stderr.write(chunk);
      child.stderr!.pipe(stderr);
      return;
    }
    const message = (await runcError(files.log)) ?? Buffer.concat(held).toString().trim();
    stderr.end(`OCI runtime exec failed: ${message}\n`);
  });
  const exit = (async () => {
    const code = await closed;
    const pid = await started;
    await Promise.all(Object.values(files).map((f) => rm(f, { force: true })));
    return pid === undefined ? EXEC_START_FAILED : code;
  })();
  const onAbort = (): void => { child.kill('SIGKILL'); };
  signal?.addEventListener('abort', onAbort, { once: true });
  void exit.finally(() => signal?.removeEventListener('abort', onAbort));
  return {
    stdin: request.stdin ? (viaTerminal ? terminalInput(child.stdin!) : child.stdin!) : null,
    stdout,
    stderr,
    exit,
    async kill(posixSignal = 'SIGKILL') {
      const name = normalizeSignal(posixSignal);
      const pid = await Promise.race([started, closed.then(() => undefined)]);
      if (pid === undefined || child.exitCode !== null) return;
      try {
        globalThis.process.kill(pid, /^\d+$/.test(name) ? Number(name) : (`SIG${name}` as NodeJS.Signals));
      } catch {
        // It ended meanwhile.
      }
    },
  };
}
