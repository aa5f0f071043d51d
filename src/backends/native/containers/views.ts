/**
 * The inspect and `ps` views of a native container, and `ps` filtering.
 *
 * (Interim: the shared inspect/list views of src/local-engine replace these when they land.)
 *
 * @module
 */
import { formatContainerStatus } from '../../../core/human-duration.js';
import type { ContainerInfo, ContainerListFilters, ContainerSummary } from '../../../core/schemas/index.js';
import type { StoredContainer } from './container-store.js';

const date = (iso: string | undefined): Date | undefined => (iso ? new Date(iso) : undefined);

/** The command column of `docker ps`: entrypoint and command, arguments with blanks single-quoted. */
export function commandColumn(stored: StoredContainer): string {
  const argv = [...(stored.record.config.entrypoint ?? []), ...(stored.record.config.cmd ?? [])];
  return argv.map((a) => (/\s/.test(a) || a === '' ? `'${a}'` : a)).join(' ');
}

/** `docker inspect` of a container. */
export function containerInfo(stored: StoredContainer): ContainerInfo {
  const { record, state } = stored;
  const running = state.status === 'running' || state.status === 'paused';
  const startedAt = date(state.startedAt);
  const finishedAt = date(state.finishedAt);
  return {
    id: record.id,
    name: record.name,
    image: record.image,
    imageId: record.imageId,
    created: new Date(record.created),
    state: {
      status: state.status,
      running,
      paused: state.status === 'paused',
      exitCode: state.exitCode,
      ...(startedAt ? { startedAt } : {}),
      ...(finishedAt && !running ? { finishedAt } : {}),
    },
    config: {
      cmd: record.config.cmd,
      entrypoint: record.config.entrypoint,
      env: record.config.env,
      workingDir: record.config.workingDir,
      user: record.config.user,
      hostname: record.config.hostname,
      labels: record.config.labels,
      tty: record.config.tty,
      openStdin: record.config.openStdin,
      exposedPorts: record.config.exposedPorts,
    },
    mounts: record.mounts.map((m) => ({ type: m.type, source: m.source, destination: m.destination, ...(m.name ? { name: m.name } : {}), readOnly: m.readOnly })),
    ports: running ? state.ports ?? [] : [],
    networks: Object.fromEntries(Object.entries(running ? state.networks ?? {} : {}).map(([k, v]) => [k, { ipAddress: v.ipAddress, aliases: v.aliases }])),
    links: record.host.links.map((l) => `${l.name}:${l.alias}`),
  };
}

/** A `docker ps -a` row. */
export function containerSummary(stored: StoredContainer, now = new Date()): ContainerSummary {
  const { record, state } = stored;
  const running = state.status === 'running' || state.status === 'paused';
  return {
    id: record.id,
    names: [record.name],
    image: record.image,
    command: commandColumn(stored),
    created: new Date(record.created),
    state: state.status,
    status: formatContainerStatus({ status: state.status, exitCode: state.exitCode, startedAt: date(state.startedAt), finishedAt: date(state.finishedAt), now }),
    ports: running ? state.ports ?? [] : [],
    labels: record.config.labels,
  };
}

/** Whether a container passes `ps` filters; `ancestors` are the image IDs the ancestor filter stands for. */
export function matchesFilters(stored: StoredContainer, filters: ContainerListFilters, ancestors: ReadonlySet<string> | undefined): boolean {
  const { record, state } = stored;
  if (filters.label?.length) {
    for (const want of filters.label) {
      const eq = want.indexOf('=');
      const key = eq === -1 ? want : want.slice(0, eq);
      if (!(key in record.config.labels)) return false;
      if (eq !== -1 && record.config.labels[key] !== want.slice(eq + 1)) return false;
    }
  }
  if (filters.status?.length && !filters.status.includes(state.status)) return false;
  if (filters.name?.length && !filters.name.some((pattern) => new RegExp(pattern).test(`/${record.name}`))) return false;
  if (ancestors && !ancestors.has(record.imageId)) return false;
  return true;
}
