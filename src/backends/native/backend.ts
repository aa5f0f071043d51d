/**
 * `createNativeBackend`: the Backend over a state root, its supervisor and runc.
 *
 * @module
 */
import type { Backend, BackendCapabilities } from '../../core/backend.js';
import { BackendUnavailableError } from '../../core/errors.js';
import { nativeContainers } from './containers/container-backend.js';
import { NativeContext, type NativeNetworkSettings, type UserResolver } from './context.js';
import { missingNetworkParts } from './network/index.js';
import { nativeNetworkBackend } from './network-backend.js';
import { nativeImages } from './images/image-backend.js';
import { missingNativePrerequisites } from './prerequisites.js';
import { recoverRoot } from './recovery.js';
import { ttyAvailable } from './runtime/tty.js';
import { SupervisorClient } from './supervisor/client.js';
import { nativeVolumes } from './volumes/volume-backend.js';
import { checkNativeOptions } from './options.js';

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
  /** Subnets and CNI plugins of the networks (defaults: bridge 10.199.0.0/16, pool 10.200.0.0/16 in /24s, /usr/lib/cni). */
  network?: NativeNetworkSettings;
}

/**
 * Creates the native backend over a state root: repairs what a crash left (see recovery),
 * then serves containers through the root's supervisor, started on first need.
 * @throws BackendUnavailableError naming what this host lacks (Linux, root, runc, overlayfs,
 *   iproute2/iptables, the CNI plugins)
 */
export async function createNativeBackend(options: NativeBackendOptions = {}): Promise<Backend> {
  checkNativeOptions(options);
  const missing = [...(await missingNativePrerequisites()), ...(await missingNetworkParts(options.network?.cniPath))];
  if (missing.length > 0) {
    throw new BackendUnavailableError(`the native backend cannot run here: ${missing.map((m) => m.message).join('; ')}`, {
      details: { missing: missing.map((m) => m.what) },
    });
  }
  const ctx = await NativeContext.open({
    ...(options.root !== undefined ? { root: options.root } : {}),
    ...(options.runRoot !== undefined ? { runRoot: options.runRoot } : {}),
    ...(options.resolveUser ? { resolveUser: options.resolveUser } : {}),
    ...(options.network ? { network: options.network } : {}),
  });
  await recoverRoot(ctx);
  const supervisor = new SupervisorClient(ctx.paths, { idleMs: options.supervisorIdleMs ?? 60_000, ...(options.network ? { network: options.network } : {}) });
  const capabilities: BackendCapabilities = {
    tty: await ttyAvailable(),
    execKill: true,
    pause: true,
    networks: true,
    links: true,
    publishPorts: true,
    build: true,
    buildHeredocs: true,
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
    networks: nativeNetworkBackend(ctx, supervisor),
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
