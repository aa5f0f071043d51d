/**
 * Published ports: real listening sockets on the host that forward each accepted connection
 * into a container's virtual listener, the way docker-proxy does.
 *
 * A binding without a host IP listens on 0.0.0.0 and on `::` (IPv6 only), one row each, as
 * Docker does; on a host without IPv6 the `::` half is left out, as Docker leaves it out. A
 * host IP is honoured exactly (`127.0.0.1`, `::1`, an address of this machine); one the host
 * does not have fails with Docker's text (`listen tcp4 10.255.255.1:8080: bind: cannot assign
 * requested address`). Host ports for `-P` come from the local port range with Docker's
 * allocator behaviour: a cursor that starts at the bottom of the range and moves on from the
 * last port it gave out, skipping ports this process holds and ports some other process has
 * bound on either family. Publishing is all-or-nothing per container: when one binding (or
 * one family of it) fails, everything opened for it is closed.
 *
 * @module
 */
import { isIPv6 } from 'node:net';
import type { Server, Socket } from 'node:net';
import { ConflictError, InvalidArgumentError, UnsupportedError, throwIfAborted } from '../../../core/errors.js';
import type { PortBinding, PortRow } from '../../../core/schemas/index.js';
import { closeServer, listenOnHost, readLocalPortRange } from './host-ports.js';

/** A container about to publish ports. */
export interface PublishTarget {
  /** Container ID. */
  id: string;
  /** Container name (Docker's errors name the endpoint by it). */
  name: string;
  /** Endpoint ID shown in the conflict message. */
  endpointId: string;
}

/** Options of {@link PortPublisher}. */
export interface PortPublisherOptions {
  /** Range `-P` draws from (default: /proc/sys/net/ipv4/ip_local_port_range). */
  portRange?: [number, number];
  /** Hands an accepted host socket to the container's listener on `containerPort`. */
  forward: (containerId: string, containerPort: number, socket: Socket) => void;
}

interface Publication {
  rows: PortRow[];
  servers: Server[];
  sockets: Set<Socket>;
}

/** A published port found by the address and port a client dialled. */
export interface PublishedTarget {
  /** The container behind it. */
  containerId: string;
  /** The container port it forwards to. */
  containerPort: number;
}

// The addresses one binding listens on: both wildcards when the spec names none.
function listenAddresses(hostIp: string): string[] {
  return hostIp === '' ? ['0.0.0.0', '::'] : [hostIp];
}

const isWildcard = (ip: string): boolean => ip === '0.0.0.0' || ip === '::';

// Go's `listen tcp4 0.0.0.0:80` / `listen tcp6 [::]:80`, the start of docker-proxy's error.
function listenText(ip: string, port: number): string {
  return isIPv6(ip) ? `listen tcp6 [${ip}]:${port}` : `listen tcp4 ${ip}:${port}`;
}

// The strerror text Go prints for a failed bind.
const bindErrors: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EAFNOSUPPORT: 'address family not supported by protocol',
  EINVAL: 'invalid argument',
};

function bindText(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return `bind: ${bindErrors[code] ?? error.message}`;
}

// A host without IPv6 cannot open `::`; Docker then publishes on IPv4 alone.
function noIPv6(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL';
}

/** The outcome of opening one binding on one host port, on each of its addresses. */
type GroupResult =
  | { ok: true; rows: PortRow[] }
  | { ok: false; held: true; ip: string }
  | { ok: false; held: false; inUse: boolean; ip: string; error: Error };

// The port a binding asks for, after `-P` has added the exposed ports.
interface PlannedBinding {
  containerPort: number;
  hostIp: string;
  hostPort: number;
  hostPortEnd?: number;
}

function parseExposed(text: string): { port: number; protocol: string } | undefined {
  const [num, protocol = 'tcp'] = text.split('/');
  const port = Number(num);
  return Number.isInteger(port) && port > 0 && port <= 65535 ? { port, protocol: protocol.toLowerCase() } : undefined;
}

/** Opens, tracks and closes the host listeners of published ports. */
export class PortPublisher {
  readonly #options: PortPublisherOptions;
  readonly #byContainer = new Map<string, Publication>();
  #range: Promise<[number, number]> | undefined;
  #last: number | undefined;

  constructor(options: PortPublisherOptions) {
    this.#options = options;
  }

  /** The rows published for a container (empty when none). */
  rowsOf(containerId: string): PortRow[] {
    return [...(this.#byContainer.get(containerId)?.rows ?? [])];
  }

  /**
   * The published port a connection to the host's `address:port` reaches, as docker-proxy
   * listening there would take it: a row on that exact address, or on the wildcard of its
   * family. A port published on 127.0.0.1 is never found from a container's gateway address.
   */
  lookup(address: string, port: number): PublishedTarget | undefined {
    for (const [containerId, publication] of this.#byContainer) {
      for (const row of publication.rows) {
        if (row.hostPort !== port) continue;
        if (row.hostIp === address || (isWildcard(row.hostIp) && isIPv6(row.hostIp) === isIPv6(address))) {
          return { containerId, containerPort: row.containerPort };
        }
      }
    }
    return undefined;
  }

  /**
   * Opens host listeners for a container's bindings (plus its exposed ports with
   * `publishAll`); resolves with one row per binding and address, sorted by container port.
   */
  async publish(
    target: PublishTarget,
    bindings: readonly PortBinding[],
    opts: { publishAll: boolean; exposedPorts: readonly string[] },
    signal?: AbortSignal,
  ): Promise<PortRow[]> {
    throwIfAborted(signal);
    await this.unpublish(target.id);
    const planned = this.#plan(bindings, opts);
    const publication: Publication = { rows: [], servers: [], sockets: new Set() };
    this.#byContainer.set(target.id, publication);
    try {
      for (const binding of planned) {
        const rows = binding.hostPort === 0
          ? await this.#openAny(target, binding, publication, signal)
          : binding.hostPortEnd !== undefined && binding.hostPortEnd > binding.hostPort
            ? await this.#openInRange(target, binding, publication, signal)
            : await this.#openExact(target, binding, publication, signal);
        publication.rows.push(...rows);
      }
    } catch (error) {
      await this.unpublish(target.id);
      throw error;
    }
    // Stable: the 0.0.0.0 row of a port stays before its `::` row, as Docker lists them.
    publication.rows.sort((a, b) => a.containerPort - b.containerPort);
    return [...publication.rows];
  }

  /** Closes a container's host listeners and the connections they accepted. */
  async unpublish(containerId: string): Promise<void> {
    const publication = this.#byContainer.get(containerId);
    if (!publication) return;
    this.#byContainer.delete(containerId);
    for (const socket of publication.sockets) socket.destroy();
    await Promise.all(publication.servers.map(closeServer));
  }

  /** Closes every host listener. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#byContainer.keys()].map((id) => this.unpublish(id)));
  }

  #plan(bindings: readonly PortBinding[], opts: { publishAll: boolean; exposedPorts: readonly string[] }): PlannedBinding[] {
    const planned: PlannedBinding[] = [];
    for (const b of bindings) {
      if (b.protocol !== 'tcp') {
        // The virtual network carries TCP only; a UDP listener that drops everything would lie.
        throw new UnsupportedError(`the emulator cannot publish ${b.protocol} ports (${b.containerPort}/${b.protocol})`, {
          details: { containerPort: b.containerPort, protocol: b.protocol },
        });
      }
      planned.push({ containerPort: b.containerPort, hostIp: b.hostIp, hostPort: b.hostPort, hostPortEnd: b.hostPortEnd });
    }
    if (opts.publishAll) {
      for (const text of opts.exposedPorts) {
        const exposed = parseExposed(text);
        // Exposed UDP ports are skipped rather than failing every `-P` of such an image.
        if (!exposed || exposed.protocol !== 'tcp') continue;
        if (planned.some((p) => p.containerPort === exposed.port)) continue;
        planned.push({ containerPort: exposed.port, hostIp: '', hostPort: 0 });
      }
    }
    return planned;
  }

  // True when this engine already publishes exactly `ip:port`. Like Docker's allocator it
  // compares addresses, not what they cover: 0.0.0.0:80 next to 127.0.0.1:80 is left to the
  // kernel, whose refusal is Docker's `bind: address already in use`.
  #heldHere(ip: string, port: number): boolean {
    for (const publication of this.#byContainer.values()) {
      for (const row of publication.rows) {
        if (row.hostPort === port && row.hostIp === ip) return true;
      }
    }
    return false;
  }

  #prefix(target: PublishTarget): string {
    return `driver failed programming external connectivity on endpoint ${target.name} (${target.endpointId})`;
  }

  async #openExact(target: PublishTarget, binding: PlannedBinding, publication: Publication, signal?: AbortSignal): Promise<PortRow[]> {
    const port = binding.hostPort;
    const result = await this.#openGroup(target.id, binding, port, publication, signal);
    if (result.ok) return result.rows;
    const details = { containerId: target.id, hostIp: result.ip, hostPort: port };
    if (result.held) {
      throw new ConflictError(`${this.#prefix(target)}: Bind for ${result.ip}:${port} failed: port is already allocated`, { details });
    }
    const message = `${this.#prefix(target)}: Error starting userland proxy: ${listenText(result.ip, port)}: ${bindText(result.error)}`;
    // Taken by another process is a clash with the state of the host; any other failure (an
    // address this host does not have) is a bad argument.
    if (result.inUse) throw new ConflictError(message, { details, cause: result.error });
    throw new InvalidArgumentError(message, { details, cause: result.error });
  }

  // `-p 8000-8010:80`: the first port of the range that is free, as Docker's allocator does
  // for a fresh range.
  async #openInRange(target: PublishTarget, binding: PlannedBinding, publication: Publication, signal?: AbortSignal): Promise<PortRow[]> {
    const end = binding.hostPortEnd ?? binding.hostPort;
    for (let port = binding.hostPort; port <= end; port++) {
      const result = await this.#openGroup(target.id, binding, port, publication, signal);
      if (result.ok) return result.rows;
      if (!result.held && !result.inUse) this.#badAddress(target, result, port);
    }
    const ip = listenAddresses(binding.hostIp)[0]!;
    throw new ConflictError(`${this.#prefix(target)}: Bind for ${ip}:${binding.hostPort}-${end} failed: port is already allocated`, {
      details: { containerId: target.id, hostIp: ip, hostPort: binding.hostPort, hostPortEnd: end },
    });
  }

  async #openAny(target: PublishTarget, binding: PlannedBinding, publication: Publication, signal?: AbortSignal): Promise<PortRow[]> {
    const [low, high] = await (this.#range ??= this.#options.portRange ? Promise.resolve(this.#options.portRange) : readLocalPortRange());
    let port = this.#last !== undefined && this.#last >= low && this.#last <= high ? this.#last : high;
    for (let tries = 0; tries <= high - low; tries++) {
      port = port >= high ? low : port + 1;
      const result = await this.#openGroup(target.id, binding, port, publication, signal);
      if (result.ok) {
        this.#last = port;
        return result.rows;
      }
      // Only a taken port is worth skipping; a bad address fails every port alike.
      if (!result.held && !result.inUse) this.#badAddress(target, result, port);
    }
    throw new ConflictError(`${this.#prefix(target)}: all ports are allocated`, {
      details: { containerId: target.id, range: [low, high] },
    });
  }

  #badAddress(target: PublishTarget, result: { ip: string; error: Error }, port: number): never {
    throw new InvalidArgumentError(`${this.#prefix(target)}: Error starting userland proxy: ${listenText(result.ip, port)}: ${bindText(result.error)}`, {
      details: { containerId: target.id, hostIp: result.ip, hostPort: port },
      cause: result.error,
    });
  }

  /**
   * Opens one binding on `port` on each of its addresses (0.0.0.0 and `::` by default), all
   * or none: when one address fails, the listeners opened here for the others are closed.
   */
  async #openGroup(containerId: string, binding: PlannedBinding, port: number, publication: Publication, signal?: AbortSignal): Promise<GroupResult> {
    const addresses = listenAddresses(binding.hostIp);
    for (const ip of addresses) {
      if (this.#heldHere(ip, port)) return { ok: false, held: true, ip };
    }
    const opened: Server[] = [];
    const rows: PortRow[] = [];
    const undo = async (): Promise<void> => {
      await Promise.all(opened.map(closeServer));
      publication.servers = publication.servers.filter((s) => !opened.includes(s));
    };
    for (const ip of addresses) {
      let result;
      try {
        result = await listenOnHost(ip, port, (socket) => {
          publication.sockets.add(socket);
          socket.once('close', () => publication.sockets.delete(socket));
          this.#options.forward(containerId, binding.containerPort, socket);
        }, signal);
      } catch (error) {
        await undo();
        throw error;
      }
      if (!result.ok) {
        if (binding.hostIp === '' && ip === '::' && noIPv6(result.error)) continue;
        await undo();
        return { ok: false, held: false, inUse: result.inUse, ip, error: result.error };
      }
      opened.push(result.server);
      publication.servers.push(result.server);
      rows.push({ containerPort: binding.containerPort, protocol: 'tcp', hostIp: ip, hostPort: port });
    }
    return { ok: true, rows };
  }
}
