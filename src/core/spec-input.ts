/**
 * Turning the user's `ContainerSpec` (Docker's string forms included) into the parsed
 * `ContainerCreateRequest` every backend receives.
 *
 * @module
 */
import type { z } from 'zod';
import type { ContainerCreateRequest, ContainerSpecSchema } from './schemas/index.js';
import { bareName } from './owned.js';
import { normalizeEnv, normalizeLabels, parseExposedPorts, parseLink, parsePortSpecs, parseVolumeSpecs, parseVolumesFrom, formatExposedPort } from './specs/index.js';

/** Parses a validated spec into the request backends receive. */
export function toCreateRequest(spec: z.output<typeof ContainerSpecSchema>): ContainerCreateRequest {
  return {
    image: spec.image,
    name: spec.name === undefined ? undefined : bareName(spec.name),
    cmd: spec.cmd,
    entrypoint: spec.entrypoint,
    env: normalizeEnv(spec.env, 'spec.env'),
    workingDir: spec.workingDir,
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
