/**
 * A container's sandbox (its network namespace) and its endpoints on networks.
 *
 * `connect` holds the lock twice, not across the CNI ADD: first to record the member as
 * `attaching` (so a concurrent `remove` of the network sees it, and a crash leaves a trace
 * that reconciliation undoes with CNI DEL), then to record the address. Containers starting
 * in parallel therefore run their plugins in parallel; host-local serialises the allocation
 * itself under its own file lock.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import type { EndpointInfo, EndpointSpec, SandboxSpec } from './api.js';
import { CniPluginError, cniAdd, cniCheck, loopbackConfig, type CniResult } from './cni.js';
import { cniConfigOf, detachMember, hostsDependents, refreshHostsFiles, releaseEndpoint, type NetworkContext } from './context.js';
import { attachmentsOf, formatHostsFile } from './hosts-file.js';
import { ensureBridgeOf } from './network-admin.js';
import { requireNetwork } from './network-state.js';
import { createNamespace, prepareNamespaceDir, removeNamespace } from './netns.js';
import type { MemberRecord, NetworkRecord } from './records.js';

/** The endpoint view of an attached member. */
export function endpointInfo(network: NetworkRecord, member: MemberRecord): EndpointInfo {
  return {
    networkId: network.id,
    networkName: network.name,
    endpointId: member.endpointId,
    ipAddress: member.ipAddress ?? '',
    prefixLength: member.prefixLength ?? 0,
    gateway: network.gateway,
    macAddress: member.macAddress ?? '',
    interfaceName: member.interfaceName,
    aliases: [...member.aliases],
  };
}

/** Creates the namespace and the sandbox record (see NativeNetworks.createSandbox). */
export async function createSandbox(
  ctx: NetworkContext,
  containerId: string,
  spec: SandboxSpec,
  resolvConf: () => Promise<string>,
  signal?: AbortSignal,
): Promise<{ netnsPath: string }> {
  const netnsPath = ctx.paths.netnsOf(containerId);
  if (!ctx.netnsDirReady) {
    await ctx.lock(() => prepareNamespaceDir(ctx.paths.netns, signal), signal);
    ctx.netnsDirReady = true;
  }
  // Outside the lock: a namespace file is the container's own; a crash between it and the
  // record leaves a namespace that reconciliation removes (it lists the directory).
  await createNamespace(netnsPath, signal);
  await cniAdd(ctx.cniPath, loopbackConfig(), { containerId, netns: netnsPath, interfaceName: 'lo' }, signal);
  if (spec.resolvConfPath) await writeFile(spec.resolvConfPath, await resolvConf());
  if (spec.hostsPath) await writeFile(spec.hostsPath, formatHostsFile([]));
  await ctx.lock(async () => {
    await ctx.state.saveSandbox({
      id: containerId,
      hostname: spec.hostname,
      links: (spec.links ?? []).map((l) => ({ name: l.name, alias: l.alias })),
      ...(spec.hostsPath ? { hostsPath: spec.hostsPath } : {}),
      ...(spec.resolvConfPath ? { resolvConfPath: spec.resolvConfPath } : {}),
    });
    await refreshHostsFiles(ctx, [containerId]);
  }, signal);
  return { netnsPath };
}

/** The lowest `ethN` the container does not use on any network. */
function nextInterface(containerId: string, networks: readonly NetworkRecord[]): string {
  const used = new Set(networks.flatMap((n) => (n.members[containerId] ? [n.members[containerId].interfaceName] : [])));
  for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
}

/** Maps a failed ADD to the error Docker gives where there is one. */
function addError(network: NetworkRecord, error: unknown): unknown {
  if (error instanceof CniPluginError && /no IP addresses available/i.test(error.message)) {
    return new ConflictError(`no available IPv4 addresses on this network's address pools: ${network.name} (${network.id})`, {
      details: { network: network.name },
      cause: error,
    });
  }
  return error;
}

/** Attaches a container to a network (see NativeNetworks.connect). */
export async function connect(ctx: NetworkContext, containerId: string, ref: string, spec: EndpointSpec, signal?: AbortSignal): Promise<EndpointInfo> {
  const aliases = [...new Set(spec.aliases ?? [])];
  // 1. Record the member as attaching.
  const { network, member } = await ctx.lock(async () => {
    const networks = await ctx.state.networks();
    const network = requireNetwork(networks, ref);
    if (!(await ctx.state.sandbox(containerId))) {
      throw new NotFoundError(`container ${containerId} has no network sandbox (createSandbox first)`, { details: { container: containerId } });
    }
    if (network.members[containerId]) {
      throw new ConflictError(`endpoint with name ${spec.name} already exists in network ${network.name}`, {
        details: { network: network.name, container: containerId },
      });
    }
    if (network.isDefault && aliases.length > 0) {
      throw new InvalidArgumentError('network-scoped aliases are only supported for user-defined networks', { details: { network: network.name } });
    }
    const member: MemberRecord = {
      name: spec.name,
      aliases,
      endpointId: randomBytes(32).toString('hex'),
      interfaceName: nextInterface(containerId, networks),
      state: 'attaching',
    };
    network.members[containerId] = member;
    await ensureBridgeOf(ctx, network, signal);
    await ctx.state.saveNetwork(network);
    return { network, member };
  }, signal);
  const attachment = { containerId, netns: ctx.paths.netnsOf(containerId), interfaceName: member.interfaceName };
  // 2. The plugins.
  let result: CniResult;
  try {
    result = await cniAdd(ctx.cniPath, cniConfigOf(ctx, network), attachment, signal);
  } catch (error) {
    await ctx.lock(async () => {
      const current = (await ctx.state.networks()).find((n) => n.id === network.id);
      if (current?.members[containerId]?.endpointId !== member.endpointId) return;
      await detachMember(ctx, current, containerId);
      await ctx.state.saveNetwork(current);
    });
    throw addError(network, error);
  }
  // 3. Record the address; rewrite the hosts files that list it.
  const ip = result.ips?.find((i) => i.interface === undefined || result.interfaces?.[i.interface]?.sandbox !== undefined) ?? result.ips?.[0];
  const [ipAddress = '', prefix = '0'] = (ip?.address ?? '').split('/');
  const macAddress = result.interfaces?.find((i) => i.name === member.interfaceName && i.sandbox !== undefined)?.mac ?? '';
  return ctx.lock(async () => {
    const current = (await ctx.state.networks()).find((n) => n.id === network.id);
    const recorded = current?.members[containerId];
    if (!current || recorded?.endpointId !== member.endpointId) {
      // destroySandbox ran meanwhile and already took the endpoint down.
      throw new NotFoundError(`container ${containerId} left network ${network.name} while it was being connected`, { details: { container: containerId } });
    }
    Object.assign(recorded, { state: 'attached', ipAddress, prefixLength: Number(prefix), macAddress, cniResult: result } satisfies Partial<MemberRecord>);
    await ctx.state.saveNetwork(current);
    await refreshHostsFiles(ctx, hostsDependents(containerId, spec.name, current, await ctx.state.sandboxes()));
    return endpointInfo(current, recorded);
  });
}

/** Detaches a container from one network (see NativeNetworks.disconnect). */
export async function disconnect(ctx: NetworkContext, containerId: string, ref: string, signal?: AbortSignal): Promise<void> {
  await ctx.lock(async () => {
    const network = requireNetwork(await ctx.state.networks(), ref);
    const member = network.members[containerId];
    if (!member) {
      throw new ConflictError(`container ${containerId} is not connected to network ${network.name}`, {
        details: { network: network.name, container: containerId },
      });
    }
    const dependents = hostsDependents(containerId, member.name, network, await ctx.state.sandboxes());
    await detachMember(ctx, network, containerId);
    await ctx.state.saveNetwork(network);
    await refreshHostsFiles(ctx, dependents);
  }, signal);
}

/**
 * Detaches a container everywhere, deletes its namespace and record (with `kernelDone`, only
 * the records: the caller already released the endpoints and the namespace). The caller holds
 * the lock. Idempotent; resolves the containers whose hosts files changed.
 */
export async function teardownSandbox(ctx: NetworkContext, containerId: string, options: { kernelDone?: boolean } = {}): Promise<Set<string>> {
  const sandboxes = await ctx.state.sandboxes();
  const dependents = new Set<string>();
  for (const network of await ctx.state.networks()) {
    const member = network.members[containerId];
    if (!member) continue;
    for (const id of hostsDependents(containerId, member.name, network, sandboxes)) dependents.add(id);
    if (options.kernelDone) delete network.members[containerId];
    else await detachMember(ctx, network, containerId);
    await ctx.state.saveNetwork(network);
  }
  if (!options.kernelDone) await removeNamespace(ctx.paths.netnsOf(containerId));
  await ctx.state.deleteSandbox(containerId);
  dependents.delete(containerId);
  return dependents;
}

/**
 * Tears a sandbox down and updates the hosts files that listed it (see
 * NativeNetworks.destroySandbox). The kernel work (CNI DEL, unmounting the namespace) runs
 * outside the lock, so containers stopping together do not queue behind each other's veth
 * deletions; only the record update holds it. The caller does not run it alongside a
 * `connect` of the same container.
 */
export async function destroySandbox(ctx: NetworkContext, containerId: string, signal?: AbortSignal): Promise<void> {
  for (const network of await ctx.state.networks()) {
    if (network.members[containerId]) await releaseEndpoint(ctx, network, containerId);
  }
  await removeNamespace(ctx.paths.netnsOf(containerId));
  await ctx.lock(async () => {
    await refreshHostsFiles(ctx, await teardownSandbox(ctx, containerId, { kernelDone: true }));
  }, signal);
}

/** The container's attached endpoints, primary first. */
export async function endpointsOf(ctx: NetworkContext, containerId: string): Promise<EndpointInfo[]> {
  const networks = await ctx.state.networks();
  return attachmentsOf(containerId, networks).map(({ network }) => endpointInfo(network, network.members[containerId] as MemberRecord));
}

/** CNI CHECK of every attachment (see NativeNetworks.check). */
export async function checkSandbox(ctx: NetworkContext, containerId: string, signal?: AbortSignal): Promise<void> {
  for (const network of await ctx.state.networks()) {
    const member = network.members[containerId];
    if (member?.state !== 'attached' || !member.cniResult) continue;
    const attachment = { containerId, netns: ctx.paths.netnsOf(containerId), interfaceName: member.interfaceName };
    await cniCheck(ctx.cniPath, cniConfigOf(ctx, network), member.cniResult, attachment, signal);
  }
}
