/**
 * The records the virtual network keeps: networks with their endpoints, and what it knows of
 * each container (its network configuration, legacy links, listeners and live connections).
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import type { NetworkInfo } from '../../../core/schemas/index.js';
import { IpAllocator, formatCidr } from './ipv4.js';
import type { Cidr } from './ipv4.js';

/** A container's membership of one network while it runs (Docker's endpoint). */
export interface EndpointRecord {
  /** Endpoint ID (64 hex), used in Docker's error texts. */
  id: string;
  /** The container. */
  containerId: string;
  /** The address the network gave it. */
  ipAddress: string;
  /** Names it answers to on this network besides its own (user networks add the short ID). */
  aliases: string[];
}

/** One network: the default `bridge` or a user network. */
export class NetworkRecord {
  /** Network ID (64 hex). */
  readonly id: string;
  /** Unique name. */
  readonly name: string;
  /** Its subnet. */
  readonly cidr: Cidr;
  /** No route to or from the host. */
  readonly internal: boolean;
  /** Labels given at creation. */
  readonly labels: Record<string, string>;
  /** True for the predefined `bridge`: no embedded DNS, links instead, cannot be removed. */
  readonly isDefault: boolean;
  /** Address allocation. */
  readonly ipam: IpAllocator;
  /** Endpoints by container ID, in the order they joined. */
  readonly endpoints = new Map<string, EndpointRecord>();

  constructor(init: { id: string; name: string; cidr: Cidr; internal: boolean; labels: Record<string, string>; isDefault: boolean }) {
    this.id = init.id;
    this.name = init.name;
    this.cidr = init.cidr;
    this.internal = init.internal;
    this.labels = init.labels;
    this.isDefault = init.isDefault;
    this.ipam = new IpAllocator(init.cidr);
  }

  /** The public NetworkInfo; `nameOf` gives each connected container's current name. */
  info(nameOf: (containerId: string) => string): NetworkInfo {
    const containers: NetworkInfo['containers'] = {};
    for (const endpoint of this.endpoints.values()) {
      containers[endpoint.containerId] = {
        name: nameOf(endpoint.containerId),
        ipAddress: endpoint.ipAddress,
        aliases: [...endpoint.aliases],
      };
    }
    return {
      id: this.id,
      name: this.name,
      driver: 'bridge',
      subnet: formatCidr(this.cidr),
      gateway: this.ipam.gateway,
      internal: this.internal,
      containers,
    };
  }
}

/** A container's wish to be on a network (kept across restarts, like Docker's endpoint config). */
export interface NetworkMembership {
  /** The network's ID when it was configured; `''` for one that did not exist then (looked up by name at start). */
  networkId: string;
  /** Its name then, for the error when it has been removed since. */
  networkName: string;
  /** Aliases asked for on it. */
  aliases: string[];
}

/** A legacy link as configured: the linked container and its alias here. */
export interface LinkRecord {
  /** The linked container as the user named it. */
  name: string;
  /** The alias inside this container. */
  alias: string;
  /** The linked container's ID, known once this container has started. */
  targetId?: string;
}

/** A handler of a virtual listener. */
export type ConnectionHandler = (socket: Duplex) => void;

/** What the virtual network knows of one container. */
export interface ContainerRecord {
  /** Container ID. */
  id: string;
  /** Current name. */
  name: string;
  /** Hostname. */
  hostname: string;
  /** Exposed ports (`80/tcp`), for the link variables of containers that link to it. */
  exposedPorts: string[];
  /** Environment (`K=V`), for `<ALIAS>_ENV_*` in containers that link to it. */
  env: string[];
  /** Networks it is configured on, in join order (the first is its primary network). */
  memberships: NetworkMembership[];
  /** Legacy links. */
  links: LinkRecord[];
  /** Whether the engine has described it (create); false when only `network connect` has. */
  configured: boolean;
  /** Whether it is running on the network (has endpoints). */
  attached: boolean;
  /** Virtual listeners by port. */
  listeners: Map<number, ConnectionHandler>;
  /** Live virtual connections to or from it, torn down on detach. */
  connections: Set<Duplex>;
  /** A build step's sandbox, not a container: it joins and leaves without network events. */
  quiet?: boolean;
}
