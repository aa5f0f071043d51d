/**
 * `createNativeBackend`: the Backend over a state root, its supervisor and runc.
 *
 * @module
 */
import type { Backend, BackendCapabilities, NetworkBackend } from '../../core/backend.js';
import { BackendUnavailableError, UnsupportedError } from '../../core/errors.js';
import { nativeContainers } from './containers/container-backend.js';
import { NativeContext, type UserResolver } from './context.js';
import { nativeImages } from './images/image-backend.js';
import { missingNativePrerequisites } from './prerequisites.js';
import { recoverRoot } from './recovery.js';
import { ttyAvailable } from './runtime/tty.js';
import { SupervisorClient } from './supervisor/client.js';
import { nativeVolumes } from './volumes/volume-backend.js';

/** Options of the native backend. */
export interface NativeBackendOptions {
  /** State root (default `/var/lib/stowage`). */
  root?: string;
  /** Runtime root (default `/run/stowage`; a tmpfs is best). */
  runRoot?: string;
  /** How long the supervisor lingers with no container running and no client (ms; default 60 s; 0 = for ever). */
  supervisorIdleMs?: number;
  /** Resolves `user` strings in a container's root filesystem (default: numeric IDs only). */
  resolveUser?: UserResolver;
}

/** The networks part until the network half lands: no networks of its own. */
function noNetworks(): NetworkBackend {
  const unsupported = async (): Promise<never> => {
    throw new UnsupportedError('networks are not wired into the native backend yet', { details: { backend: 'native' } });
  };
  return { create: unsupported, list: async () => [], inspect: unsupported, connect: unsupported, disconnect: unsupported, remove: unsupported };
}

/**
 * Creates the native backend over a state root: repairs what a crash left (see recovery),
 * then serves containers through the root's supervisor, started on first need.
 * @throws BackendUnavailableError naming what this host lacks (Linux, root, runc, overlayfs)
 */
export async function createNativeBackend(options: NativeBackendOptions = {}): Promise<Backend> {
  const missing = await missingNativePrerequisites();
  if (missing.length > 0) {
    throw new BackendUnavailableError(`the native backend cannot run here: ${missing.map((m) => m.message).join('; ')}`, {
      details: { missing: missing.map((m) => m.what) },
    });
  }
  const ctx = await NativeContext.open({
    ...(options.root !== undefined ? { root: options.root } : {}),
    ...(options.runRoot !== undefined ? { runRoot: options.runRoot } : {}),
    ...(options.resolveUser ? { resolveUser: options.resolveUser } : {}),
  });
  await recoverRoot(ctx);
  const supervisor = new SupervisorClient(ctx.paths, { idleMs: options.supervisorIdleMs ?? 60_000 });
  const capabilities: BackendCapabilities = {
    tty: await ttyAvailable(),
    execKill: true,
    pause: true,
    networks: false,
    links: false,
    publishPorts: false,
    build: false,
    buildHeredocs: false,
    buildMounts: false,
    push: false,
    events: true,
    detached: true,
  };
  const subscriptions = new Set<() => Promise<void>>();
  return {
    name: 'native',
    capabilities,
    containers: nativeContainers(ctx, supervisor),
    images: nativeImages(ctx),
    volumes: nativeVolumes(ctx),
    networks: noNetworks(),
    async subscribeEvents(listener, onError) {
      const stop = await ctx.events.subscribe(listener, onError);
      subscriptions.add(stop);
      return {
        async close() {
          subscriptions.delete(stop);
          await stop();
        },
      };
    },
    async close() {
      for (const stop of subscriptions) await stop();
      subscriptions.clear();
    },
  };
}
