/**
 * The volumes part of the native Backend.
 *
 * @module
 */
import type { VolumeBackend } from '../../../core/backend.js';
import { ConflictError } from '../../../core/errors.js';
import type { NativeContext } from '../context.js';

/** Creates the volumes part of the backend. */
export function nativeVolumes(ctx: NativeContext): VolumeBackend {
  return {
    async create(spec, options) {
      const { volume, fresh } = await ctx.locked(() => ctx.volumes.create(spec.name !== undefined ? { name: spec.name, labels: spec.labels } : { labels: spec.labels }), options?.signal);
      if (fresh) await ctx.events.append({ type: 'volume', action: 'create', id: volume.name, attributes: {} });
      return volume;
    },
    list: () => ctx.volumes.list(),
    inspect: (name) => ctx.volumes.require(name),
    async remove(name, options) {
      await ctx.locked(async () => {
        await ctx.volumes.require(name);
        const users = (await ctx.containers.all()).filter((c) => c.record.mounts.some((m) => m.name === name));
        if (users.length > 0 && !options?.force) {
          throw new ConflictError(`remove ${name}: volume is in use - [${users.map((u) => u.record.id).join(', ')}]`, { details: { volume: name } });
        }
        await ctx.volumes.delete(name);
      }, options?.signal);
      await ctx.events.append({ type: 'volume', action: 'destroy', id: name, attributes: {} });
    },
  };
}
