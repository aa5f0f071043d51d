/**
 * The bridge devices of our networks, through iproute2. We create a network's bridge when the
 * network is created (as Docker does), not at its first container: its subnet is then on the
 * host's routing table at once (other allocators, ours in another root or Docker's, see it
 * taken), and it carries an alias naming its root and network, so reconciliation can find
 * bridges whose network record is gone without ever touching one that is not ours.
 *
 * @module
 */
import { access } from 'node:fs/promises';
import { HostCommandError, runHostCommand } from './host-command.js';

/** A bridge to create. */
export interface BridgeSpec {
  /** Device name (at most 15 characters). */
  name: string;
  /** Our alias (`stowage:<root tag>:<network id>`). */
  alias: string;
  /** Gateway address. */
  gateway: string;
  /** Prefix length of the subnet. */
  prefixLength: number;
  /**
   * Its MAC address. Set explicitly, a bridge keeps it; otherwise the kernel gives it the
   * lowest MAC among its ports, which changes as containers come and go (and CNI CHECK, which
   * compares it with the ADD result, then fails).
   */
  macAddress: string;
}

/** Whether a network device of this name exists. */
export async function deviceExists(name: string): Promise<boolean> {
  return access(`/sys/class/net/${name}`).then(() => true, () => false);
}

/** Creates the bridge with its address, up (idempotent). */
export async function ensureBridge(spec: BridgeSpec, signal?: AbortSignal): Promise<void> {
  if (await deviceExists(spec.name)) return;
  const batch = [
    `link add name ${spec.name} address ${spec.macAddress} type bridge`,
    `link set dev ${spec.name} alias "${spec.alias}"`,
    `addr add ${spec.gateway}/${spec.prefixLength} dev ${spec.name}`,
    `link set dev ${spec.name} up`,
  ].join('\n');
  try {
    await runHostCommand('ip', ['-batch', '-'], { input: `${batch}\n`, signal });
  } catch (error) {
    // Half made (the address refused, say): take it away again so no half bridge stays.
    await deleteBridge(spec.name).catch(() => undefined);
    throw error;
  }
}

/** Deletes a bridge (idempotent); its remaining ports are detached by the kernel. */
export async function deleteBridge(name: string, signal?: AbortSignal): Promise<void> {
  try {
    await runHostCommand('ip', ['link', 'del', 'dev', name], { signal });
  } catch (error) {
    if (error instanceof HostCommandError && !(await deviceExists(name))) return;
    throw error;
  }
}

/** A bridge on the host with its alias. */
export interface HostBridge {
  /** Device name. */
  name: string;
  /** Its alias (empty when none). */
  alias: string;
}

/** Every bridge on the host with an alias starting with `aliasPrefix`. */
export async function listBridges(aliasPrefix: string, signal?: AbortSignal): Promise<HostBridge[]> {
  const text = await runHostCommand('ip', ['-j', '-d', 'link', 'show', 'type', 'bridge'], { signal });
  const links = JSON.parse(text || '[]') as Array<{ ifname?: string; ifalias?: string }>;
  return links
    .filter((l) => typeof l.ifname === 'string' && (l.ifalias ?? '').startsWith(aliasPrefix))
    .map((l) => ({ name: l.ifname as string, alias: l.ifalias ?? '' }));
}

/** Names of the interfaces enslaved to `bridge` (the host ends of its containers' veths). */
export async function bridgePorts(bridge: string, signal?: AbortSignal): Promise<string[]> {
  if (!(await deviceExists(bridge))) return [];
  const text = await runHostCommand('ip', ['-j', 'link', 'show', 'master', bridge], { signal });
  return (JSON.parse(text || '[]') as Array<{ ifname?: string }>).flatMap((l) => (l.ifname ? [l.ifname] : []));
}

/** The IPv4 routes of the host's main table with their devices (for subnet overlap checks). */
export async function hostRoutes(signal?: AbortSignal): Promise<Array<{ dst: string; dev: string }>> {
  const text = await runHostCommand('ip', ['-j', '-4', 'route', 'show'], { signal });
  const routes = JSON.parse(text || '[]') as Array<{ dst?: string; dev?: string }>;
  return routes.flatMap((r) => (r.dst && r.dst !== 'default' ? [{ dst: r.dst.includes('/') ? r.dst : `${r.dst}/32`, dev: r.dev ?? '' }] : []));
}
