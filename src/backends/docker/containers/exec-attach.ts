/**
 * exec and attach: the process's streams over a hijacked connection.
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import type { CallOptions, ExecProcess, ExecRequest, ProcessIO } from '../../../core/backend.js';
import { UnsupportedError } from '../../../core/errors.js';
import { seg, type DockerBackendContext } from '../context.js';
import { hijack } from '../transport/index.js';

/** Resolves when the engine has closed the hijacked connection (the process ended). */
function connectionDone(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    socket.once('close', () => resolve());
    socket.once('end', () => resolve());
  });
}

/**
 * Reads the exit code of an ended exec. The engine closes the stream a moment before it
 * records the exit, so `Running` may still be true just after: poll briefly, with a bound.
 */
async function execExitCode(ctx: DockerBackendContext, execId: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    const info = await ctx.client.json<{ Running?: boolean; ExitCode?: number | null }>('GET', `/exec/${seg(execId)}/json`);
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
    if (Date.now() > deadline) return info.ExitCode ?? -1;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * `POST /containers/{id}/exec` then `POST /exec/{id}/start` upgraded to a raw connection.
 * A stopped or paused container is a 409 from the first call (ConflictError).
 */
export async function execInContainer(ctx: DockerBackendContext, id: string, request: ExecRequest, options: CallOptions = {}): Promise<ExecProcess> {
  const body: Record<string, unknown> = {
    AttachStdin: request.stdin,
    AttachStdout: true,
    AttachStderr: true,
    Tty: request.tty,
    Cmd: request.argv,
    Env: request.env,
  };
  if (request.workingDir !== undefined) body['WorkingDir'] = request.workingDir;
  if (request.user !== undefined) body['User'] = request.user;
  const created = await ctx.client.json<{ Id: string }>('POST', `/containers/${seg(id)}/exec`, { body, signal: options.signal });
  const io = await hijack(ctx.client, `/exec/${seg(created.Id)}/start`, {
    body: { Detach: false, Tty: request.tty },
    tty: request.tty,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!request.stdin) {
    // Nothing will be written: do not hold the sending side open.
    io.stdin.destroy();
  }
  const exit = connectionDone(io.socket).then(() => execExitCode(ctx, created.Id));
  exit.catch(() => undefined);
  return {
    stdin: request.stdin ? io.stdin : null,
    stdout: io.stdout,
    stderr: io.stderr,
    exit,
    kill: () =>
      Promise.reject(new UnsupportedError('the Docker Engine API cannot signal an exec process (capabilities.execKill is false)', {
        details: { backend: 'docker', execId: created.Id },
      })),
  };
}

/**
 * `POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1` upgraded to a raw
 * connection. The container's TTY setting decides whether the output is framed.
 */
export async function attachContainer(ctx: DockerBackendContext, id: string, options: CallOptions & { stdin?: boolean } = {}): Promise<ProcessIO> {
  const info = await ctx.client.json<{ Config?: { Tty?: boolean } }>('GET', `/containers/${seg(id)}/json`, { signal: options.signal });
  const tty = info.Config?.Tty ?? false;
  const stdin = options.stdin ?? false;
  const io = await hijack(ctx.client, `/containers/${seg(id)}/attach`, {
    query: { stream: 1, stdin: stdin ? 1 : 0, stdout: 1, stderr: 1 },
    tty,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { stdin: stdin ? io.stdin : null, stdout: io.stdout, stderr: io.stderr };
}
