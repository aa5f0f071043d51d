/**
 * The state of the virtual network: networks, their endpoints and the containers on them.
 * Every change of membership goes through here, so an address is handed out and given back
 * in exactly one place and network events are emitted in the order things happened.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import type { EngineEvent, LinkSpec } from '../../../core/schemas/index.js';
import { cidrOverlaps, parseCidr, parseIPv4 } from './ipv4.js';
import type { Cidr } from './ipv4.js';
import { NetworkRecord } from './network-record.js';
import type { ContainerRecord, EndpointRecord, LinkRecord } from './network-record.js';

/** The name of the predefined network containers join when they name none. */
export const defaultNetworkName = 'bridge';

/** A container as the engine describes it to the network. */
export interface NetworkContainerSpec {
  /** Container ID (64 hex). */
  id: string;
  /** Container name (no slash). */
  name: string;
  /** Hostname (default: the first 12 characters of the ID). */
  hostname?: string;
  /** Exposed ports (`80/tcp`), used by the link variables of containers linking to this one. */
  exposedPorts?: string[];
  /** Environment (`K=V`), used as `<ALIAS>_ENV_*` by containers linking to this one. */
  env?: string[];
}

/** How a container is to be connected when it starts. */
export interface NetworkAttachSpec {
  /** Network to join (default `bridge`). */
  network?: string;
  /** Aliases on that network. */
  aliases: string[];
  /** Legacy links (`name` is the linked container, `alias` its name here). */
  links: LinkSpec[];
}

/** Options of {@link NetworkRegistry}. */
export interface NetworkRegistryOptions {
  /** Source of network and endpoint IDs (default: 32 random bytes as hex). */
  newId?: () => string;
  /** Source of event times (default: the wall clock). */
  clock?: () => Date;
}

// Docker's default address pools: the /16s after the default bridge, then /20s of 192.168.
function* candidateSubnets(): Generator<Cidr> {
  for (let b = 18; b <= 31; b++) yield { base: ((172 << 24) >>> 0) + b * 65536, prefix: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: ((192 << 24) >>> 0) + 168 * 65536 + c * 256, prefix: 20 };
}

/** The networks and the containers on them. */
export class NetworkRegistry {
  readonly #networks = new Map<string, NetworkRecord>();
  readonly #containers = new Map<string, ContainerRecord>();
  readonly #newId: () => string;
  readonly #clock: () => Date;
  /** Receives network events (create, connect, disconnect, destroy). */
  onEvent: ((event: EngineEvent) => void) | undefined;
  /** Maps a user's container reference to the container (set by the engine). */
  containerResolver: ((ref: string) => { id: string; name: string } | undefined) | undefined;

  constructor(options: NetworkRegistryOptions = {}) {
    this.#newId = options.newId ?? (() => randomBytes(32).toString('hex'));
    this.#clock = options.clock ?? (() => new Date());
    const bridge = new NetworkRecord({
      id: this.#newId(),
      name: defaultNetworkName,
      cidr: parseCidr('172.17.0.0/16'),
      internal: false,
      labels: {},
      isDefault: true,
    });
    this.#networks.set(bridge.id, bridge);
  }

  /** Every network, the default bridge first, then in creation order. */
  networks(): NetworkRecord[] {
    return [...this.#networks.values()];
  }

  /** Finds a network by exact name, full ID or unique ID prefix. */
  findNetwork(ref: string): NetworkRecord | undefined {
    const all = this.networks();
    const byName = all.find((n) => n.name === ref);
    if (byName) return byName;
    const byId = all.find((n) => n.id === ref);
    if (byId) return byId;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = all.filter((n) => n.id.startsWith(ref));
    if (matches.length > 1) throw new InvalidArgumentError(`network ${ref} is ambiguous (${matches.length} matches found based on ID prefix)`, { details: { ref } });
    return matches[0];
  }

  /** Like {@link findNetwork}, but a missing network is a NotFoundError, as Docker words it. */
  getNetwork(ref: string): NetworkRecord {
    const network = this.findNetwork(ref);
    if (!network) throw new NotFoundError(`network ${ref} not found`, { details: { network: ref } });
    return network;
  }

  /** Creates a user network; the subnet defaults to the lowest free pool. */
  createNetwork(spec: { name: string; subnet?: string; internal: boolean; labels: Record<string, string> }): NetworkRecord {
    if (this.networks().some((n) => n.name === spec.name)) {
      throw new ConflictError(`network with name ${spec.name} already exists`, { details: { network: spec.name } });
    }
    const taken = this.networks().map((n) => n.cidr);
    let cidr: Cidr | undefined;
    if (spec.subnet !== undefined) {
      cidr = parseCidr(spec.subnet);
      const wanted = cidr;
      if (taken.some((t) => cidrOverlaps(t, wanted))) {
        throw new ConflictError('Pool overlaps with other one on this address space', { details: { subnet: spec.subnet } });
      }
    } else {
      for (const candidate of candidateSubnets()) {
        if (!taken.some((t) => cidrOverlaps(t, candidate))) {
          cidr = candidate;
          break;
        }
      }
      if (!cidr) throw new ConflictError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    }
    const network = new NetworkRecord({ id: this.#newId(), name: spec.name, cidr, internal: spec.internal, labels: { ...spec.labels }, isDefault: false });
    this.#networks.set(network.id, network);
    this.#emit('create', network, {});
    return network;
  }

  /** Removes a user network; refused while a running container is on it. */
  removeNetwork(ref: string): void {
    const network = this.getNetwork(ref);
    if (network.isDefault) {
      throw new InvalidArgumentError(`${network.name} is a pre-defined network and cannot be removed`, { details: { network: network.name } });
    }
    if (network.endpoints.size > 0) {
      throw new ConflictError(`error while removing network: network ${network.name} id ${network.id} has active endpoints`, {
        details: { network: network.name, containers: [...network.endpoints.keys()] },
      });
    }
    // Stopped containers keep their configuration; starting them later fails as on Docker.
    this.#networks.delete(network.id);
    this.#emit('destroy', network, {});
  }

  /** The record of a container, if the network knows it. */
  container(id: string): ContainerRecord | undefined {
    return this.#containers.get(id);
  }

  /** Every container the network knows. */
  containers(): ContainerRecord[] {
    return [...this.#containers.values()];
  }

  /**
   * Records a container's network configuration without starting it (create). Known
   * containers get their name, hostname, ports and env refreshed; their memberships stay.
   */
  configure(container: NetworkContainerSpec, spec: NetworkAttachSpec): ContainerRecord {
    const existing = this.#containers.get(container.id);
    const record = existing ?? newContainerRecord(container.id, container.name, container.hostname);
    record.name = container.name;
    if (container.hostname !== undefined) record.hostname = container.hostname;
    if (container.exposedPorts) record.exposedPorts = [...container.exposedPorts];
    if (container.env) record.env = [...container.env];
    if (!record.configured) {
      // The network named at create is the primary one, ahead of any joined by `connect`.
      // Engine 20.10 creates a container on a network that does not exist (yet): it is looked
      // up by name at start, which fails with `network x not found` if it is still missing.
      const wanted = spec.network ?? defaultNetworkName;
      const network = this.findNetwork(wanted);
      if (!network) {
        if (!record.memberships.some((m) => m.networkId === '' && m.networkName === wanted)) {
          record.memberships.unshift({ networkId: '', networkName: wanted, aliases: [...spec.aliases] });
        }
      } else if (!record.memberships.some((m) => m.networkId === network.id)) {
        record.memberships.unshift({ networkId: network.id, networkName: network.name, aliases: [...spec.aliases] });
      }
      record.links = spec.links.map((l): LinkRecord => ({ name: l.name, alias: l.alias }));
      record.configured = true;
      this.#containers.set(record.id, record);
    }
    return record;
  }

  /**
   * Starts a container on its networks: checks its links, then gives it an address on each
   * network it is configured on. Nothing changes when a check fails. `quiet` (a build step's
   * sandbox) sends no connect or disconnect events, as dockerd sends none for BuildKit's.
   */
  attach(container: NetworkContainerSpec, spec: NetworkAttachSpec, options: { quiet?: boolean } = {}): ContainerRecord {
    const record = this.configure(container, spec);
    if (options.quiet) record.quiet = true;
    if (record.attached) return record;
    const networks = record.memberships.map((m) => {
      const network = this.#networks.get(m.networkId) ?? (m.networkId === '' ? this.findNetwork(m.networkName) : undefined);
      if (!network) throw new NotFoundError(`network ${m.networkName} not found`, { details: { network: m.networkName } });
      return network;
    });
    // A network named at create that exists by now is the one joined.
    record.memberships.forEach((m, i) => {
      m.networkId = networks[i]!.id;
      m.networkName = networks[i]!.name;
    });
    for (const link of record.links) {
      const target = this.#findContainer(link.name);
      if (!target?.attached) {
        const targetName = target?.name ?? link.name.replace(/^\//, '');
        throw new ConflictError(`Cannot link to a non running container: /${targetName} AS /${record.name}/${link.alias}`, {
          details: { link: link.name, alias: link.alias },
        });
      }
      link.targetId = target.id;
    }
    const taken: Array<[NetworkRecord, string]> = [];
    for (const network of networks) {
      const ip = network.ipam.allocate();
      if (ip === undefined) {
        for (const [n, a] of taken) n.ipam.release(a);
        throw new ConflictError(`no available IPv4 addresses on this network's address pools: ${network.name} (${network.id})`);
      }
      taken.push([network, ip]);
    }
    record.attached = true;
    taken.forEach(([network, ip], i) => this.#join(record, network, ip, record.memberships[i]?.aliases ?? []));
    return record;
  }

  /** Takes a container off every network: frees its addresses, closes listeners and connections. */
  detach(containerId: string): void {
    const record = this.#containers.get(containerId);
    if (!record?.attached) return;
    record.attached = false;
    for (const socket of record.connections) socket.destroy();
    record.connections.clear();
    record.listeners.clear();
    for (const network of this.#networks.values()) this.#leave(record, network);
  }

  /** Forgets a removed container entirely. */
  forget(containerId: string): void {
    this.detach(containerId);
    this.#containers.delete(containerId);
  }

  /** `docker network connect`: joins now when running, else at the next start. */
  connect(networkRef: string, containerRef: string, aliases: string[]): void {
    const network = this.getNetwork(networkRef);
    const record = this.#requireContainer(containerRef);
    if (record.memberships.some((m) => m.networkId === network.id)) {
      throw new ConflictError(`endpoint with name ${record.name} already exists in network ${network.name}`, {
        details: { network: network.name, container: record.id },
      });
    }
    let ip: string | undefined;
    if (record.attached) {
      ip = network.ipam.allocate();
      if (ip === undefined) throw new ConflictError(`no available IPv4 addresses on this network's address pools: ${network.name} (${network.id})`);
    }
    record.memberships.push({ networkId: network.id, networkName: network.name, aliases: [...aliases] });
    if (ip !== undefined) this.#join(record, network, ip, aliases);
  }

  /** `docker network disconnect`. */
  disconnect(networkRef: string, containerRef: string): void {
    const network = this.getNetwork(networkRef);
    const record = this.#requireContainer(containerRef);
    const index = record.memberships.findIndex((m) => m.networkId === network.id);
    if (index < 0) {
      throw new ConflictError(`container ${record.id} is not connected to network ${network.name}`, {
        details: { network: network.name, container: record.id },
      });
    }
    record.memberships.splice(index, 1);
    this.#leave(record, network);
  }

  /** Renames a container (its DNS name follows, as on Docker). */
  rename(containerId: string, name: string): void {
    const record = this.#containers.get(containerId);
    if (record) record.name = name;
  }

  /** The container's endpoints, in membership order. */
  endpointsOf(containerId: string): Array<{ network: NetworkRecord; endpoint: EndpointRecord }> {
    const record = this.#containers.get(containerId);
    if (!record) return [];
    const out: Array<{ network: NetworkRecord; endpoint: EndpointRecord }> = [];
    for (const m of record.memberships) {
      const network = this.#networks.get(m.networkId);
      const endpoint = network?.endpoints.get(containerId);
      if (network && endpoint) out.push({ network, endpoint });
    }
    return out;
  }

  /** The container that holds `ip` on some network, with that network. */
  ownerOf(ip: string): { container: ContainerRecord; network: NetworkRecord } | undefined {
    if (parseIPv4(ip) === undefined) return undefined;
    for (const network of this.#networks.values()) {
      for (const endpoint of network.endpoints.values()) {
        const container = this.#containers.get(endpoint.containerId);
        if (endpoint.ipAddress === ip && container) return { container, network };
      }
    }
    return undefined;
  }

  /** Finds a known container by ID, name (with or without `/`) or the engine's resolver. */
  #findContainer(ref: string): ContainerRecord | undefined {
    const direct = this.#containers.get(ref);
    if (direct) return direct;
    const resolved = this.containerResolver?.(ref);
    if (resolved) return this.#containers.get(resolved.id);
    const name = ref.replace(/^\//, '');
    return [...this.#containers.values()].find((c) => c.name === name);
  }

  // A container the user named in connect/disconnect; one the network has not seen yet (a
  // created container the engine did not configure) is added with the bridge defaults.
  #requireContainer(ref: string): ContainerRecord {
    const found = this.#findContainer(ref);
    if (found) return found;
    const resolved = this.containerResolver?.(ref);
    if (!resolved) throw new NotFoundError(`No such container: ${ref}`, { details: { container: ref } });
    const record = newContainerRecord(resolved.id, resolved.name);
    this.#containers.set(record.id, record);
    return record;
  }

  #join(record: ContainerRecord, network: NetworkRecord, ip: string, aliases: string[]): void {
    const all = [...aliases];
    // Docker adds the short ID as an alias on user networks, so it resolves there.
    const shortId = record.id.slice(0, 12);
    if (!network.isDefault && !all.includes(shortId)) all.push(shortId);
    network.endpoints.set(record.id, { id: this.#newId(), containerId: record.id, ipAddress: ip, aliases: all });
    if (!record.quiet) this.#emit('connect', network, { container: record.id });
  }

  #leave(record: ContainerRecord, network: NetworkRecord): void {
    const endpoint = network.endpoints.get(record.id);
    if (!endpoint) return;
    network.endpoints.delete(record.id);
    network.ipam.release(endpoint.ipAddress);
    // Connections over this network are cut, as a real interface going away would.
    for (const socket of record.connections) {
      const s = socket as { localAddress?: string; remoteAddress?: string };
      if (s.localAddress === endpoint.ipAddress || s.remoteAddress === endpoint.ipAddress) socket.destroy();
    }
    if (!record.quiet) this.#emit('disconnect', network, { container: record.id });
  }

  #emit(action: 'create' | 'connect' | 'disconnect' | 'destroy', network: NetworkRecord, extra: Record<string, string>): void {
    this.onEvent?.({
      type: 'network',
      action,
      id: network.id,
      name: network.name,
      time: this.#clock(),
      attributes: { name: network.name, type: 'bridge', ...extra },
    });
  }
}

/** A container the network has not seen yet: no memberships, links or listeners. */
function newContainerRecord(id: string, name: string, hostname = id.slice(0, 12)): ContainerRecord {
  return {
    id,
    name,
    hostname,
    exposedPorts: [],
    env: [],
    memberships: [],
    links: [],
    configured: false,
    attached: false,
    listeners: new Map(),
    connections: new Set(),
  };
}
