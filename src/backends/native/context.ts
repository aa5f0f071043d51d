/**
 * Everything one native engine's processes share about a state root: its paths, stores,
 * runc, the engine lock and the event log. The SDK and the supervisor each open one over the
 * same root; all coordination between them goes through the files, the lock and the
 * supervisor's socket.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerStore } from './containers/container-store.js';
import { ImageStore } from './images/image-store.js';
import { DEFAULT_ROOT, DEFAULT_RUN_ROOT, NativePaths } from './paths.js';
import { Runc } from './runtime/runc.js';
import type { ResolvedUser } from './runtime/bundle.js';
import { abstractLockName, withLock } from './state/engine-lock.js';
import { EventLog } from './state/event-log.js';
import { VolumeStore } from './volumes/volume-store.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { createNativeNetworks, type NativeNetworks } from './network/index.js';

/** Resolves a container's `user` string against its root filesystem. */
export type UserResolver = (rootfs: string, user: string) => Promise<ResolvedUser>;

/**
 * The user resolution until the shared one lands: `''` is root, `uid` and `uid:gid` are
 * taken as numbers; a name needs the image's passwd, which the shared resolver will read.
 */
export const numericUserResolver: UserResolver = async (_rootfs, user) => {
  if (user === '') return { uid: 0, gid: 0, additionalGids: [] };
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!m) {
    throw new InvalidArgumentError(`unable to find user ${user}: no matching entries in passwd file`, { details: { user } });
  }
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]), additionalGids: [] };
};

/** Network settings of a root (see the network half's options). */
export interface NativeNetworkSettings {
  /** The default `bridge` network's subnet (default 10.199.0.0/16). */
  defaultSubnet?: string;
  /** The pool user networks draw subnets from (default 10.200.0.0/16). */
  subnetPool?: string;
  /** Prefix length of subnets drawn from the pool (default 24). */
  poolPrefix?: number;
  /** Directory of the CNI plugins (default /usr/lib/cni). */
  cniPath?: string;
}

/** Options every process of a native engine opens its context with. */
export interface NativeContextOptions {
  /** Network settings (the supervisor gets the same). */
  network?: NativeNetworkSettings;
  /** State root (default `/var/lib/stowage`). */
  root?: string;
  /** Runtime root (default `/run/stowage`). */
  runRoot?: string;
  /** Resolves user names (default: numeric only). */
  resolveUser?: UserResolver;
}

/** A native engine's shared state. */
export class NativeContext {
  /** Paths. */
  readonly paths: NativePaths;
  /** Images, layers and blobs. */
  readonly images: ImageStore;
  /** Containers. */
  readonly containers: ContainerStore;
  /** Volumes. */
  readonly volumes: VolumeStore;
  /** runc. */
  readonly runc: Runc;
  /** Engine events. */
  readonly events: EventLog;
  /** User resolution. */
  readonly resolveUser: UserResolver;
  /** The network half. */
  readonly networks: NativeNetworks;
  /** The network settings it was opened with. */
  readonly networkSettings: NativeNetworkSettings;
  readonly #lockName: string;

  private constructor(paths: NativePaths, lockName: string, resolveUser: UserResolver, networkLockName: string, network: NativeNetworkSettings) {
    this.paths = paths;
    this.#lockName = lockName;
    this.images = new ImageStore(paths, (fn, signal) => this.locked(fn, signal));
    this.containers = new ContainerStore(paths);
    this.volumes = new VolumeStore(paths);
    this.runc = new Runc(paths.runc);
    this.events = new EventLog(join(paths.runRoot, 'events.jsonl'));
    this.resolveUser = resolveUser;
    this.networkSettings = network;
    // The network half takes its lock itself and it is not reentrant: a scope of its own,
    // never the engine lock (which callers may hold around it).
    this.networks = createNativeNetworks({
      root: paths.root,
      runRoot: paths.runRoot,
      ...network,
      lock: (fn, signal) => withLock(networkLockName, fn, signal),
    });
  }

  /** Creates the directories and the context. */
  static async open(options: NativeContextOptions = {}): Promise<NativeContext> {
    const paths = new NativePaths(options.root ?? DEFAULT_ROOT, options.runRoot ?? DEFAULT_RUN_ROOT);
    await mkdir(paths.root, { recursive: true, mode: 0o711 });
    await mkdir(paths.runRoot, { recursive: true, mode: 0o700 });
    await mkdir(paths.runc, { recursive: true, mode: 0o700 });
    const ctx = new NativeContext(
      paths,
      await abstractLockName(paths.root, 'engine'),
      options.resolveUser ?? numericUserResolver,
      await abstractLockName(paths.root, 'network'),
      options.network ?? {},
    );
    await ctx.images.init();
    await ctx.containers.init();
    await ctx.volumes.init();
    return ctx;
  }

  /** Runs `fn` under the engine lock. */
  locked<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withLock(this.#lockName, fn, signal);
  }
}
