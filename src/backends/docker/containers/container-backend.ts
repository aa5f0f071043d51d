/**
 * The containers part of the Docker backend: one method per Engine API call, mapped to the
 * SDK's shapes.
 *
 * @module
 */
import type { ContainerBackend, ContainerListRequest } from '../../../core/backend.js';
import type { ContainerSummary } from '../../../core/schemas/index.js';
import { seg, type DockerBackendContext } from '../context.js';
import type { EngineContainerInspect, EngineContainerSummary } from '../engine-types.js';
import { attachContainer, execInContainer } from './exec-attach.js';
import { commitContainer, containerDiff, exportContainer, getContainerArchive, putContainerArchive } from './fs-ops.js';
import { mapContainerInfo, mapContainerSummary } from './inspect-mapper.js';
import {
  createContainer,
  killContainer,
  removeContainer,
  renameContainer,
  restartContainer,
  setPaused,
  startContainer,
  stopContainer,
  waitContainer,
} from './lifecycle.js';
import { containerLogs } from './logs.js';

/** Docker's `filters` JSON for `GET /containers/json`. */
export function containerFilters(filters: ContainerListRequest['filters']): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const key of ['label', 'status', 'ancestor', 'name'] as const) {
    const values = filters[key];
    if (values && values.length > 0) out[key] = [...values];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Builds the containers backend over a shared context. */
export function createDockerContainerBackend(ctx: DockerBackendContext): ContainerBackend {
  const { client } = ctx;
  return {
    create: (request, options) => createContainer(ctx, request, options),
    async inspect(ref, options = {}) {
      return mapContainerInfo(await client.json<EngineContainerInspect>('GET', `/containers/${seg(ref)}/json`, { signal: options.signal }));
    },
    async list(request, options = {}): Promise<ContainerSummary[]> {
      const rows = await client.json<EngineContainerSummary[]>('GET', '/containers/json', {
        query: { all: request.all, filters: containerFilters(request.filters) },
        signal: options.signal,
      });
      return (rows ?? []).map(mapContainerSummary);
    },
    start: (id, options) => startContainer(ctx, id, options),
    stop: (id, options) => stopContainer(ctx, id, options),
    kill: (id, signal, options) => killContainer(ctx, id, signal, options),
    restart: (id, options) => restartContainer(ctx, id, options),
    pause: (id, options) => setPaused(ctx, id, true, options),
    unpause: (id, options) => setPaused(ctx, id, false, options),
    rename: (id, name, options) => renameContainer(ctx, id, name, options),
    remove: (id, options) => removeContainer(ctx, id, options),
    wait: (id, options) => waitContainer(ctx, id, options),
    exec: (id, request, options) => execInContainer(ctx, id, request, options),
    attach: (id, options) => attachContainer(ctx, id, options),
    logs: (id, request, options) => containerLogs(ctx, id, request, options),
    diff: (id, options) => containerDiff(ctx, id, options),
    commit: (id, request, options) => commitContainer(ctx, id, request, options),
    getArchive: (id, path, options) => getContainerArchive(ctx, id, path, options),
    putArchive: (id, path, tar, options) => putContainerArchive(ctx, id, path, tar, options),
    export: (id, options) => exportContainer(ctx, id, options),
  };
}
