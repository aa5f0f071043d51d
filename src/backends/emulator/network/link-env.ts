/**
 * Docker's legacy link environment variables (moby daemon/links): for `--link web4:web4` the
 * linking container gets `WEB4_PORT=tcp://172.17.0.2:80`, one block per exposed port, range
 * variables for runs of consecutive ports, `WEB4_NAME=/web1/web4` and the linked container's
 * own environment as `WEB4_ENV_<VAR>`.
 *
 * @module
 */

/** What a link's variables are made from. */
export interface LinkEnvSpec {
  /** Name of the linking container (without a slash). */
  parentName: string;
  /** The alias the link gives the linked container. */
  alias: string;
  /** The linked container's address. */
  ipAddress: string;
  /** The linked container's exposed ports (`80/tcp`, `53/udp`, `8080`). */
  exposedPorts: readonly string[];
  /** The linked container's environment (`K=V`). */
  env: readonly string[];
}

interface Port {
  number: number;
  proto: string;
}

function parsePort(text: string): Port | undefined {
  const [num, proto = 'tcp'] = text.split('/');
  const number = Number(num);
  if (!Number.isInteger(number) || number <= 0 || number > 65535) return undefined;
  return { number, proto: proto.toLowerCase() };
}

// Docker sorts by number, tcp before other protocols on the same number.
function comparePorts(a: Port, b: Port): number {
  if (a.number !== b.number) return a.number - b.number;
  if (a.proto === b.proto) return 0;
  return a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto.localeCompare(b.proto);
}

// Index of the last port of the run of consecutive numbers starting at `index`.
function lastOfRun(ports: readonly Port[], index: number): number {
  let value = ports[index]?.number ?? 0;
  for (let i = index + 1; i < ports.length; i++) {
    if ((ports[i]?.number ?? 0) > value + 1) return i - 1;
    value++;
  }
  return ports.length - 1;
}

/** The environment variable prefix of a link alias: upper case, `-` as `_`. */
export function linkEnvPrefix(alias: string): string {
  return alias.toUpperCase().replaceAll('-', '_');
}

/**
 * The variables one link contributes, in Docker's order.
 *
 * @example
 * ```ts
 * linkEnvironment({ parentName: 'web1', alias: 'web4', ipAddress: '172.17.0.2',
 *   exposedPorts: ['80/tcp'], env: ['FOO=bar'] });
 * // ['WEB4_PORT=tcp://172.17.0.2:80', 'WEB4_PORT_80_TCP=tcp://172.17.0.2:80',
 * //  'WEB4_PORT_80_TCP_ADDR=172.17.0.2', 'WEB4_PORT_80_TCP_PORT=80',
 * //  'WEB4_PORT_80_TCP_PROTO=tcp', 'WEB4_NAME=/web1/web4', 'WEB4_ENV_FOO=bar']
 * ```
 */
export function linkEnvironment(spec: LinkEnvSpec): string[] {
  const prefix = linkEnvPrefix(spec.alias);
  const ip = spec.ipAddress;
  const ports = spec.exposedPorts.map(parsePort).filter((p): p is Port => p !== undefined).sort(comparePorts);
  const env: string[] = [];
  const first = ports[0];
  if (first) env.push(`${prefix}_PORT=${first.proto}://${ip}:${first.number}`);
  for (let i = 0; i < ports.length;) {
    const p = ports[i] as Port;
    const j = lastOfRun(ports, i);
    if (j > i + 1) {
      const q = ports[j] as Port;
      const key = `${prefix}_PORT_${p.number}_${p.proto.toUpperCase()}`;
      const endKey = `${prefix}_PORT_${p.number}_${q.proto.toUpperCase()}`;
      env.push(`${key}_START=${p.proto}://${ip}:${p.number}`);
      env.push(`${key}_ADDR=${ip}`);
      env.push(`${key}_PROTO=${p.proto}`);
      env.push(`${key}_PORT_START=${p.number}`);
      env.push(`${endKey}_END=${q.proto}://${ip}:${q.number}`);
      env.push(`${endKey}_PORT_END=${q.number}`);
      i = j + 1;
    } else {
      i++;
    }
  }
  for (const p of ports) {
    const key = `${prefix}_PORT_${p.number}_${p.proto.toUpperCase()}`;
    env.push(`${key}=${p.proto}://${ip}:${p.number}`);
    env.push(`${key}_ADDR=${ip}`);
    env.push(`${key}_PORT=${p.number}`);
    env.push(`${key}_PROTO=${p.proto}`);
  }
  env.push(`${prefix}_NAME=/${spec.parentName}/${spec.alias}`);
  for (const entry of spec.env) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const name = entry.slice(0, eq);
    // Docker leaves out what every image sets anyway.
    if (name === 'HOME' || name === 'PATH') continue;
    env.push(`${prefix}_ENV_${name}=${entry.slice(eq + 1)}`);
  }
  // A run of ports repeats its first port's _ADDR and _PROTO; the engine keeps one of each.
  const seen = new Set<string>();
  return env.filter((entry) => {
    const key = entry.slice(0, entry.indexOf('='));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
