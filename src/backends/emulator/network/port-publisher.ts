/**
 * Published ports: real listening sockets on the host that forward each accepted connection
 * into a container's virtual listener, the way docker-proxy does.
 *
 * Host ports for `-P` come from the local port range with Docker's allocator behaviour: a
 * cursor that starts at the bottom of the range and moves on from the last port it gave out,
 * skipping ports this process holds and ports some other process has bound. Publishing is
 * all-or-nothing per container: when one binding fails, everything opened for it is closed.
 *
 * @module
 */
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
   * Opens host listeners for a container's bindings (plus its exposed ports with
   * `publishAll`); resolves with one row per binding, sorted by container port.
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
        const row = binding.hostPort === 0
          ? await this.#openAny(target, binding, publication, signal)
          : binding.hostPortEnd !== undefined && binding.hostPortEnd > binding.hostPort
            ? await this.#openInRange(target, binding, publication, signal)
            : await this.#openExact(target, binding, publication, signal);
        publication.rows.push(row);
      }
    } catch (error) {
      await this.unpublish(target.id);
      throw error;
    }
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

  // True when this process already publishes `port` on an address overlapping `ip`.
  #heldHere(ip: string, port: number): boolean {
    for (const publication of this.#byContainer.values()) {
      for (const row of publication.rows) {
        if (row.hostPort === port && (row.hostIp === ip || row.hostIp === '0.0.0.0' || ip === '0.0.0.0')) return true;
      }
    }
    return false;
  }

  async #openExact(target: PublishTarget, binding: PlannedBinding, publication: Publication, signal?: AbortSignal): Promise<PortRow> {
    const ip = binding.hostIp || '0.0.0.0';
    const prefix = `driver failed programming external connectivity on endpoint ${target.name} (${target.endpointId})`;
    const details = { containerId: target.id, hostIp: ip, hostPort: binding.hostPort };
    if (this.#heldHere(ip, binding.hostPort)) {
      throw new ConflictError(`${prefix}: Bind for ${ip}:${binding.hostPort} failed: port is already allocated`, { details });
    }
    const result = await this.#listen(target.id, binding, ip, binding.hostPort, publication, signal);
    if (!result.ok && !result.inUse) {
      throw new InvalidArgumentError(`${prefix}: Error starting userland proxy: listen tcp4 ${ip}:${binding.hostPort}: ${result.error.message}`, {
        details,
        cause: result.error,
      });
    }
    if (!result.ok) {
      throw new ConflictError(`${prefix}: Error starting userland proxy: listen tcp4 ${ip}:${binding.hostPort}: bind: address already in use`, {
        details,
        cause: result.error,
      });
    }
    return result.row;
  }

  // `-p 8000-8010:80`: the first port of the range that is free, as Docker's allocator does
  // for a fresh range.
  async #openInRange(target: PublishTarget, binding: PlannedBinding, publication: Publication, signal?: AbortSignal): Promise<PortRow> {
    const ip = binding.hostIp || '0.0.0.0';
    const end = binding.hostPortEnd ?? binding.hostPort;
    for (let port = binding.hostPort; port <= end; port++) {
      if (this.#heldHere(ip, port)) continue;
      const result = await this.#listen(target.id, binding, ip, port, publication, signal);
      if (result.ok) return result.row;
      if (!result.inUse) {
        throw new InvalidArgumentError(`driver failed programming external connectivity on endpoint ${target.name} (${target.endpointId}): ${result.error.message}`, {
          details: { containerId: target.id, hostIp: ip },
          cause: result.error,
        });
      }
    }
    throw new ConflictError(
      `driver failed programming external connectivity on endpoint ${target.name} (${target.endpointId}): Bind for ${ip}:${binding.hostPort}-${end} failed: port is already allocated`,
      { details: { containerId: target.id, hostIp: ip, hostPort: binding.hostPort, hostPortEnd: end } },
    );
  }

  async #openAny(target: PublishTarget, binding: PlannedBinding, publication: Publication, signal?: AbortSignal): Promise<PortRow> {
    const [low, high] = await (this.#range ??= this.#options.portRange ? Promise.resolve(this.#options.portRange) : readLocalPortRange());
    const ip = binding.hostIp || '0.0.0.0';
    let port = this.#last !== undefined && this.#last >= low && this.#last <= high ? this.#last : high;
    for (let tries = 0; tries <= high - low; tries++) {
      port = port >= high ? low : port + 1;
      if (this.#heldHere(ip, port)) continue;
      const result = await this.#listen(target.id, binding, ip, port, publication, signal);
      if (result.ok) {
        this.#last = port;
        return result.row;
      }
      // Only a taken port is worth skipping; a bad address fails every port alike.
      if (!result.inUse) {
        throw new InvalidArgumentError(`driver failed programming external connectivity on endpoint ${target.name} (${target.endpointId}): ${result.error.message}`, {
          details: { containerId: target.id, hostIp: ip },
          cause: result.error,
        });
      }
    }
    throw new ConflictError(`driver failed programming external connectivity on endpoint ${target.name} (${target.endpointId}): all ports are allocated`, {
      details: { containerId: target.id, range: [low, high] },
    });
  }

  async #listen(
    containerId: string,
    binding: PlannedBinding,
    ip: string,
    port: number,
    publication: Publication,
    signal?: AbortSignal,
  ): Promise<{ ok: true; row: PortRow } | { ok: false; inUse: boolean; error: Error }> {
    const result = await listenOnHost(ip, port, (socket) => {
      publication.sockets.add(socket);
      socket.once('close', () => publication.sockets.delete(socket));
      this.#options.forward(containerId, binding.containerPort, socket);
    }, signal);
    if (!result.ok) return result;
    publication.servers.push(result.server);
    return { ok: true, row: { containerPort: binding.containerPort, protocol: 'tcp', hostIp: ip, hostPort: port } };
  }
}
