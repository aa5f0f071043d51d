/**
 * A container's network for one run, set up by the supervisor before `runc run` and torn
 * down when the run ends: its namespace and endpoint through the network half (which also
 * keeps its `/etc/hosts` and writes its resolv.conf), its published ports through the port
 * proxy the supervisor holds, and the legacy link variables. `none` gives a fresh namespace
 * with only loopback (runc makes it); a failure leaves nothing behind (all or nothing).
 *
 * @module
 */
import { join } from 'node:path';
import { ConflictError, UnsupportedError } from '../../../core/errors.js';
import type { PortRow } from '../../../core/schemas/index.js';
import type { NativeContext } from '../context.js';
import { linkEnv } from '../containers/link-env.js';
import type { ContainerRecord, ContainerState } from '../containers/record.js';
import type { PortBindingSpec, PortProxy } from '../network/index.js';

/** What a run's network gives the container. */
export interface RunNetwork {
  /** The namespace runc joins (absent: a fresh one with only loopback). */
  netnsPath?: string;
  /** Whether the network half writes the hosts and resolv.conf files. */
  filesWritten: boolean;
  /** Legacy link variables for the main process. */
  linkEnv: string[];
  /** Published ports, as inspect reports them. */
  ports: PortRow[];
  /** Networks joined, for the state file. */
  networks: NonNullable<ContainerState['networks']>;
}

/** Sets up the run's network. @throws ConflictError for a port in use or a linked container that is not running */
export async function setUpNetwork(ctx: NativeContext, record: ContainerRecord, proxy: PortProxy, ensureDefault: () => Promise<void>): Promise<RunNetwork> {
  const mode = record.host.network;
  if (mode === 'none') return { filesWritten: false, linkEnv: [], ports: [], networks: {} };
  if (mode === 'host' || mode.startsWith('container:')) {
    throw new UnsupportedError(`network mode ${mode} is not supported by the native backend`, { details: { network: mode } });
  }
  await ensureDefault();
  const linked = [];
  for (const link of record.host.links) {
    const other = await ctx.containers.get(link.name);
    if (other.state.status !== 'running' && other.state.status !== 'paused') {
      throw new ConflictError(`Cannot link to a non running container: /${other.record.name} AS /${record.name}/${link.alias}`, { details: { link: link.name } });
    }
    linked.push({ other, alias: link.alias });
  }
  const base = ctx.containers.dir(record.id).base;
  const { netnsPath } = await ctx.networks.createSandbox(record.id, {
    hostname: record.config.hostname,
    links: linked.map((l) => ({ name: l.other.record.name, alias: l.alias })),
    hostsPath: join(base, 'hosts'),
    resolvConfPath: join(base, 'resolv.conf'),
  });
  try {
    const endpoint = await ctx.networks.connect(record.id, mode, { name: record.name, aliases: record.host.networkAliases });
    const env = linked.flatMap(({ other, alias }) => {
      const ip = other.state.networks?.[mode]?.ipAddress ?? Object.values(other.state.networks ?? {})[0]?.ipAddress;
      return ip ? linkEnv({ parentName: record.name, alias, ip, exposedPorts: other.record.config.exposedPorts, env: other.record.config.env }) : [];
    });
    const bindings: PortBindingSpec[] = [];
    const bound = new Set<string>();
    for (const p of record.host.ports) {
      if (p.protocol === 'sctp') continue;
      bound.add(`${p.containerPort}/${p.protocol}`);
      bindings.push({ protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, ...(p.hostPortEnd ? { hostPortEnd: p.hostPortEnd } : {}), targetIp: endpoint.ipAddress, targetPort: p.containerPort });
    }
    if (record.host.publishAll) {
      for (const exposed of record.config.exposedPorts) {
        const [num, proto = 'tcp'] = exposed.split('/');
        if (bound.has(`${num}/${proto}`) || (proto !== 'tcp' && proto !== 'udp')) continue;
        bindings.push({ protocol: proto, hostPort: 0, targetIp: endpoint.ipAddress, targetPort: Number(num) });
      }
    }
    const published = bindings.length ? await proxy.publish({ id: record.id, name: record.name, endpointId: endpoint.endpointId }, bindings) : [];
    return {
      netnsPath,
      filesWritten: true,
      linkEnv: env,
      ports: published.map((p) => ({ containerPort: p.targetPort, protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort })),
      networks: { [mode]: { ipAddress: endpoint.ipAddress, aliases: endpoint.aliases, gateway: endpoint.gateway, macAddress: endpoint.macAddress } },
    };
  } catch (error) {
    await tearDownNetwork(ctx, record.id, proxy);
    throw error;
  }
}

/** Releases the run's ports and namespace (idempotent). */
export async function tearDownNetwork(ctx: NativeContext, id: string, proxy: PortProxy): Promise<void> {
  await proxy.unpublish(id);
  await ctx.networks.destroySandbox(id).catch(() => undefined);
}
