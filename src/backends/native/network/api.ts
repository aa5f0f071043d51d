/**
 * The interface the native backend's container half calls: networks (Docker's bridge
 * driver), per-container sandboxes (a network namespace), endpoints on networks, the files a
 * container needs for names (`/etc/hosts`, `/etc/resolv.conf`), and recovery.
 *
 * @module
 */
import type { NativeNetworkInfo } from './network-state.js';

/** What `create()` takes (validated by core already: name pattern, CIDR shape). */
export interface NativeNetworkSpec {
  /** Network name. */
  name: string;
  /** IPv4 CIDR; absent: the next free subnet of the pool. */
  subnet?: string;
  /** No route out and no masquerade; members reach only each other. */
  internal?: boolean;
  /** Labels. */
  labels?: Record<string, string>;
}

/** A legacy link (`--link name:alias`). */
export interface LinkSpec {
  /** The linked container's name. */
  name: string;
  /** The name it has here. */
  alias: string;
}

/** What `createSandbox()` takes. */
export interface SandboxSpec {
  /** The container's hostname (its own line of /etc/hosts). */
  hostname: string;
  /** Legacy links; each is written into /etc/hosts once the linked container is on a shared network. */
  links?: LinkSpec[];
  /**
   * A file to keep equal to the container's /etc/hosts (the caller bind-mounts it). It is
   * written at once and rewritten in place whenever a network the container is on changes.
   */
  hostsPath?: string;
  /** A file to receive the container's resolv.conf (written once). */
  resolvConfPath?: string;
}

/** What `connect()` takes. */
export interface EndpointSpec {
  /** The container's name (how other members of a user network find it). */
  name: string;
  /** Extra names on this network (user networks only, as in Docker). */
  aliases?: string[];
}

/** A container's place on a network, as `connect()` and `endpoints()` report it. */
export interface EndpointInfo {
  /** Network ID. */
  networkId: string;
  /** Network name. */
  networkName: string;
  /** Docker's endpoint ID (64 hex); Docker names it in port-publishing errors. */
  endpointId: string;
  /** The container's address. */
  ipAddress: string;
  /** Its prefix length. */
  prefixLength: number;
  /** The gateway (the bridge's address). */
  gateway: string;
  /** The MAC address of the container's interface. */
  macAddress: string;
  /** The interface inside the container (`eth0`...). */
  interfaceName: string;
  /** Extra names. */
  aliases: string[];
}

/** What `reconcile()` removed. */
export interface ReconcileReport {
  /** Containers whose namespace, endpoints and reservations were removed. */
  containers: string[];
  /** Addresses released from host-local (`network/ip`). */
  addresses: string[];
  /** Bridges deleted because their network is gone. */
  bridges: string[];
}

/**
 * The native backend's networks.
 *
 * @example
 * ```ts
 * const nets = createNativeNetworks({ root: '/var/lib/stowage', runRoot: '/run/stowage' });
 * await nets.ensureDefault();
 * const { netnsPath } = await nets.createSandbox(id, { hostname: id.slice(0, 12), hostsPath });
 * const ep = await nets.connect(id, 'bridge', { name: 'web' });
 * // ... runc joins netnsPath; later:
 * await nets.destroySandbox(id);
 * ```
 */
export interface NativeNetworks {
  /** Creates the default `bridge` network (record, bridge device, firewall) when missing. */
  ensureDefault(signal?: AbortSignal): Promise<NativeNetworkInfo>;
  /**
   * Creates a user network with its own bridge and subnet.
   *
   * @throws ConflictError for a name in use or a subnet overlapping a network or a host route
   */
  create(spec: NativeNetworkSpec, signal?: AbortSignal): Promise<NativeNetworkInfo>;
  /**
   * Removes a network, its bridge, firewall rules and reservations.
   *
   * @throws ConflictError while containers are attached; InvalidArgumentError for `bridge`
   */
  remove(ref: string, signal?: AbortSignal): Promise<void>;
  /** A network by name, ID or unique ID prefix (NotFoundError when none). */
  inspect(ref: string, signal?: AbortSignal): Promise<NativeNetworkInfo>;
  /** Every network, the default first. */
  list(signal?: AbortSignal): Promise<NativeNetworkInfo[]>;
  /**
   * Creates the container's network namespace (loopback up) at `runRoot/netns/<id>` and
   * records its hostname, links and files. Idempotent. Give `netnsPath` to runc.
   */
  createSandbox(containerId: string, spec: SandboxSpec, signal?: AbortSignal): Promise<{ netnsPath: string }>;
  /**
   * Attaches the container to a network: a veth into its namespace (`eth0`, `eth1`...), an
   * address, routes; hosts files of the affected containers rewritten.
   *
   * @throws NotFoundError without a sandbox or network; ConflictError when already attached
   *   or the subnet is full
   */
  connect(containerId: string, network: string, spec: EndpointSpec, signal?: AbortSignal): Promise<EndpointInfo>;
  /** Detaches the container (ConflictError when not attached). */
  disconnect(containerId: string, network: string, signal?: AbortSignal): Promise<void>;
  /** The container's endpoints, its primary (eth0) first; empty without a sandbox. */
  endpoints(containerId: string, signal?: AbortSignal): Promise<EndpointInfo[]>;
  /**
   * Detaches the container everywhere and deletes its namespace. Idempotent. Do not run it
   * alongside a `connect` of the same container (stop after start has returned).
   */
  destroySandbox(containerId: string, signal?: AbortSignal): Promise<void>;
  /** The container's /etc/hosts as it is now (NotFoundError without a sandbox). */
  hostsFile(containerId: string, signal?: AbortSignal): Promise<string>;
  /** The resolv.conf a container on a bridge network gets (from the host's). */
  resolvConf(signal?: AbortSignal): Promise<string>;
  /** CNI CHECK of each of the container's attachments; rejects when one is not intact. */
  check(containerId: string, signal?: AbortSignal): Promise<void>;
  /**
   * Removes what belongs to no container in `liveContainerIds` (those whose process runs or is
   * paused, and those any process is starting right now: a sandbox not in the set is torn
   * down): namespaces, veths (CNI DEL), address reservations, members, sandbox records;
   * bridges of removed networks; rewrites the firewall chains from the records; deletes
   * half-written records. Call it when a root is opened.
   */
  reconcile(liveContainerIds: ReadonlySet<string>, signal?: AbortSignal): Promise<ReconcileReport>;
  /**
   * Removes everything of this root from the host, the default network included: for tests
   * and uninstalling. Networks come back with `ensureDefault()`/`create()`.
   */
  purge(signal?: AbortSignal): Promise<void>;
}
