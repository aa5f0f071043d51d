/**
 * The containers part of the native Backend: records and files are handled in this process;
 * everything about a container's processes goes to the supervisor (which it starts when
 * needed), except `exec`, which runs `runc exec` from here.
 *
 * @module
 */
import { watch } from 'node:fs';
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { CallOptions, ContainerBackend, ContainerListRequest, ExecRequest, ProcessIO } from '../../../core/backend.js';
import { InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import type { ContainerCreateRequest, LogLine, LogsRequest } from '../../../core/schemas/index.js';
import type { NativeContext } from '../context.js';
import { lookupImage } from '../images/image-catalog.js';
import type { SupervisorClient } from '../supervisor/client.js';
import { commitContainer } from './commit.js';
import { createContainer } from './create.js';
import { execInContainer } from './exec.js';
import { containerChanges, exportContainer, getArchive, putArchive } from './filesystem.js';
import { readLogs } from './json-log.js';
import { containerInfo, containerSummary, matchesFilters } from './views.js';

/** Splits the supervisor's multiplexed frames into stdout and stderr. */
function demux(socket: Readable, stdout: PassThrough, stderr: PassThrough): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 8) {
      const size = buffered.readUInt32BE(4);
      if (buffered.length < 8 + size) break;
      const payload = buffered.subarray(8, 8 + size);
      (buffered[0] === 2 ? stderr : stdout).write(payload);
      buffered = buffered.subarray(8 + size);
    }
  });
  const end = (): void => {
    stdout.end();
    stderr.end();
  };
  socket.once('end', end);
  socket.once('close', end);
  socket.once('error', end);
  // readLine left the socket paused after the response line.
  socket.resume();
}

/** Creates the containers part of the backend. */
export function nativeContainers(ctx: NativeContext, supervisor: SupervisorClient): ContainerBackend {
  const id = (ref: string): Promise<string> => ctx.containers.resolve(ref);
  const call = async (request: Parameters<SupervisorClient['request']>[0], options?: CallOptions): Promise<unknown> => supervisor.request(request, options?.signal);
  return {
    create: (request: ContainerCreateRequest, options?: CallOptions) => createContainer(ctx, request, options?.signal),

    async inspect(ref) {
      return containerInfo(await ctx.containers.get(ref));
    },

    async list(request: ContainerListRequest) {
      let ancestors: Set<string> | undefined;
      if (request.filters.ancestor?.length) {
        const snapshot = await ctx.images.catalog.snapshot();
        ancestors = new Set();
        for (const ref of request.filters.ancestor) {
          const found = lookupImage(snapshot, ref);
          if (!found) continue;
          // The image and every local image built on it.
          const family = new Set([found.id]);
          for (let grew = true; grew;) {
            grew = false;
            for (const r of snapshot.records.values()) {
              if (r.parentId && family.has(r.parentId) && !family.has(r.id)) {
                family.add(r.id);
                grew = true;
              }
            }
          }
          for (const i of family) ancestors.add(i);
        }
      }
      const now = new Date();
      return (await ctx.containers.all())
        .filter((c) => request.all || c.state.status === 'running' || c.state.status === 'paused')
        .filter((c) => matchesFilters(c, request.filters, ancestors))
        .sort((a, b) => b.record.created.localeCompare(a.record.created))
        .map((c) => containerSummary(c, now));
    },

    async start(ref, options) {
      await call({ op: 'start', id: await id(ref) }, options);
    },
    async stop(ref, options) {
      await call({ op: 'stop', id: await id(ref), ...(options?.timeout !== undefined ? { timeout: options.timeout } : {}) }, options);
    },
    async kill(ref, posixSignal, options) {
      await call({ op: 'kill', id: await id(ref), signal: posixSignal }, options);
    },
    async restart(ref, options) {
      await call({ op: 'restart', id: await id(ref), ...(options?.timeout !== undefined ? { timeout: options.timeout } : {}) }, options);
    },
    async pause(ref, options) {
      await call({ op: 'pause', id: await id(ref) }, options);
    },
    async unpause(ref, options) {
      await call({ op: 'unpause', id: await id(ref) }, options);
    },

    async rename(ref, name, options) {
      const target = await id(ref);
      await ctx.locked(async () => {
        const found = await ctx.containers.read(target);
        if (!found) throw new NotFoundError(`No such container: ${ref}`, { details: { ref } });
        if (found.record.name === name) {
          throw new InvalidArgumentError(`Renaming a container with the same name as its current name`, { details: { name } });
        }
        await ctx.containers.reserveName(name, target);
        await ctx.containers.putRecord({ ...found.record, name });
        await ctx.containers.releaseName(found.record.name, target);
      }, options?.signal);
      await ctx.events.append({ type: 'container', action: 'rename', id: target, name, attributes: { name } });
    },

    async remove(ref, options) {
      await call({ op: 'remove', id: await id(ref), force: options?.force ?? false, volumes: options?.volumes ?? false }, options);
    },

    async wait(ref, options) {
      const { record, state } = await ctx.containers.get(ref);
      if (state.status !== 'running' && state.status !== 'paused') return { exitCode: state.exitCode };
      const result = (await call({ op: 'wait', id: record.id }, options)) as { exitCode: number };
      return { exitCode: result.exitCode };
    },

    exec: (ref: string, request: ExecRequest, options?: CallOptions) => execInContainer(ctx, ref, request, options?.signal),

    async attach(ref, options): Promise<ProcessIO> {
      const socket = await supervisor.attach(await id(ref), options?.stdin ?? false, options?.signal);
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      demux(socket, stdout, stderr);
      const stdin = options?.stdin
        ? new Writable({
          write(chunk: Buffer, _encoding, callback) {
            socket.write(chunk, callback);
          },
          final(callback) {
            socket.end();
            callback();
          },
        })
        : null;
      return { stdin, stdout, stderr };
    },

    logs(ref: string, request: LogsRequest, options?: CallOptions): AsyncIterable<LogLine> {
      return (async function* () {
        const { record } = await ctx.containers.get(ref);
        const path = ctx.containers.dir(record.id).log;
        const running = async (): Promise<boolean> => {
          const found = await ctx.containers.read(record.id).catch(() => undefined);
          return found !== undefined && (found.state.status === 'running' || found.state.status === 'paused');
        };
        const changed = (signal: AbortSignal | undefined): Promise<void> => new Promise((resolve) => {
          // inotify on the container directory wakes us for log writes and for the state
          // file's rename at exit; the timer is a safety net.
          let watcher: ReturnType<typeof watch> | undefined;
          const done = (): void => {
            clearTimeout(timer);
            watcher?.close();
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, 500);
          try {
            watcher = watch(ctx.containers.dir(record.id).base, done);
            watcher.on('error', done);
          } catch {
            // The container is gone: the next check ends the loop.
          }
          signal?.addEventListener('abort', done, { once: true });
        });
        yield* readLogs(path, request, request.follow ? { running, changed } : undefined, options?.signal);
      })();
    },

    async diff(ref, options) {
      return containerChanges(ctx, (await ctx.containers.get(ref)).record, options?.signal);
    },

    async commit(ref, request, options) {
      return commitContainer(ctx, (await ctx.containers.get(ref)).record, request, options?.signal);
    },

    async getArchive(ref, path, options) {
      return getArchive(ctx, (await ctx.containers.get(ref)).record, path, options?.signal);
    },

    async putArchive(ref, path, tar, options) {
      await putArchive(ctx, (await ctx.containers.get(ref)).record, path, tar, options?.signal);
    },

    async export(ref, options) {
      return exportContainer(ctx, (await ctx.containers.get(ref)).record, options?.signal);
    },
  };
}
