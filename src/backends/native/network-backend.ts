/**
 * The networks part of the native Backend: the network half's records and bridges, with
 * connect and disconnect of running containers through the supervisor (which owns their
 * state).
 *
 * @module
 */
import type { NetworkBackend } from '../../core/backend.js';
import type { NetworkInfo } from '../../core/schemas/index.js';
import type { NativeContext } from './context.js';
import type { NativeNetworkInfo } from './network/index.js';
import type { SupervisorClient } from './supervisor/client.js';

/** Core's view of a network record (the network half adds labels, bridge, created). */
function view(info: NativeNetworkInfo): NetworkInfo {
  return { id: info.id, name: info.name, driver: info.driver, subnet: info.subnet, gateway: info.gateway, internal: info.internal, containers: info.containers };
}

/** Creates the networks part of the backend. */
export function nativeNetworkBackend(ctx: NativeContext, supervisor: SupervisorClient): NetworkBackend {
  return {
    async create(spec, options) {
      const info = await ctx.networks.create({ name: spec.name, internal: spec.internal, labels: spec.labels, ...(spec.subnet ? { subnet: spec.subnet } : {}) }, options?.signal);
      await ctx.events.append({ type: 'network', action: 'create', id: info.id, name: info.name, attributes: { name: info.name, type: 'bridge' } });
      return view(info);
    },
    async list(options) {
      await ctx.networks.ensureDefault(options?.signal);
      return (await ctx.networks.list(options?.signal)).map(view);
    },
    async inspect(ref, options) {
      if (ref === 'bridge') await ctx.networks.ensureDefault(options?.signal);
      return view(await ctx.networks.inspect(ref, options?.signal));
    },
    async connect(network, container, options) {
      const id = await ctx.containers.resolve(container);
      await supervisor.request({ op: 'connect', id, network, aliases: options?.aliases ?? [] }, options?.signal);
    },
    async disconnect(network, container, options) {
      const id = await ctx.containers.resolve(container);
      await supervisor.request({ op: 'disconnect', id, network }, options?.signal);
    },
    async remove(ref, options) {
      const info = await ctx.networks.inspect(ref, options?.signal);
      await ctx.networks.remove(ref, options?.signal);
      await ctx.events.append({ type: 'network', action: 'destroy', id: info.id, name: info.name, attributes: { name: info.name } });
    },
  };
}
