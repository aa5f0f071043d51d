/**
 * What the network half keeps on disk, and where.
 *
 * ```
 * root/network/networks/<id>.json      one record per network, members included
 * root/network/ipam/<id>/              host-local's reservations for that network (its dataDir)
 * runRoot/netns/<container id>         a container's network namespace (an nsfs bind mount)
 * runRoot/network/sandboxes/<id>.json  a container's hostname, links and the files we keep current
 * ```
 *
 * Networks and their reservations survive a reboot (under `root`); namespaces and sandbox
 * records do not (under `runRoot`, normally a tmpfs), and reconciliation drops the members
 * and reservations of containers that are no longer running.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CniResultSchema } from './cni.js';

/** A container's place on a network, as recorded. */
export const MemberRecordSchema = z.object({
  /** Container name (no slash). */
  name: z.string(),
  /** Extra names on this network. */
  aliases: z.array(z.string()),
  /** Docker's endpoint ID (64 hex), named in port conflict messages. */
  endpointId: z.string().regex(/^[0-9a-f]{64}$/),
  /** Interface inside the container (`eth0`, `eth1`...). */
  interfaceName: z.string(),
  /**
   * `attaching` between the record and the CNI ADD returning (a crash there leaves a member
   * that reconciliation deletes with CNI DEL); `attached` once the address is known.
   */
  state: z.enum(['attaching', 'attached']),
  /** Address without prefix (attached only). */
  ipAddress: z.string().optional(),
  /** Prefix length of the address. */
  prefixLength: z.number().int().optional(),
  /** MAC address of the container's interface. */
  macAddress: z.string().optional(),
  /** The bridge plugin's ADD result, kept for CNI CHECK (its `prevResult`). */
  cniResult: CniResultSchema.optional(),
});

/** A container's place on a network, as recorded. */
export type MemberRecord = z.infer<typeof MemberRecordSchema>;

/** One network. */
export const NetworkRecordSchema = z.object({
  /** 64 hex. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  /** Unique name. */
  name: z.string(),
  /** The default `bridge` network (cannot be removed; no aliases; names only through links). */
  isDefault: z.boolean(),
  /** IPv4 CIDR. */
  subnet: z.string(),
  /** Gateway address (the bridge's own). */
  gateway: z.string(),
  /** No route out, no masquerade. */
  internal: z.boolean(),
  /** Labels. */
  labels: z.record(z.string(), z.string()),
  /** The bridge device. */
  bridge: z.string(),
  /** Creation time, ISO 8601. */
  created: z.string(),
  /** Members, by container ID. */
  members: z.record(z.string(), MemberRecordSchema),
});

/** One network. */
export type NetworkRecord = z.infer<typeof NetworkRecordSchema>;

/** A legacy link: the container `name` is known here as `alias`. */
export const LinkSchema = z.object({ name: z.string(), alias: z.string() });

/** A container's network sandbox. */
export const SandboxRecordSchema = z.object({
  /** Container ID. */
  id: z.string(),
  /** Its hostname (the own line of /etc/hosts). */
  hostname: z.string(),
  /** Legacy links. */
  links: z.array(LinkSchema),
  /** A file kept equal to the container's /etc/hosts (rewritten in place). */
  hostsPath: z.string().optional(),
  /** A file given the container's resolv.conf. */
  resolvConfPath: z.string().optional(),
});

/** A container's network sandbox. */
export type SandboxRecord = z.infer<typeof SandboxRecordSchema>;

/** The locations of the network state of one root. */
export class NetworkPaths {
  /** Directory of network records. */
  readonly networks: string;
  /** host-local's dataDir. */
  readonly ipam: string;
  /** Directory of namespace files. */
  readonly netns: string;
  /** Directory of sandbox records. */
  readonly sandboxes: string;
  /**
   * A short tag of this root, in bridge aliases and firewall chain names, so that two roots
   * on one host (tests side by side) never take each other's kernel objects for their own.
   */
  readonly tag: string;

  constructor(root: string, runRoot: string) {
    this.networks = join(root, 'network', 'networks');
    this.ipam = join(root, 'network', 'ipam');
    this.netns = join(runRoot, 'netns');
    this.sandboxes = join(runRoot, 'network', 'sandboxes');
    this.tag = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 12);
  }

  /** A network's record. */
  network(id: string): string {
    return join(this.networks, `${id}.json`);
  }
  /** A container's namespace file. */
  netnsOf(containerId: string): string {
    return join(this.netns, containerId);
  }
  /** A container's sandbox record. */
  sandbox(containerId: string): string {
    return join(this.sandboxes, `${containerId}.json`);
  }
  /**
   * The bridge device of a network: `stw-` and 11 hex of a hash of root and network ID,
   * 15 characters, the most a Linux interface name holds.
   */
  bridgeOf(networkId: string): string {
    return `stw-${createHash('sha256').update(`${this.tag}:${networkId}`).digest('hex').slice(0, 11)}`;
  }
  /** A fixed MAC for a network's bridge: locally administered (02:...), from the same hash. */
  bridgeMacOf(networkId: string): string {
    const hex = createHash('sha256').update(`mac:${this.tag}:${networkId}`).digest('hex');
    return ['02', ...(hex.slice(0, 10).match(/../g) ?? [])].join(':');
  }
  /** The alias written on our bridges, so reconciliation knows them. */
  bridgeAlias(networkId: string): string {
    return `stowage:${this.tag}:${networkId}`;
  }
}
