/**
 * `docker ps` and `docker inspect` views of container records.
 *
 * @module
 */
import type { ContainerListRequest } from '../../../core/backend.js';
import { formatContainerStatus } from '../../../core/human-duration.js';
import type { ContainerInfo, ContainerSummary } from '../../../core/schemas/index.js';
import type { ImageStoreLike, NetworkLike } from './deps.js';
import type { ContainerRecord } from './record.js';

/** The `docker inspect` view of a container. */
export function inspectRecord(record: ContainerRecord, network: NetworkLike): ContainerInfo {
  const s = record.state;
  return {
    id: record.id,
    name: record.name,
    image: record.imageRef,
    imageId: record.image.id,
    created: record.created,
    state: {
      status: s.status,
      running: s.status === 'running' || s.status === 'paused',
      paused: s.status === 'paused',
      exitCode: s.exitCode,
      ...(s.startedAt ? { startedAt: s.startedAt } : {}),
      ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
    },
    config: {
      ...record.config,
      cmd: record.config.cmd && [...record.config.cmd],
      entrypoint: record.config.entrypoint && [...record.config.entrypoint],
      env: [...record.config.env],
      labels: { ...record.config.labels },
      exposedPorts: [...record.config.exposedPorts],
    },
    mounts: record.mounts.map((m) => ({ ...m })),
    ports: record.ports.map((p) => ({ ...p })),
    networks: network.networksOf(record.id),
    links: record.request.links.map((l) => `${l.name}:${l.alias}`),
  };
}

/** The `docker ps` row of a container. */
export function summarize(record: ContainerRecord, now: Date): ContainerSummary {
  return {
    id: record.id,
    names: [record.name],
    image: record.imageRef,
    command: psCommand([...(record.config.entrypoint ?? []), ...(record.config.cmd ?? [])]),
    created: record.created,
    state: record.state.status,
    status: formatContainerStatus({
      status: record.state.status,
      exitCode: record.state.exitCode,
      startedAt: record.state.startedAt,
      finishedAt: record.state.finishedAt,
      now,
    }),
    ports: record.ports.map((p) => ({ ...p })),
    labels: { ...record.config.labels },
  };
}

/**
 * The containers a `docker ps` request selects, newest first. Without `all` only running
 * (and paused) containers are listed, unless a status filter says otherwise, as in Docker.
 */
export function selectContainers(records: ContainerRecord[], request: ContainerListRequest, images: ImageStoreLike): ContainerRecord[] {
  const f = request.filters;
  const ancestors = f.ancestor?.map((ref) => {
    try {
      return images.find(ref)?.id ?? ref;
    } catch {
      return ref;
    }
  });
  return records
    .filter((r) => {
      if (f.status === undefined && !request.all && r.state.status !== 'running' && r.state.status !== 'paused') return false;
      if (f.status && !f.status.includes(r.state.status)) return false;
      if (f.label && !f.label.every((l) => matchLabel(r.config.labels, l))) return false;
      if (f.name && !f.name.some((n) => matchName(r.name, n))) return false;
      if (ancestors && !ancestors.some((a) => a === r.image.id || a === r.imageRef)) return false;
      return true;
    })
    .sort((a, b) => b.created.getTime() - a.created.getTime());
}

function matchLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

function matchName(name: string, filter: string): boolean {
  // Docker matches the name filter as a regular expression against `/name`.
  try {
    return new RegExp(filter).test(`/${name}`);
  } catch {
    return name.includes(filter);
  }
}

/** The COMMAND of `docker ps`: the path, then the arguments, those with a space in single quotes. */
export function psCommand(argv: readonly string[]): string {
  const [path = '', ...args] = argv;
  return [path, ...args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' ');
}
