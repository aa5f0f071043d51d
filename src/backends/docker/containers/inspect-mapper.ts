/**
 * Engine container JSON -> the SDK's `ContainerInfo` and `ContainerSummary`.
 *
 * Pure functions: every backend returns the same shapes, so Docker's quirks (leading slashes,
 * port keys like `80/tcp`, string host ports, the zero time for "never", the IPv6 twin of each
 * binding) are normalised here and pinned by unit tests with recorded engine JSON.
 *
 * @module
 */
import type { ContainerInfo, ContainerStatus, ContainerSummary, PortRow } from '../../../core/schemas/index.js';
import type { EngineContainerInspect, EngineContainerState, EngineContainerSummary, EnginePortBinding } from '../engine-types.js';

const statuses: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'restarting', 'exited', 'dead']);

/** Removes Docker's leading slash from a name. */
export function bareName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/** Parses an engine time; the zero time (`0001-01-01...`) and garbage mean "never". */
export function engineDate(text: string | undefined): Date | undefined {
  if (!text || text.startsWith('0001-01-01')) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Maps Docker's state word; `removing` is reported as the state it leaves (`exited`). */
export function containerStatusOf(status: string | undefined): ContainerStatus {
  if (status && statuses.has(status)) return status as ContainerStatus;
  return status === 'removing' ? 'exited' : 'created';
}

// runc's wording for a missing executable (see transport/engine-errors.ts).
const execNotFound = /executable file not found|exec: "[^"]*": [^"]*no such file or directory/i;

/**
 * The state block. A start that failed because the executable is missing leaves the container
 * `created` with exit code 127 (Engine 20.10 does so itself; older engines reported 128 or
 * `exited`), which is what every backend shows for that situation.
 */
export function mapState(state: EngineContainerState | undefined): ContainerInfo['state'] {
  let status = containerStatusOf(state?.Status);
  let exitCode = state?.ExitCode ?? 0;
  const neverRan = engineDate(state?.StartedAt) === undefined;
  if (state?.Error && execNotFound.test(state.Error) && neverRan) {
    status = 'created';
    exitCode = 127;
  }
  const out: ContainerInfo['state'] = {
    status,
    running: status === 'running' || status === 'paused' || status === 'restarting',
    paused: status === 'paused',
    exitCode,
  };
  const startedAt = engineDate(state?.StartedAt);
  const finishedAt = engineDate(state?.FinishedAt);
  if (startedAt) out.startedAt = startedAt;
  if (finishedAt) out.finishedAt = finishedAt;
  return out;
}

/** Splits a port key (`80/tcp`, `53` meaning tcp) into number and protocol. */
export function parsePortKey(key: string): { port: number; protocol: PortRow['protocol'] } | undefined {
  const [num, proto = 'tcp'] = key.split('/');
  const port = Number(num);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') return undefined;
  return { port, protocol: proto };
}

/** `NetworkSettings.Ports` -> rows, one per host binding; unpublished ports give no row. */
export function mapPorts(ports: Record<string, EnginePortBinding[] | null> | null | undefined): PortRow[] {
  const rows: PortRow[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const parsed = parsePortKey(key);
    if (!parsed || !bindings) continue;
    for (const b of bindings) {
      const hostPort = Number(b.HostPort ?? '');
      if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
      rows.push({ containerPort: parsed.port, protocol: parsed.protocol, hostIp: b.HostIp || '0.0.0.0', hostPort });
    }
  }
  return rows;
}

/**
 * Aliases the user gave: Docker adds the container's short ID (and, on user networks, may
 * repeat the name) to `Aliases`; those are engine bookkeeping, not user aliases.
 */
export function userAliases(aliases: readonly string[] | null | undefined, id: string, name: string): string[] {
  const shortId = id.slice(0, 12);
  return (aliases ?? []).filter((a) => a !== shortId && a !== id && a !== name);
}

/** `/web4:/web5/web4` (inspect's form) -> `web4:web4`. */
export function mapLink(link: string): string {
  const colon = link.indexOf(':');
  if (colon < 0) return bareName(link);
  const target = link.slice(0, colon);
  const alias = link.slice(colon + 1);
  return `${bareName(target)}:${alias.slice(alias.lastIndexOf('/') + 1)}`;
}

/** `GET /containers/{id}/json` -> `ContainerInfo`. */
export function mapContainerInfo(raw: EngineContainerInspect): ContainerInfo {
  const config = raw.Config ?? {};
  const name = bareName(raw.Name ?? '');
  const networks: ContainerInfo['networks'] = {};
  for (const [net, ep] of Object.entries(raw.NetworkSettings?.Networks ?? {})) {
    networks[net] = { ipAddress: ep.IPAddress ?? '', aliases: userAliases(ep.Aliases, raw.Id, name) };
  }
  const mounts: ContainerInfo['mounts'] = [];
  for (const m of raw.Mounts ?? []) {
    if (m.Type !== 'bind' && m.Type !== 'volume') continue;
    const row: ContainerInfo['mounts'][number] = { type: m.Type, source: m.Source ?? '', destination: m.Destination ?? '', readOnly: m.RW === false };
    if (m.Type === 'volume' && m.Name) row.name = m.Name;
    mounts.push(row);
  }
  return {
    id: raw.Id,
    name,
    image: config.Image ?? raw.Image ?? '',
    imageId: raw.Image ?? '',
    created: engineDate(raw.Created) ?? new Date(0),
    state: mapState(raw.State),
    config: {
      cmd: config.Cmd ?? null,
      entrypoint: config.Entrypoint ?? null,
      env: config.Env ?? [],
      workingDir: config.WorkingDir ?? '',
      user: config.User ?? '',
      hostname: config.Hostname ?? '',
      labels: config.Labels ?? {},
      tty: config.Tty ?? false,
      openStdin: config.OpenStdin ?? false,
      exposedPorts: Object.keys(config.ExposedPorts ?? {}).map((k) => (k.includes('/') ? k : `${k}/tcp`)),
    },
    mounts,
    ports: mapPorts(raw.NetworkSettings?.Ports),
    networks,
    links: (raw.HostConfig?.Links ?? []).map(mapLink),
  };
}

/**
 * A row of `GET /containers/json` -> `ContainerSummary`. Names of links (`/web5/web4`) are
 * dropped; the primary name comes first.
 */
export function mapContainerSummary(raw: EngineContainerSummary): ContainerSummary {
  const names = (raw.Names ?? []).filter((n) => !bareName(n).includes('/')).map(bareName);
  const ports: PortRow[] = [];
  for (const p of raw.Ports ?? []) {
    if (!p.PublicPort) continue;
    const protocol = p.Type === 'udp' || p.Type === 'sctp' ? p.Type : 'tcp';
    ports.push({ containerPort: p.PrivatePort, protocol, hostIp: p.IP || '0.0.0.0', hostPort: p.PublicPort });
  }
  return {
    id: raw.Id,
    names,
    image: raw.Image ?? '',
    command: raw.Command ?? '',
    created: new Date((raw.Created ?? 0) * 1000),
    state: containerStatusOf(raw.State),
    status: raw.Status ?? '',
    ports,
    labels: raw.Labels ?? {},
  };
}
