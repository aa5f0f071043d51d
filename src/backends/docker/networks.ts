/**
 * The networks part of the Docker backend.
 *
 * @module
 */
import type { NetworkBackend } from '../../core/backend.js';
import { ConflictError, StowageError, UnsupportedError } from '../../core/errors.js';
import type { NetworkInfo } from '../../core/schemas/index.js';
import { seg, type DockerBackendContext } from './context.js';
import { userAliases } from './containers/inspect-mapper.js';
import type { EngineEndpoint, EngineNetwork } from './engine-types.js';

/** Strips a prefix length: `172.18.0.2/16` -> `172.18.0.2`. */
export function withoutPrefix(address: string | undefined): string {
  return (address ?? '').replace(/\/\d+$/, '');
}

/**
 * `GET /networks/{id}` -> `NetworkInfo`. The network's own view has no aliases: they come
 * from each container's endpoint (`aliasesOf`), with the engine's short-ID alias left out.
 */
export function mapNetworkInfo(raw: EngineNetwork, aliasesOf: (containerId: string) => string[] = () => []): NetworkInfo {
  const ipam = raw.IPAM?.Config?.find((c) => c.Subnet && !c.Subnet.includes(':')) ?? raw.IPAM?.Config?.[0];
  const containers: NetworkInfo['containers'] = {};
  for (const [id, c] of Object.entries(raw.Containers ?? {})) {
    // Endpoints of the engine's own (`ep-...`) kind are not containers.
    if (!/^[0-9a-f]{64}$/.test(id)) continue;
    containers[id] = { name: c.Name ?? '', ipAddress: withoutPrefix(c.IPv4Address), aliases: aliasesOf(id) };
  }
  return {
    id: raw.Id,
    name: raw.Name,
    driver: 'bridge',
    subnet: ipam?.Subnet ?? '',
    gateway: ipam?.Gateway ?? '',
    internal: raw.Internal ?? false,
    containers,
  };
}

/** Builds the networks backend over a shared context. */
export function createDockerNetworkBackend(ctx: DockerBackendContext): NetworkBackend {
  const { client } = ctx;

  const inspect = async (ref: string, signal?: AbortSignal): Promise<NetworkInfo> => {
    const raw = await client.json<EngineNetwork>('GET', `/networks/${seg(ref)}`, { signal });
    if (raw.Driver !== 'bridge') {
      throw new UnsupportedError(`network ${raw.Name} uses the ${raw.Driver ?? 'unknown'} driver; Stowage models bridge networks only`, {
        details: { network: raw.Name, driver: raw.Driver },
      });
    }
    // Aliases live on each container's endpoint; one inspect per connected container.
    const aliases = new Map<string, string[]>();
    await Promise.all(
      Object.keys(raw.Containers ?? {}).filter((id) => /^[0-9a-f]{64}$/.test(id)).map(async (id) => {
        try {
          const c = await client.json<{ Name?: string; NetworkSettings?: { Networks?: Record<string, EngineEndpoint> | null } }>(
            'GET', `/containers/${id}/json`, { signal });
          const ep = c.NetworkSettings?.Networks?.[raw.Name];
          aliases.set(id, userAliases(ep?.Aliases, id, (c.Name ?? '').replace(/^\//, '')));
        } catch {
          // Removed in between: it will not be listed next time; report no aliases now.
        }
      }),
    );
    return mapNetworkInfo(raw, (id) => aliases.get(id) ?? []);
  };

  return {
    async create(spec, options = {}) {
      const body: Record<string, unknown> = {
        Name: spec.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Internal: spec.internal,
        Labels: spec.labels,
      };
      if (spec.subnet) body['IPAM'] = { Driver: 'default', Config: [{ Subnet: spec.subnet }] };
      const res = await client.json<{ Id: string }>('POST', '/networks/create', { body, signal: options.signal });
      return inspect(res.Id, options.signal);
    },
    async list(options = {}) {
      const rows = await client.json<EngineNetwork[]>('GET', '/networks', { signal: options.signal });
      const bridges = (rows ?? []).filter((n) => n.Driver === 'bridge');
      const infos = await Promise.all(bridges.map((n) => inspect(n.Id, options.signal).catch(() => undefined)));
      return infos.filter((n): n is NetworkInfo => n !== undefined);
    },
    inspect: (ref, options = {}) => inspect(ref, options.signal),
    async connect(network, container, options = {}) {
      await client.send('POST', `/networks/${seg(network)}/connect`, {
        body: { Container: container, EndpointConfig: { Aliases: options.aliases ?? [] } },
        signal: options.signal,
      });
    },
    async disconnect(network, container, options = {}) {
      await client.send('POST', `/networks/${seg(network)}/disconnect`, {
        body: { Container: container, Force: options.force ?? false },
        signal: options.signal,
      });
    },
    async remove(ref, options = {}) {
      try {
        await client.send('DELETE', `/networks/${seg(ref)}`, { signal: options.signal });
      } catch (error) {
        // Engine 20.10 answers 403 for "has active endpoints"; every backend calls it a conflict.
        if (error instanceof StowageError && /active endpoints/i.test(error.message)) {
          throw new ConflictError(error.message, { details: error.details, cause: error });
        }
        throw error;
      }
    },
  };
}
