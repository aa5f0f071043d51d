/**
 * Port publishing specs (`docker run -p`) and exposed ports (`--expose`, `EXPOSE`).
 *
 * The string grammar and the error texts follow docker/go-connections `nat.ParsePortSpec`
 * (the version vendored by Engine 20.10), so a spec that Docker rejects is rejected here with
 * the same words.
 *
 * @module
 */
import { invalidSpec } from './invalid.js';

/** Transport protocols a port can be published for. */
export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** One container port bound to the host, the parsed form of a `-p` spec. */
export interface PortBinding {
  /** Port inside the container. */
  containerPort: number;
  /** Protocol of the binding (`tcp` when the spec names none). */
  protocol: PortProtocol;
  /** Host address to listen on; `''` means every address. */
  hostIp: string;
  /** Host port; `0` asks the engine to pick a free one. */
  hostPort: number;
  /**
   * Last port of a host range when one container port is published into a range
   * (`8000-8010:80`): the engine picks a free port in `hostPort..hostPortEnd`.
   */
  hostPortEnd?: number;
}

/** The object form of a port spec accepted wherever a `-p` string is (see API.md `PortSpec`). */
export interface PortSpec {
  /** Port inside the container. */
  containerPort: number;
  /** Protocol, `tcp` by default. */
  protocol?: PortProtocol;
  /** Host address, every address by default. */
  hostIp?: string;
  /** Host port, `0`/absent to let the engine pick one. */
  hostPort?: number;
}

/** A port a container exposes (`80/tcp`), the parsed form of `--expose` / `EXPOSE`. */
export interface ExposedPort {
  /** Port number inside the container. */
  port: number;
  /** Its protocol. */
  protocol: PortProtocol;
}

const protocols: readonly string[] = ['tcp', 'udp', 'sctp'];

/** Splits `ip:host:container`, keeping the colons of an IPv6 address in the IP part. */
function splitParts(raw: string): [ip: string, host: string, container: string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1] ?? '';
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0] ?? '', container];
  if (n === 3) return [parts[0] ?? '', parts[1] ?? '', container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2] ?? '', container];
}

/** `80/udp` -> ['udp', '80']; `80` and `80/` -> ['tcp', '80'], as nat.SplitProtoPort. */
function splitProtoPort(raw: string): [proto: string, port: string] {
  const parts = raw.split('/');
  if (raw.length === 0 || (parts[0] ?? '') === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if ((parts[1] ?? '') === '') return ['tcp', parts[0] ?? ''];
  return [parts[1] ?? '', parts[0] ?? ''];
}

/** strconv.ParseUint(s, 10, 16): decimal digits only, 0..65535. */
function parseUint16(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/**
 * Parses `80` or `8000-8010` into its first and last port, as nat.ParsePortRange.
 * Returns undefined for anything Docker would refuse.
 */
export function parsePortRange(s: string): [start: number, end: number] | undefined {
  if (s === '') return undefined;
  if (!s.includes('-')) {
    const p = parseUint16(s);
    return p === undefined ? undefined : [p, p];
  }
  const parts = s.split('-');
  const start = parseUint16(parts[0] ?? '');
  const end = parseUint16(parts[1] ?? '');
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}

/** Checks an IPv4 or IPv6 literal the way net.ParseIP accepts it (no zones, no brackets). */
export function isIpAddress(s: string): boolean {
  if (/^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/.test(s)) {
    return true;
  }
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false;
  // An embedded IPv4 tail counts as two groups.
  let body = s;
  let groups = 0;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIpAddress(tail) || tail.includes(':')) return false;
    body = s.slice(0, lastColon + 1) + '0';
    groups = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const count = (h: string): number | undefined => {
    if (h === '') return 0;
    const g = h.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g.length : undefined;
  };
  const a = count(halves[0] ?? '');
  const b = halves.length === 2 ? count(halves[1] ?? '') : 0;
  if (a === undefined || b === undefined) return false;
  const total = a + b + groups;
  return halves.length === 2 ? total <= 7 : total === 8;
}

/**
 * Parses one `docker run -p` spec into its bindings (a range gives one binding per port).
 *
 * Accepted forms: `80`, `80/udp`, `43000:80`, `127.0.0.1:8080:80/udp`, `127.0.0.1::80`,
 * `[::1]:80:80`, `8000-8001:80-81`, `8000-8010:80` (one port into a host range), or a
 * {@link PortSpec} object.
 *
 * @param spec - The spec string or object.
 * @param path - Field name for the error's `details.path` (for example `ports[0]`).
 * @throws InvalidArgumentError with go-connections' message, e.g. `Invalid containerPort: abc`.
 * @example
 * ```ts
 * parsePortSpec('127.0.0.1:8080:80/udp');
 * // [{ containerPort: 80, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 8080 }]
 * ```
 */
export function parsePortSpec(spec: string | PortSpec, path?: string): PortBinding[] {
  if (typeof spec !== 'string') return [portSpecObject(spec, path)];
  const [rawIp, hostPart, containerPart] = splitParts(spec);
  const [proto, containerPort] = splitProtoPort(containerPart);
  let ip = rawIp;
  if (ip.startsWith('[')) {
    // Go's net.SplitHostPort(ip + ":") strips the brackets of an IPv6 literal.
    if (!ip.endsWith(']') || ip.indexOf(']') !== ip.length - 1) {
      throw invalidSpec(`Invalid ip address ${ip}: address ${ip}: missing ']' in address`, path, spec);
    }
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !isIpAddress(ip)) throw invalidSpec(`Invalid ip address: ${ip}`, path, spec);
  if (containerPort === '') throw invalidSpec(`No port specified: ${spec}<empty>`, path, spec);
  const cRange = parsePortRange(containerPort);
  // Engine 20.10 takes container port 0 and publishes a port that reaches nothing (moby
  // refuses it from 29 on); refusing it here gives every backend the same answer.
  if (!cRange || cRange[0] === 0) throw invalidSpec(`Invalid containerPort: ${containerPort}`, path, spec);
  let hRange: [number, number] = [0, 0];
  if (hostPart !== '') {
    const parsed = parsePortRange(hostPart);
    if (!parsed) throw invalidSpec(`Invalid hostPort: ${hostPart}`, path, spec);
    hRange = parsed;
  }
  const [start, end] = cRange;
  const [hStart, hEnd] = hRange;
  // A host range is allowed against a single container port: it is the range to pick from.
  if (hostPart !== '' && end - start !== hEnd - hStart && end !== start) {
    throw invalidSpec(
      `Invalid ranges specified for container and host Ports: ${containerPort} and ${hostPart}`, path, spec);
  }
  if (!protocols.includes(proto.toLowerCase())) throw invalidSpec(`Invalid proto: ${proto}`, path, spec);
  const protocol = proto.toLowerCase() as PortProtocol;
  const out: PortBinding[] = [];
  for (let i = 0; i <= end - start; i++) {
    const binding: PortBinding = {
      containerPort: start + i, protocol, hostIp: ip, hostPort: hostPart === '' ? 0 : hStart + i,
    };
    if (start === end && hStart !== hEnd) binding.hostPortEnd = hEnd;
    out.push(binding);
  }
  return out;
}

/** Parses every spec of a list, naming `path[i]` in errors. */
export function parsePortSpecs(specs: readonly (string | PortSpec)[], path = 'ports'): PortBinding[] {
  return specs.flatMap((s, i) => parsePortSpec(s, `${path}[${i}]`));
}

function portSpecObject(spec: PortSpec, path: string | undefined): PortBinding {
  const { containerPort, protocol = 'tcp', hostIp = '', hostPort = 0 } = spec;
  if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535) {
    throw invalidSpec(`Invalid containerPort: ${String(containerPort)}`, fieldPath(path, 'containerPort'), spec);
  }
  if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) {
    throw invalidSpec(`Invalid hostPort: ${String(hostPort)}`, fieldPath(path, 'hostPort'), spec);
  }
  if (!protocols.includes(protocol)) throw invalidSpec(`Invalid proto: ${String(protocol)}`, fieldPath(path, 'protocol'), spec);
  const ip = hostIp.startsWith('[') && hostIp.endsWith(']') ? hostIp.slice(1, -1) : hostIp;
  if (ip !== '' && !isIpAddress(ip)) throw invalidSpec(`Invalid ip address: ${hostIp}`, fieldPath(path, 'hostIp'), spec);
  return { containerPort, protocol, hostIp: ip, hostPort };
}

function fieldPath(path: string | undefined, field: string): string {
  return path === undefined ? field : `${path}.${field}`;
}

/**
 * Parses an exposed port (`80/tcp`, `80`, `53/udp`) into number and protocol.
 *
 * @throws InvalidArgumentError for a range (use {@link parseExposedPorts}) or a bad port.
 */
export function parseExposedPort(spec: string, path?: string): ExposedPort {
  const ports = parseExposedPorts(spec, path);
  const [only] = ports;
  if (!only || ports.length !== 1) throw invalidSpec(`Invalid containerPort: ${spec}`, path, spec);
  return only;
}

/**
 * Parses an exposed port that may be a range (`8000-8002/udp`, as `EXPOSE` allows) into one
 * entry per port.
 */
export function parseExposedPorts(spec: string, path?: string): ExposedPort[] {
  const [proto, port] = splitProtoPort(spec);
  if (port === '') throw invalidSpec(`No port specified: ${spec}<empty>`, path, spec);
  const range = parsePortRange(port);
  if (!range) throw invalidSpec(`Invalid containerPort: ${port}`, path, spec);
  if (!protocols.includes(proto.toLowerCase())) throw invalidSpec(`Invalid proto: ${proto}`, path, spec);
  const protocol = proto.toLowerCase() as PortProtocol;
  const out: ExposedPort[] = [];
  for (let p = range[0]; p <= range[1]; p++) out.push({ port: p, protocol });
  return out;
}

/** Formats an exposed port the way Docker keys `ExposedPorts`: `80/tcp`. */
export function formatExposedPort(port: ExposedPort): string {
  return `${port.port}/${port.protocol}`;
}
