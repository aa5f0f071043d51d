/**
 * The emulator backend: the image store, the virtual network, containers and volumes of one
 * in-memory engine, wired together behind the Backend interface.
 *
 * @module
 */
import type { Backend, BackendCapabilities, EventSubscription } from '../../core/backend.js';
import type { EngineEvent } from '../../core/schemas/index.js';
import { UnionFS } from '../../fs-union/union-fs.js';
import { randomIdSource, systemClock, type EmulatorClock, type IdSource } from './clock.js';
import { EmulatorContainers } from './containers/container-backend.js';
import { createBuildStepRunner } from './images/build-step-runner.js';
import { applyImageChanges } from './images/changes.js';
import { EmulatorImageStore } from './images/store.js';
import { EmulatorRegistry, type EmulatorRegistryOptions } from './images/registry-access.js';
import type { ImageSource } from './images/store-core.js';
import { VirtualNetwork } from './network/virtual-network.js';
import type { ProgramTable } from './program.js';
import { VolumeStore } from './volumes/volume-store.js';
import { checkEmulatorOptions } from './options.js';

/** Options of {@link createEmulatorBackend}. */
export interface EmulatorOptions {
  /** User programs by name; a name here shadows the built-in of the same name. */
  programs?: ProgramTable;
  /** Time and timers (default: the wall clock and real timers). */
  clock?: EmulatorClock;
  /** Host ports `-P` draws from, inclusive (default: the host's ephemeral range). */
  portRange?: [number, number];
  /** Source of container and volume IDs, 64 hex characters (default: random). */
  idSource?: IdSource;
  /** Bytes of log text kept per container (default 4 MiB; older lines are dropped). */
  logBytes?: number;
  /** Where `pull` looks after the built-in catalogue. */
  imageSources?: ImageSource;
  /**
   * Most processes a container may run at once when its spec sets no `pidsLimit` (default
   * 1024; 0 or less: no limit). A fork past it fails with EAGAIN, as under Docker's
   * `--pids-limit`, so a fork bomb cannot exhaust the engine's memory.
   */
  pidsLimit?: number;
  /**
   * Registry access. Names with a registry host (`127.0.0.1:5000/app`) are always pulled from
   * and pushed to their registry; Docker Hub names (`busybox`) come from the built-in catalogue
   * unless `mirror` names a registry to use for them.
   */
  registry?: EmulatorRegistryOptions;
}

/** What the emulator can do. */
export const emulatorCapabilities: BackendCapabilities = {
  tty: true,
  execKill: true,
  pause: true,
  networks: true,
  links: true,
  publishPorts: true,
  build: true,
  buildHeredocs: true,
  buildMounts: false,
  push: true,
  events: true,
  detached: false,
};

/**
 * Creates an in-memory engine that runs containers as TypeScript programs.
 *
 * @example
 * ```ts
 * const backend = createEmulatorBackend({ programs: { hello: async (ctx) => { ctx.stdout.write('hi\n'); return 0; } } });
 * await backend.images.pull('busybox');
 * const { id } = await backend.containers.create({ image: 'busybox', cmd: ['hello'], ...defaults });
 * await backend.containers.start(id);
 * ```
 */
export function createEmulatorBackend(options: EmulatorOptions = {}): Backend {
  checkEmulatorOptions(options);
  const clock = options.clock ?? systemClock;
  const newId = options.idSource ?? randomIdSource;
  const listeners = new Set<(event: EngineEvent) => void>();
  const emit = (event: EngineEvent): void => {
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch {
        // One bad listener must not stop the engine or the other listeners.
      }
    }
  };
  const now = (): Date => clock.now();

  const network = new VirtualNetwork({
    clock: now,
    newId,
    ...(options.portRange === undefined ? {} : { portRange: options.portRange }),
  });
  let containers: EmulatorContainers | undefined;
  const registryAccess = new EmulatorRegistry(options.registry);
  const images = new EmulatorImageStore({
    registry: registryAccess,
    clock: now,
    isInUse: (imageId) => containers?.usesImage(imageId) ?? false,
    userOf: (imageId) => containers?.userOfImage(imageId),
    ...(options.imageSources === undefined ? {} : { sources: options.imageSources }),
    stepRunner: createBuildStepRunner({
      clock,
      sandbox: (hostname, signal) => network.buildSandbox(hostname, signal),
      ...(options.programs === undefined ? {} : { programs: options.programs }),
    }),
  });
  images.onEvent = emit;
  network.onEvent = emit;
  const volumes = new VolumeStore({ now, newId, createFs: () => new UnionFS([], { now }), onEvent: emit });
  containers = new EmulatorContainers({
    images,
    volumes,
    network,
    clock,
    newId,
    emit,
    createRootfs: (layers) => new UnionFS(layers, { now }),
    applyChanges: applyImageChanges,
    ...(options.programs === undefined ? {} : { programs: options.programs }),
    ...(options.logBytes === undefined ? {} : { logBytes: options.logBytes }),
    ...(options.pidsLimit === undefined ? {} : { pidsLimit: options.pidsLimit }),
  });
  const registry = containers.registry;
  network.setContainerResolver((ref) => {
    try {
      const r = registry.find(ref);
      return r ? { id: r.id, name: r.name } : undefined;
    } catch {
      return undefined;
    }
  });

  let closed = false;
  const parts = containers;
  return {
    name: 'emulator',
    capabilities: emulatorCapabilities,
    containers: parts,
    images: images.backend,
    volumes: volumes.backend,
    networks: network.backend,
    async subscribeEvents(listener: (event: EngineEvent) => void): Promise<EventSubscription> {
      listeners.add(listener);
      return {
        close: async () => {
          listeners.delete(listener);
        },
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await parts.killAll();
      await network.close();
      await registryAccess.close();
      listeners.clear();
    },
  };
}
