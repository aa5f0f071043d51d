/**
 * The emulator's virtual network: Docker's bridge networking without kernel involvement.
 * Containers get addresses on the default `bridge` (172.17.0.0/16) or on user networks,
 * names resolve as Docker's `/etc/hosts` and embedded DNS would, programs listen and connect
 * over in-process socket pairs, and published ports are real host listeners.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import type { NetworkBackend } from '../../../core/backend.js';
import { throwIfAborted } from '../../../core/errors.js';
import type { ContainerInfo, EngineEvent, PortBinding, PortRow } from '../../../core/schemas/index.js';
import type { ProgramNet } from '../program.js';
import { formatHostsFile } from './hosts-file.js';
import { spliceSockets, spliceVirtual } from './host-forward.js';
import { createNetworkBackend } from './network-backend.js';
import { PortPublisher } from './port-publisher.js';
import { createProgramNet, ephemeralPort, openConnection, track } from './program-net.js';
import type { HostRoute, ProgramNetOptions } from './program-net.js';
import type { ContainerRecord } from './network-record.js';
import { createSocketPair } from './socket-pair.js';
import { NetworkRegistry } from './registry.js';
import type { NetworkAttachSpec, NetworkContainerSpec } from './registry.js';
import { hostsFileOf, linkEnvOf } from './resolver.js';

// dockerd names BuildKit's sandbox endpoints with 25 random lower-case letters and digits.
function randomSandboxId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(25)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Options of {@link VirtualNetwork}. */
export interface VirtualNetworkOptions {
  /**
   * Host ports `-P` draws from, inclusive (default: the host's
   * /proc/sys/net/ipv4/ip_local_port_range, or 32768-60999 where that is absent).
   */
  portRange?: [number, number];
  /** Source of event times (default: the wall clock). */
  clock?: () => Date;
  /** Source of network and endpoint IDs, 64 hex characters (default: random). */
  newId?: () => string;
}

/**
 * The virtual network of one emulator engine.
 *
 * @example
 * ```ts
 * const net = new VirtualNetwork();
 * await net.attach({ id, name: 'web', hostname: id.slice(0, 12) }, { aliases: [], links: [] });
 * await net.programNet(id).listen(80, (socket) => socket.pipe(socket));
 * const rows = await net.publish(id, [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 }],
 *   { publishAll: false, exposedPorts: [] });
 * // a real client on 127.0.0.1:rows[0].hostPort now reaches the echo listener
 * await net.close();
 * ```
 */
export class VirtualNetwork {
  /** `docker network` create/list/inspect/connect/disconnect/remove. */
  readonly backend: NetworkBackend;
  readonly #registry: NetworkRegistry;
  readonly #publisher: PortPublisher;
  readonly #hostRoute: HostRoute = {
    isHostAddress: (address) => this.#isHostAddress(address),
    connect: (from, address, port) => this.#connectToPublished(from, address, port),
  };
  #resolver: ((ref: string) => { id: string; name: string } | undefined) | undefined;

  constructor(options: VirtualNetworkOptions = {}) {
    this.#registry = new NetworkRegistry({ clock: options.clock, newId: options.newId });
    this.#publisher = new PortPublisher({
      portRange: options.portRange,
      forward: (containerId, port, socket) => this.#forward(containerId, port, socket),
    });
    this.backend = createNetworkBackend(this.#registry, (id) => this.#registry.container(id)?.name ?? this.#resolver?.(id)?.name ?? id);
  }

  /** Receives network events (create, connect, disconnect, destroy); set by the backend. */
  get onEvent(): ((event: EngineEvent) => void) | undefined {
    return this.#registry.onEvent;
  }

  /** Sets (or clears) the receiver of network events. */
  set onEvent(listener: ((event: EngineEvent) => void) | undefined) {
    this.#registry.onEvent = listener;
  }

  /** Lets `network connect`, `disconnect` and links find containers by name, ID or prefix. */
  setContainerResolver(fn: (ref: string) => { id: string; name: string } | undefined): void {
    this.#resolver = fn;
    this.#registry.containerResolver = fn;
  }

  /**
   * Records a created container's network, aliases and links without starting it, so that
   * inspect shows its networks before the first start. Optional: {@link attach} does it too.
   * Throws NotFoundError when the network does not exist (as `docker create` does).
   */
  configure(container: NetworkContainerSpec, opts: NetworkAttachSpec): void {
    this.#registry.configure(container, opts);
  }

  /**
   * Puts a starting container on its networks (the one it was created with plus any joined
   * with `network connect`): addresses, DNS names, links. A link to a container that is not
   * running is a ConflictError and changes nothing. Attaching a running container is a no-op.
   */
  async attach(container: NetworkContainerSpec, opts: NetworkAttachSpec): Promise<void> {
    this.#registry.attach(container, opts);
  }

  /** Takes a stopped container off its networks: frees addresses, closes listeners, connections and published ports. */
  async detach(containerId: string): Promise<void> {
    this.#registry.detach(containerId);
    await this.#publisher.unpublish(containerId);
  }

  /** Forgets a removed container (detaching it first). */
  async forget(containerId: string): Promise<void> {
    await this.detach(containerId);
    this.#registry.forget(containerId);
  }

  /** Follows a container rename, so its DNS name and link lines use the new name. */
  rename(containerId: string, name: string): void {
    this.#registry.rename(containerId, name);
  }

  /**
   * The network as the container's programs see it; `signal` ends the listeners they open.
   * What they reach at the host's addresses is this engine's published ports, never a host
   * socket (see program-net.ts).
   */
  programNet(containerId: string, options?: ProgramNetOptions): ProgramNet {
    return createProgramNet(this.#registry, containerId, options, this.#hostRoute);
  }

  /**
   * A build step's network, as BuildKit's RUN has on Engine 20.10: an address on the default
   * `bridge` (so containers there are reachable by address, and published ports through the
   * host's), listed by `network inspect` while the step runs under a random name, without
   * events, and gone after `release()`.
   */
  buildSandbox(hostname: string, signal?: AbortSignal): { net: ProgramNet; release(): Promise<void> } {
    const id = randomSandboxId();
    this.#registry.attach({ id, name: id, hostname }, { aliases: [], links: [] }, { quiet: true });
    return {
      net: this.programNet(id, signal ? { signal } : {}),
      release: () => this.forget(id),
    };
  }

  /**
   * Opens real host listeners for a started container's port bindings (and, with
   * `publishAll`, for its exposed TCP ports) that forward into its virtual listeners. A host
   * port already taken is a ConflictError with Docker's text, and nothing stays open. A
   * container only on internal networks publishes nothing, as those have no route to the host.
   */
  async publish(
    containerId: string,
    bindings: PortBinding[],
    opts: { publishAll: boolean; exposedPorts: string[] },
    signal?: AbortSignal,
  ): Promise<PortRow[]> {
    throwIfAborted(signal);
    const endpoints = this.#registry.endpointsOf(containerId);
    if (endpoints.length > 0 && endpoints.every(({ network }) => network.internal)) return [];
    const name = this.#registry.container(containerId)?.name ?? this.#resolver?.(containerId)?.name ?? containerId;
    const endpointId = endpoints.find(({ network }) => !network.internal)?.endpoint.id ?? containerId;
    return this.#publisher.publish({ id: containerId, name, endpointId }, bindings, opts, signal);
  }

  /** Closes a container's published ports. */
  async unpublish(containerId: string): Promise<void> {
    await this.#publisher.unpublish(containerId);
  }

  /** The ports a container publishes now (for inspect and `docker port`). */
  portsOf(containerId: string): PortRow[] {
    return this.#publisher.rowsOf(containerId);
  }

  /** The container's `/etc/hosts`, in Docker's layout. */
  hostsFile(containerId: string): string {
    const record = this.#registry.container(containerId);
    if (!record) return formatHostsFile({ hostname: containerId.slice(0, 12) }, []);
    return hostsFileOf(this.#registry, record);
  }

  /** Docker's legacy link variables for the container's links on the default bridge. */
  linkEnv(containerId: string): string[] {
    const record = this.#registry.container(containerId);
    return record ? linkEnvOf(this.#registry, record) : [];
  }

  /** The container's networks for inspect (address '' while it is not running). */
  networksOf(containerId: string): ContainerInfo['networks'] {
    const record = this.#registry.container(containerId);
    const out: ContainerInfo['networks'] = {};
    if (!record) return out;
    for (const membership of record.memberships) {
      const network = this.#registry.networks().find((n) => n.id === membership.networkId);
      const endpoint = network?.endpoints.get(containerId);
      out[network?.name ?? membership.networkName] = endpoint
        ? { ipAddress: endpoint.ipAddress, aliases: [...endpoint.aliases] }
        : { ipAddress: '', aliases: [...membership.aliases] };
    }
    return out;
  }

  /** Closes every host listener and virtual connection, so a test runner can exit. */
  async close(): Promise<void> {
    for (const record of this.#registry.containers()) this.#registry.detach(record.id);
    await this.#publisher.closeAll();
  }

  // The host's addresses as containers see them: every network's gateway (all are addresses of
  // the host's bridges in Docker) and this machine's own non-loopback addresses.
  #isHostAddress(address: string): boolean {
    if (this.#registry.networks().some((network) => network.ipam.gateway === address)) return true;
    for (const list of Object.values(networkInterfaces())) {
      if (list?.some((nic) => !nic.internal && nic.address === address)) return true;
    }
    return false;
  }

  // A container dialled the host's `address:port`: docker-proxy, if it listens there, takes the
  // connection and dials the published container from that container's gateway. Everything
  // stays in-process; undefined (refused) when nothing is published there.
  #connectToPublished(from: { record: ContainerRecord; address: string; port: number }, address: string, port: number): Duplex | undefined {
    const published = this.#publisher.lookup(address, port);
    if (!published) return undefined;
    const outer = createSocketPair({ address: from.address, port: from.port }, { address, port });
    track(from.record, outer.client);
    track(from.record, outer.server);
    const inner = this.#openPublished(published.containerId, published.containerPort, ephemeralPort());
    if (!inner) {
      // docker-proxy accepted, then found nothing listening in the container: it closes.
      outer.server.destroy();
      return outer.client;
    }
    spliceVirtual(outer.server, inner);
    return outer.client;
  }

  // A connection into a published container's listener as docker-proxy opens it: from the
  // gateway of the container's first network with a route to the host.
  #openPublished(containerId: string, containerPort: number, sourcePort: number): Duplex | undefined {
    const record = this.#registry.container(containerId);
    const route = this.#registry.endpointsOf(containerId).find(({ network }) => !network.internal);
    if (!record || !route) return undefined;
    return openConnection(record, containerPort, { address: route.network.ipam.gateway, port: sourcePort }, route.endpoint.ipAddress);
  }

  // A connection accepted on a published port, handed to the container's listener. It comes
  // from the network's gateway address, as docker-proxy's connections do.
  #forward(containerId: string, containerPort: number, socket: Socket): void {
    const virtual = this.#openPublished(containerId, containerPort, socket.remotePort ?? 0);
    if (!virtual) {
      // Nothing listens there: the client sees its connection reset, as with docker-proxy.
      socket.resetAndDestroy();
      return;
    }
    spliceSockets(socket, virtual);
  }
}
