/**
 * Invoking Debian's containernetworking-plugins (`/usr/lib/cni`) the way a CNI runtime does:
 * the plugin binary run with `CNI_COMMAND` (ADD, DEL, CHECK), `CNI_CONTAINERID`, `CNI_NETNS`,
 * `CNI_IFNAME` and `CNI_PATH` in its environment and the network configuration as JSON on
 * stdin; the result (or the error) as JSON on stdout.
 *
 * Why plugins rather than our own veth and IPAM code: the bridge plugin already does the
 * fiddly kernel work right (veth pair with a name that cannot clash, moved into the
 * namespace, MAC and MTU, the address and routes set inside, the host end on the bridge,
 * idempotent DEL), and host-local is an allocator with a file lock that is safe across
 * processes and leaves its reservations as plain files we can audit. Both are what podman,
 * containerd and Kubernetes run; writing them again in TypeScript would mean netlink by hand
 * or a dozen `ip` calls per container with our own failure handling for each.
 *
 * We leave the bridge plugin's `ipMasq` off and write one masquerade rule per network (see
 * firewall.ts): the plugin's rules are per container and its DEL can only find them while the
 * container's namespace still exists, so a lost namespace would leak them.
 *
 * @module
 */
import { z } from 'zod';
import { HostCommandError, runHostCommand } from './host-command.js';

/** The CNI spec version we speak; Debian's 1.1.1 plugins support 0.1.0 to 1.0.0. */
export const CNI_VERSION = '1.0.0';

/** What identifies one attachment to the plugins. */
export interface CniAttachment {
  /** `CNI_CONTAINERID`. */
  containerId: string;
  /** `CNI_NETNS`: the namespace file (may be missing for DEL). */
  netns: string;
  /** `CNI_IFNAME`. */
  interfaceName: string;
}

/** The network facts a bridge configuration is built from. */
export interface BridgeNetworkConfig {
  /** The CNI network name (our network ID: host-local keeps its reservations under it). */
  name: string;
  /** Bridge device. */
  bridge: string;
  /** IPv4 CIDR. */
  subnet: string;
  /** Gateway. */
  gateway: string;
  /** No default route. */
  internal: boolean;
  /** host-local's dataDir. */
  dataDir: string;
}

/** The bridge plugin's configuration for a network (host-local IPAM inside). */
export function bridgeConfig(net: BridgeNetworkConfig): Record<string, unknown> {
  return {
    cniVersion: CNI_VERSION,
    name: net.name,
    type: 'bridge',
    bridge: net.bridge,
    // The bridge holds the gateway address, as docker0 does; the host routes to the subnet.
    isGateway: true,
    ipMasq: false,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: net.subnet, gateway: net.gateway }]],
      // An internal network has no way out: no default route (Docker's --internal).
      routes: net.internal ? [] : [{ dst: '0.0.0.0/0' }],
      dataDir: net.dataDir,
    },
  };
}

/** The loopback plugin's configuration. */
export function loopbackConfig(): Record<string, unknown> {
  return { cniVersion: CNI_VERSION, name: 'loopback', type: 'loopback' };
}

/** The parts of a CNI 1.0 result we read. */
export const CniResultSchema = z.object({
  cniVersion: z.string().optional(),
  interfaces: z.array(z.object({ name: z.string(), mac: z.string().optional(), sandbox: z.string().optional() })).optional(),
  ips: z.array(z.object({ address: z.string(), gateway: z.string().optional(), interface: z.number().optional() })).optional(),
}).passthrough();

/** A CNI result (ADD's output, CHECK's `prevResult`). */
export type CniResult = z.infer<typeof CniResultSchema>;

/** A plugin failed; `message` is the plugin's own `msg` (and `details`). */
export class CniPluginError extends Error {
  /** The CNI error code (1-99 well-known, 100+ plugin-specific), when the plugin gave one. */
  readonly cniCode: number | undefined;

  constructor(plugin: string, command: string, message: string, cniCode: number | undefined, cause?: unknown) {
    super(`CNI ${plugin} ${command}: ${message}`, { cause });
    this.cniCode = cniCode;
  }
}

/** Runs the plugin `type` from `cniPath` with `command`; resolves its stdout parsed as JSON. */
async function invoke(
  cniPath: string,
  command: 'ADD' | 'DEL' | 'CHECK',
  config: Record<string, unknown>,
  attachment: CniAttachment,
  signal?: AbortSignal,
): Promise<unknown> {
  const plugin = String(config['type']);
  const env: NodeJS.ProcessEnv = {
    // The plugins run iptables, modprobe and friends: they need a PATH, nothing else of ours.
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: attachment.containerId,
    CNI_NETNS: attachment.netns,
    CNI_IFNAME: attachment.interfaceName,
    CNI_PATH: cniPath,
  };
  let stdout: string;
  try {
    stdout = await runHostCommand(`${cniPath}/${plugin}`, [], { input: JSON.stringify(config), env, signal });
  } catch (error) {
    if (!(error instanceof HostCommandError)) throw error;
    // Plugins report failures as {"code", "msg", "details"} on stdout.
    let parsed: { code?: number; msg?: string; details?: string } = {};
    try {
      parsed = JSON.parse(error.stdout) as typeof parsed;
    } catch {
      // not JSON: the stderr text is all there is
    }
    const text = parsed.msg ? `${parsed.msg}${parsed.details ? `: ${parsed.details}` : ''}` : error.message;
    throw new CniPluginError(plugin, command, text, parsed.code, error);
  }
  return stdout.trim() === '' ? undefined : JSON.parse(stdout);
}

/** CNI ADD; resolves the plugin's result. */
export async function cniAdd(cniPath: string, config: Record<string, unknown>, attachment: CniAttachment, signal?: AbortSignal): Promise<CniResult> {
  return CniResultSchema.parse(await invoke(cniPath, 'ADD', config, attachment, signal));
}

/** CNI DEL (idempotent by the spec: deleting what is already gone succeeds). */
export async function cniDel(cniPath: string, config: Record<string, unknown>, attachment: CniAttachment, signal?: AbortSignal): Promise<void> {
  await invoke(cniPath, 'DEL', config, attachment, signal);
}

/** CNI CHECK against the result of the ADD; rejects with {@link CniPluginError} when the attachment is not intact. */
export async function cniCheck(
  cniPath: string,
  config: Record<string, unknown>,
  prevResult: CniResult,
  attachment: CniAttachment,
  signal?: AbortSignal,
): Promise<void> {
  await invoke(cniPath, 'CHECK', { ...config, prevResult }, attachment, signal);
}

/**
 * Releases an attachment's address through host-local itself (its DEL under its own file
 * lock), for when the bridge plugin cannot run its DEL (the namespace is gone and it would
 * still try) or the network's bridge is already removed.
 */
export async function releaseAddress(cniPath: string, config: Record<string, unknown>, attachment: CniAttachment, signal?: AbortSignal): Promise<void> {
  const ipam = config['ipam'] as Record<string, unknown>;
  await invoke(cniPath, 'DEL', { ...config, type: ipam['type'] }, attachment, signal);
}
