/**
 * Recovery: making the host match the records and the records match the living containers,
 * after crashes at any point (a process SIGKILLed mid-connect, a reboot that emptied runRoot).
 *
 * What belongs to a container that is not live goes: its endpoints (CNI DEL with the netns
 * still there, so its veth is deleted at once rather than whenever the kernel frees the
 * namespace), its host-local reservations (also ones no record mentions), its namespace file
 * and sandbox record. What belongs to no network record goes: bridges carrying our alias,
 * host-local directories. The firewall chains are rewritten from the records; bridges of
 * existing networks are recreated when missing.
 *
 * @module
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from '../../../core/errors.js';
import type { ReconcileReport } from './api.js';
import { deleteBridge, listBridges } from './bridge.js';
import { releaseAddress } from './cni.js';
import { cniConfigOf, refreshHostsFiles, type NetworkContext } from './context.js';
import { teardownSandbox } from './endpoints.js';
import { removeFirewall, syncFirewall } from './firewall.js';
import { ensureBridgeOf } from './network-admin.js';
import { releaseNamespaceDir, removeNamespace } from './netns.js';

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** host-local's reservation files of one network: `ip` -> container ID and interface. */
async function reservations(dir: string): Promise<Array<{ ip: string; containerId: string; interfaceName: string }>> {
  const out = [];
  for (const name of await names(dir)) {
    // Reservation files are named by the address; `last_reserved_ip.N` and `lock` are not.
    if (!/^[0-9.]+$/.test(name)) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    const [containerId = '', interfaceName = 'eth0'] = text.split(/\r?\n/);
    out.push({ ip: name, containerId: containerId.trim(), interfaceName: interfaceName.trim() || 'eth0' });
  }
  return out;
}

/** Every container this root knows of, from each place that can name one. */
async function knownContainers(ctx: NetworkContext): Promise<Set<string>> {
  const known = new Set<string>();
  for (const n of await ctx.state.networks()) for (const id of Object.keys(n.members)) known.add(id);
  for (const id of (await ctx.state.sandboxes()).keys()) known.add(id);
  for (const name of await names(ctx.paths.netns)) known.add(name);
  return known;
}

/** Reconciles one root (the caller holds the lock). */
export async function reconcileRoot(ctx: NetworkContext, live: ReadonlySet<string>, signal?: AbortSignal): Promise<ReconcileReport> {
  const report: ReconcileReport = { containers: [], addresses: [], bridges: [] };
  await ctx.state.init();
  await ctx.state.removeLeftovers();
  const dependents = new Set<string>();
  for (const id of await knownContainers(ctx)) {
    if (live.has(id)) continue;
    throwIfAborted(signal);
    for (const d of await teardownSandbox(ctx, id)) dependents.add(d);
    report.containers.push(id);
  }
  const networks = await ctx.state.networks();

  // Reservations no record explains (a crash between host-local's write and ours).
  const byId = new Map(networks.map((n) => [n.id, n]));
  for (const dir of await names(ctx.paths.ipam)) {
    const network = byId.get(dir);
    if (!network) {
      await rm(join(ctx.paths.ipam, dir), { recursive: true, force: true });
      continue;
    }
    for (const r of await reservations(join(ctx.paths.ipam, dir))) {
      if (live.has(r.containerId) && network.members[r.containerId]) continue;
      const attachment = { containerId: r.containerId, netns: ctx.paths.netnsOf(r.containerId), interfaceName: r.interfaceName };
      await releaseAddress(ctx.cniPath, cniConfigOf(ctx, network), attachment, signal);
      report.addresses.push(`${network.name}/${r.ip}`);
    }
  }

  // Bridges: ours without a record go; records without a bridge get theirs back.
  for (const bridge of await listBridges(`stowage:${ctx.paths.tag}:`, signal)) {
    const id = bridge.alias.split(':')[2] ?? '';
    if (byId.has(id)) continue;
    await deleteBridge(bridge.name, signal);
    report.bridges.push(bridge.name);
  }
  for (const network of networks) await ensureBridgeOf(ctx, network, signal);
  await syncFirewall(ctx.paths.tag, networks, signal);
  await refreshHostsFiles(ctx, [...dependents].filter((id) => live.has(id)));
  return report;
}

/** Removes everything of one root from the host (the caller holds the lock). */
export async function purgeRoot(ctx: NetworkContext, signal?: AbortSignal): Promise<void> {
  await ctx.state.init();
  for (const id of await knownContainers(ctx)) await teardownSandbox(ctx, id);
  for (const network of await ctx.state.networks()) {
    await ctx.state.deleteNetwork(network.id);
    await deleteBridge(network.bridge, signal);
  }
  for (const bridge of await listBridges(`stowage:${ctx.paths.tag}:`, signal)) await deleteBridge(bridge.name, signal);
  await removeFirewall(ctx.paths.tag, signal);
  for (const name of await names(ctx.paths.netns)) await removeNamespace(join(ctx.paths.netns, name));
  await releaseNamespaceDir(ctx.paths.netns);
  await rm(ctx.paths.ipam, { recursive: true, force: true });
}
