/**
 * Container lifecycle over the Engine API: create, start, stop, kill, restart, pause,
 * unpause, rename, remove and wait.
 *
 * @module
 */
import type { CallOptions } from '../../../core/backend.js';
import { abortErrorFrom, ConflictError, throwIfAborted } from '../../../core/errors.js';
import { randomContainerName } from '../../../core/random-name.js';
import type { ContainerCreateRequest } from '../../../core/schemas/index.js';
import { seg, type DockerBackendContext } from '../context.js';
import { transportError } from '../transport/index.js';
import { createBody } from './create-body.js';

/**
 * `POST /containers/create`. Without a name, one is picked here in Docker's own
 * `adjective_surname` style rather than by the engine: the create answer does not carry the
 * engine's pick, and asking for it would cost a request on every unnamed create.
 */
export async function createContainer(
  ctx: DockerBackendContext,
  request: ContainerCreateRequest,
  options: CallOptions = {},
): Promise<{ id: string; name: string; warnings: string[] }> {
  for (let attempt = 0; ; attempt++) {
    const name = request.name ?? randomContainerName(() => false);
    try {
      const res = await ctx.client.json<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', {
        query: { name },
        body: createBody(request),
        signal: options.signal,
      });
      if (request.autoRemove) ctx.autoRemove.add(res.Id);
      return { id: res.Id, name, warnings: res.Warnings ?? [] };
    } catch (err) {
      // A generated name that happens to be taken: pick another, as moby's generator retries.
      const nameClash = err instanceof ConflictError && err.details.reason === 'name-in-use';
      if (request.name !== undefined || !nameClash || attempt >= 5) throw err;
    }
  }
}

/** Parses the body of `POST /containers/{id}/wait`. */
function exitOf(body: { StatusCode?: number } | undefined): { exitCode: number } {
  return { exitCode: body?.StatusCode ?? 0 };
}

/**
 * `POST /containers/{id}/start` (304: already running, fine). For an autoRemove container a
 * `wait?condition=next-exit` is registered first, so its exit code survives its removal.
 */
export async function startContainer(ctx: DockerBackendContext, id: string, options: CallOptions = {}): Promise<void> {
  let pending: { cancel: () => void } | undefined;
  if (ctx.autoRemove.has(id)) {
    // The engine answers the headers as soon as the wait is registered, before the exit.
    const res = await ctx.client.request('POST', `/containers/${seg(id)}/wait`, {
      query: { condition: 'next-exit' },
      longLived: true,
      signal: options.signal,
    });
    const exit = (async () => {
      let text = '';
      for await (const chunk of res.body) text += (chunk as Buffer).toString('utf8');
      return exitOf(text.trim() ? (JSON.parse(text) as { StatusCode?: number }) : undefined);
    })().catch((error: unknown) => {
      throw transportError(error, { method: 'POST', path: `/containers/${id}/wait` });
    });
    exit.catch(() => undefined);
    ctx.exits.set(id, exit);
    pending = { cancel: () => res.body.destroy() };
  }
  try {
    await ctx.client.send('POST', `/containers/${seg(id)}/start`, { expect: [204, 304], signal: options.signal });
  } catch (error) {
    pending?.cancel();
    ctx.exits.delete(id);
    throw error;
  }
}

/** `POST /containers/{id}/stop?t=` (304: already stopped, fine). */
export async function stopContainer(ctx: DockerBackendContext, id: string, options: CallOptions & { timeout?: number } = {}): Promise<void> {
  await ctx.client.send('POST', `/containers/${seg(id)}/stop`, { query: { t: options.timeout }, expect: [204, 304], signal: options.signal });
}

/** `POST /containers/{id}/kill?signal=`. */
export async function killContainer(ctx: DockerBackendContext, id: string, posixSignal: string, options: CallOptions = {}): Promise<void> {
  await ctx.client.send('POST', `/containers/${seg(id)}/kill`, { query: { signal: posixSignal }, signal: options.signal });
}

/** `POST /containers/{id}/restart?t=`. */
export async function restartContainer(ctx: DockerBackendContext, id: string, options: CallOptions & { timeout?: number } = {}): Promise<void> {
  await ctx.client.send('POST', `/containers/${seg(id)}/restart`, { query: { t: options.timeout }, signal: options.signal });
}

/** `POST /containers/{id}/pause` or `/unpause`. */
export async function setPaused(ctx: DockerBackendContext, id: string, paused: boolean, options: CallOptions = {}): Promise<void> {
  await ctx.client.send('POST', `/containers/${seg(id)}/${paused ? 'pause' : 'unpause'}`, { signal: options.signal });
}

/** `POST /containers/{id}/rename?name=`. */
export async function renameContainer(ctx: DockerBackendContext, id: string, name: string, options: CallOptions = {}): Promise<void> {
  await ctx.client.send('POST', `/containers/${seg(id)}/rename`, { query: { name }, signal: options.signal });
}

/** `DELETE /containers/{id}?force&v`. */
export async function removeContainer(
  ctx: DockerBackendContext,
  id: string,
  options: CallOptions & { force?: boolean; volumes?: boolean } = {},
): Promise<void> {
  await ctx.client.send('DELETE', `/containers/${seg(id)}`, {
    query: { force: options.force ?? false, v: options.volumes ?? false },
    signal: options.signal,
  });
}

/**
 * Resolves with the exit code once the container is not running: the exit registered at start
 * for autoRemove containers, else `POST /containers/{id}/wait?condition=not-running` on a
 * connection of its own (it may take forever; an abort ends it).
 */
export async function waitContainer(ctx: DockerBackendContext, id: string, options: CallOptions = {}): Promise<{ exitCode: number }> {
  const { signal } = options;
  throwIfAborted(signal);
  const registered = ctx.exits.get(id);
  if (registered) {
    if (!signal) return registered;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortErrorFrom(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      registered.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
  const body = await ctx.client.json<{ StatusCode?: number }>('POST', `/containers/${seg(id)}/wait`, {
    query: { condition: 'not-running' },
    longLived: true,
    signal,
  });
  return exitOf(body);
}
