/**
 * Turning the user's `ContainerSpec` (Docker's string forms included) into the parsed
 * `ContainerCreateRequest` every backend receives.
 *
 * @module
 */
import type { ContainerCreateRequest, ContainerSpecSchema } from './schemas/index.js';
import type { z } from 'zod';
import { InvalidArgumentError } from './errors.js';
import { bareName } from './owned.js';

/** Normalises env input to `K=V` strings; a bare `K` is kept (Docker takes it from the client's env). */
export function normalizeEnvInput(env: Record<string, string> | string[] | undefined, field: string): string[] {
  if (env === undefined) return [];
  const list = Array.isArray(env) ? env : Object.entries(env).map(([k, v]) => `${k}=${v}`);
  list.forEach((entry, i) => {
    if (entry.split('=', 1)[0] === '') {
      throw new InvalidArgumentError(`invalid environment variable: ${entry}`, { details: { path: `${field}.${i}` } });
    }
  });
  return list;
}

/** Parses a validated spec into the request backends receive. */
export function toCreateRequest(spec: z.output<typeof ContainerSpecSchema>): ContainerCreateRequest {
  return {
    image: spec.image,
    name: spec.name === undefined ? undefined : bareName(spec.name),
    cmd: spec.cmd,
    entrypoint: spec.entrypoint,
    env: normalizeEnvInput(spec.env, 'spec.env'),
    workingDir: spec.workingDir,
    user: spec.user,
    hostname: spec.hostname,
    labels: spec.labels ?? {},
    tty: spec.tty ?? false,
    openStdin: spec.openStdin ?? false,
    mounts: [],
    volumesFrom: [],
    ports: [],
    publishAll: spec.publishAll ?? false,
    exposedPorts: spec.exposedPorts ?? [],
    links: [],
    network: spec.network,
    networkAliases: spec.networkAliases ?? [],
    autoRemove: spec.autoRemove ?? false,
    stopSignal: spec.stopSignal,
    stopTimeout: spec.stopTimeout,
  };
}
