/**
 * What every operation of the network half shares: the paths and records of a root, the
 * plugin directory, the lock, and the steps several operations take (detaching a member,
 * keeping hosts files current).
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { bridgeConfig, cniDel, releaseAddress } from './cni.js';
import { hostsFileFor } from './hosts-file.js';
import type { NetworkLock } from './lock.js';
import type { NetworkPaths, NetworkRecord, SandboxRecord } from './records.js';
import type { NetworkState } from './network-state.js';

/** The shared state of one root's network half. */
export interface NetworkContext {
  /** Locations. */
  paths: NetworkPaths;
  /** Records. */
  state: NetworkState;
  /** Directory of the CNI plugins. */
  cniPath: string;
  /** The cross-process lock. */
  lock: NetworkLock;
  /** Set once this process has made the namespace directory a shared mount point. */
  netnsDirReady: boolean;
}

/** The bridge plugin's configuration for a network record. */
export function cniConfigOf(ctx: NetworkContext, network: NetworkRecord): Record<string, unknown> {
  return bridgeConfig({
    name: network.id,
    bridge: network.bridge,
    subnet: network.subnet,
    gateway: network.gateway,
    internal: network.internal,
    dataDir: ctx.paths.ipam,
  });
}

/**
 * Takes a container's endpoint off a network in the kernel: CNI DEL through the bridge plugin
 * (its interface deleted inside the namespace, which also removes the host end of the veth,
 * and its address released). When that fails (a broken namespace, say), host-local releases
 * the address directly; the interface goes with the namespace. Idempotent; needs no lock.
 */
export async function releaseEndpoint(ctx: NetworkContext, network: NetworkRecord, containerId: string): Promise<void> {
  const interfaceName = network.members[containerId]?.interfaceName ?? 'eth0';
  const attachment = { containerId, netns: ctx.paths.netnsOf(containerId), interfaceName };
  const config = cniConfigOf(ctx, network);
  try {
    await cniDel(ctx.cniPath, config, attachment);
  } catch (error) {
    try {
      await releaseAddress(ctx.cniPath, config, attachment);
    } catch {
      throw error;
    }
  }
}

/** {@link releaseEndpoint}, then the member is removed from `network` (the caller saves it). */
export async function detachMember(ctx: NetworkContext, network: NetworkRecord, containerId: string): Promise<void> {
  await releaseEndpoint(ctx, network, containerId);
  delete network.members[containerId];
}

/**
 * Rewrites, in place, the hosts files of `containerIds` that have one (`hostsPath`): in place,
 * because the file is bind-mounted into the container and a rename would leave the mount on
 * the old file. Also returns every computed content, by container ID.
 */
export async function refreshHostsFiles(ctx: NetworkContext, containerIds: Iterable<string>): Promise<Map<string, string>> {
  const networks = await ctx.state.networks();
  const sandboxes = await ctx.state.sandboxes();
  const out = new Map<string, string>();
  for (const id of new Set(containerIds)) {
    const sandbox = sandboxes.get(id);
    if (!sandbox) continue;
    const content = hostsFileFor(sandbox, networks, sandboxes);
    out.set(id, content);
    if (sandbox.hostsPath) await rewriteInPlace(sandbox.hostsPath, content);
  }
  return out;
}

/** Replaces a file's content keeping its inode; a missing file is left missing. */
export async function rewriteInPlace(path: string, content: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.truncate(0);
    await handle.write(content, 0, 'utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The containers whose hosts file depends on `containerId`'s membership of `network`: the
 * container itself, the other members of a user network, and every container holding a
 * legacy link to its name.
 */
export function hostsDependents(
  containerId: string,
  name: string,
  network: NetworkRecord,
  sandboxes: ReadonlyMap<string, SandboxRecord>,
): Set<string> {
  const out = new Set([containerId]);
  if (!network.isDefault) for (const id of Object.keys(network.members)) out.add(id);
  for (const sandbox of sandboxes.values()) if (sandbox.links.some((l) => l.name === name)) out.add(sandbox.id);
  return out;
}
