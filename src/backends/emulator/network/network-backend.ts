/**
 * The {@link NetworkBackend} of the emulator: `docker network` over the registry.
 *
 * @module
 */
import type { NetworkBackend } from '../../../core/backend.js';
import { throwIfAborted } from '../../../core/errors.js';
import type { NetworkRegistry } from './registry.js';

/**
 * Builds the network part of the emulator backend. `nameOf` gives a connected container's
 * current name for NetworkInfo.
 */
export function createNetworkBackend(registry: NetworkRegistry, nameOf: (containerId: string) => string): NetworkBackend {
  return {
    async create(spec, options) {
      throwIfAborted(options?.signal);
      return registry.createNetwork(spec).info(nameOf);
    },
    async list(options) {
      throwIfAborted(options?.signal);
      return registry.networks().map((n) => n.info(nameOf));
    },
    async inspect(ref, options) {
      throwIfAborted(options?.signal);
      return registry.getNetwork(ref).info(nameOf);
    },
    async connect(network, container, options) {
      throwIfAborted(options?.signal);
      registry.connect(network, container, options?.aliases ?? []);
    },
    async disconnect(network, container, options) {
      throwIfAborted(options?.signal);
      registry.disconnect(network, container);
    },
    async remove(ref, options) {
      throwIfAborted(options?.signal);
      registry.removeNetwork(ref);
    },
  };
}
