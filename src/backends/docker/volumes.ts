/**
 * The volumes part of the Docker backend.
 *
 * @module
 */
import type { VolumeBackend } from '../../core/backend.js';
import type { VolumeInfo } from '../../core/schemas/index.js';
import { seg, type DockerBackendContext } from './context.js';
import { engineDate } from './containers/inspect-mapper.js';
import type { EngineVolume } from './engine-types.js';

/** The label Docker (since 23) puts on volumes it created for anonymous mounts. */
export const ANONYMOUS_VOLUME_LABEL = 'com.docker.volume.anonymous';

/**
 * `GET /volumes/{name}` -> `VolumeInfo`. A volume is anonymous when the engine named it (64
 * hex characters, as Engine 20.10 does) or labelled it so (newer engines).
 */
export function mapVolumeInfo(raw: EngineVolume): VolumeInfo {
  const labels = raw.Labels ?? {};
  const info: VolumeInfo = {
    name: raw.Name,
    driver: 'local',
    labels,
    created: engineDate(raw.CreatedAt) ?? new Date(0),
    anonymous: /^[0-9a-f]{64}$/.test(raw.Name) || ANONYMOUS_VOLUME_LABEL in labels,
  };
  if (raw.Mountpoint) info.mountpoint = raw.Mountpoint;
  return info;
}

/** Builds the volumes backend over a shared context. */
export function createDockerVolumeBackend(ctx: DockerBackendContext): VolumeBackend {
  const { client } = ctx;
  return {
    async create(spec, options = {}) {
      const body: Record<string, unknown> = { Labels: spec.labels, Driver: 'local' };
      if (spec.name !== undefined) body['Name'] = spec.name;
      return mapVolumeInfo(await client.json<EngineVolume>('POST', '/volumes/create', { body, signal: options.signal }));
    },
    async list(options = {}) {
      const res = await client.json<{ Volumes?: EngineVolume[] | null }>('GET', '/volumes', { signal: options.signal });
      return (res.Volumes ?? []).map(mapVolumeInfo);
    },
    async inspect(name, options = {}) {
      return mapVolumeInfo(await client.json<EngineVolume>('GET', `/volumes/${seg(name)}`, { signal: options.signal }));
    },
    async remove(name, options = {}) {
      await client.send('DELETE', `/volumes/${seg(name)}`, { query: { force: options.force ?? false }, signal: options.signal });
    },
  };
}
