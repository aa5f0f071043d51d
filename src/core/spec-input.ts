/**
 * Turning the user's `ContainerSpec` (Docker's string forms included) into the parsed
 * `ContainerCreateRequest` every backend receives.
 *
 * @module
 */
import type { z } from 'zod';
import type { ContainerCreateRequest, ContainerSpecSchema } from './schemas/index.js';
import { bareName } from './owned.js';
import { invalidSpec } from './specs/invalid.js';
import { normalizeEnv, normalizeLabels, parseExposedPorts, parseLink, parsePortSpecs, parseVolumeSpecs, parseVolumesFrom, formatExposedPort } from './specs/index.js';

/** Parses a validated spec into the request backends receive. */
export function toCreateRequest(spec: z.output<typeof ContainerSpecSchema>): ContainerCreateRequest {
  return {
    image: spec.image,
    name: spec.name === undefined ? undefined : bareName(spec.name),
    cmd: spec.cmd,
    entrypoint: spec.entrypoint,
    env: normalizeEnv(spec.env, 'spec.env'),
    workingDir: absoluteWorkingDir(spec.workingDir),
    user: spec.user,
    hostname: spec.hostname,
    labels: normalizeLabels(spec.labels, 'spec.labels'),
    tty: spec.tty ?? false,
    openStdin: spec.openStdin ?? false,
    mounts: parseVolumeSpecs(spec.volumes ?? [], 'spec.volumes'),
    volumesFrom: (spec.volumesFrom ?? []).map((v, i) => parseVolumesFrom(v, `spec.volumesFrom[${i}]`)),
    ports: parsePortSpecs(spec.ports ?? [], 'spec.ports'),
    publishAll: spec.publishAll ?? false,
    exposedPorts: (spec.exposedPorts ?? []).flatMap((p, i) => parseExposedPorts(p, `spec.exposedPorts[${i}]`).map(formatExposedPort)),
    links: (spec.links ?? []).map((l, i) => parseLink(l, `spec.links[${i}]`)),
    network: spec.network,
    networkAliases: spec.networkAliases ?? [],
    autoRemove: spec.autoRemove ?? false,
    stopSignal: spec.stopSignal,
    stopTimeout: spec.stopTimeout,
    pidsLimit: spec.pidsLimit,
  };
}

/**
 * The working directory, which must be absolute: the engine refuses anything else at create,
 * in these words (Engine 20.10), so every backend refuses it here the same way.
 */
function absoluteWorkingDir(dir: string | undefined): string | undefined {
  if (dir === undefined || dir === '' || dir.startsWith('/')) return dir;
  throw invalidSpec(`the working directory '${dir}' is invalid, it needs to be an absolute path`, 'spec.workingDir', dir);
}
