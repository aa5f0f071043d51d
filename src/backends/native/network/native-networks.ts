/**
 * {@link createNativeNetworks}: the network half of the native backend over one state root.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import type { EndpointInfo, EndpointSpec, NativeNetworks, NativeNetworkSpec, ReconcileReport, SandboxSpec } from './api.js';
import type { NetworkContext } from './context.js';
import { hostsFileFor } from './hosts-file.js';
import { checkSandbox, connect, createSandbox, destroySandbox, disconnect, endpointsOf } from './endpoints.js';
import { createRootLock, type NetworkLock } from './lock.js';
import { createNetwork, ensureDefaultNetwork, removeNetwork, type SubnetPlan } from './network-admin.js';
import { NetworkState, requireNetwork, toNetworkInfo, type NativeNetworkInfo } from './network-state.js';
import { NetworkPaths } from './records.js';
import { containerResolvConf, readHostResolvConf } from './resolv-conf.js';
import { purgeRoot, reconcileRoot } from './reconcile.js';
import { NotFoundError, throwIfAborted } from '../../../core/errors.js';

/** The default network's subnet unless configured: private, and not Docker's 172.17.0.0/16. */
export const DEFAULT_BRIDGE_SUBNET = '10.199.0.0/16';
/** The pool user networks draw from unless configured. */
export const DEFAULT_SUBNET_POOL = '10.200.0.0/16';
/** The size of each subnet drawn from the pool unless configured. */
export const DEFAULT_POOL_PREFIX = 24;
/** Where Debian installs containernetworking-plugins. */
export const DEFAULT_CNI_PATH = '/usr/lib/cni';

/** Options of {@link createNativeNetworks}. */
export interface NativeNetworksOptions {
  /** The state root (`/var/lib/stowage`): records under `network/`. */
  root: string;
  /** The runtime root (`/run/stowage`): namespaces under `netns/`. */
  runRoot: string;
  /** The default network's subnet (default {@link DEFAULT_BRIDGE_SUBNET}). */
  defaultSubnet?: string;
  /** The pool of user networks without `subnet` (default {@link DEFAULT_SUBNET_POOL}). */
  subnetPool?: string;
  /** The prefix length of subnets from the pool (default {@link DEFAULT_POOL_PREFIX}). */
  poolPrefix?: number;
  /** The CNI plugin directory (default {@link DEFAULT_CNI_PATH}). */
  cniPath?: string;
  /**
   * The cross-process lock (default: one of our own on `root`). The methods take it
   * themselves and it need not be reentrant, so never call them while holding it: pass a lock
   * of its own scope (native-run's `withLock(abstractLockName(root, 'network'), ...)`), not
   * one the caller may already hold.
   */
  lock?: NetworkLock;
  /** The host's resolv.conf (default `/etc/resolv.conf`). */
  hostResolvConf?: string;
}

class NativeNetworksImpl implements NativeNetworks {
  readonly #ctx: NetworkContext;
  readonly #plan: SubnetPlan;
  readonly #hostResolvConf: string | undefined;
  #dirs: Promise<void> | undefined;

  constructor(options: NativeNetworksOptions) {
    const paths = new NetworkPaths(options.root, options.runRoot);
    const root = options.root;
    const state = new NetworkState(paths);
    this.#ctx = {
      paths,
      state,
      cniPath: options.cniPath ?? DEFAULT_CNI_PATH,
      // Created lazily: the lock names the root by inode, so the root must exist first.
      lock: options.lock ?? lazyLock(() => this.#ready().then(() => root)),
      netnsDirReady: false,
    };
    this.#plan = {
      defaultSubnet: options.defaultSubnet ?? DEFAULT_BRIDGE_SUBNET,
      pool: options.subnetPool ?? DEFAULT_SUBNET_POOL,
      poolPrefix: options.poolPrefix ?? DEFAULT_POOL_PREFIX,
    };
    this.#hostResolvConf = options.hostResolvConf;
  }

  #ready(): Promise<void> {
    this.#dirs ??= this.#ctx.state.init().then(() => mkdir(this.#ctx.paths.netns, { recursive: true }).then(() => undefined));
    return this.#dirs;
  }

  async #locked<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    throwIfAborted(signal);
    await this.#ready();
    return this.#ctx.lock(fn, signal);
  }

  async ensureDefault(signal?: AbortSignal): Promise<NativeNetworkInfo> {
    return toNetworkInfo(await this.#locked(() => ensureDefaultNetwork(this.#ctx, this.#plan, signal), signal));
  }

  async create(spec: NativeNetworkSpec, signal?: AbortSignal): Promise<NativeNetworkInfo> {
    return toNetworkInfo(await this.#locked(() => createNetwork(this.#ctx, this.#plan, spec, signal), signal));
  }

  async remove(ref: string, signal?: AbortSignal): Promise<void> {
    await this.#locked(() => removeNetwork(this.#ctx, ref, signal), signal);
  }

  async inspect(ref: string, signal?: AbortSignal): Promise<NativeNetworkInfo> {
    throwIfAborted(signal);
    await this.#ready();
    return toNetworkInfo(requireNetwork(await this.#ctx.state.networks(), ref));
  }

  async list(signal?: AbortSignal): Promise<NativeNetworkInfo[]> {
    throwIfAborted(signal);
    await this.#ready();
    return (await this.#ctx.state.networks()).map(toNetworkInfo);
  }

  async createSandbox(containerId: string, spec: SandboxSpec, signal?: AbortSignal): Promise<{ netnsPath: string }> {
    throwIfAborted(signal);
    await this.#ready();
    return createSandbox(this.#ctx, containerId, spec, () => this.resolvConf(), signal);
  }

  async connect(containerId: string, network: string, spec: EndpointSpec, signal?: AbortSignal): Promise<EndpointInfo> {
    throwIfAborted(signal);
    await this.#ready();
    return connect(this.#ctx, containerId, network, spec, signal);
  }

  async disconnect(containerId: string, network: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.#ready();
    await disconnect(this.#ctx, containerId, network, signal);
  }

  async endpoints(containerId: string, signal?: AbortSignal): Promise<EndpointInfo[]> {
    throwIfAborted(signal);
    await this.#ready();
    return endpointsOf(this.#ctx, containerId);
  }

  async destroySandbox(containerId: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.#ready();
    await destroySandbox(this.#ctx, containerId, signal);
  }

  async hostsFile(containerId: string, signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    await this.#ready();
    const sandbox = await this.#ctx.state.sandbox(containerId);
    if (!sandbox) throw new NotFoundError(`container ${containerId} has no network sandbox`, { details: { container: containerId } });
    return hostsFileFor(sandbox, await this.#ctx.state.networks(), await this.#ctx.state.sandboxes());
  }

  async resolvConf(signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    return containerResolvConf(await readHostResolvConf(this.#hostResolvConf));
  }

  async check(containerId: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.#ready();
    await checkSandbox(this.#ctx, containerId, signal);
  }

  async reconcile(liveContainerIds: ReadonlySet<string>, signal?: AbortSignal): Promise<ReconcileReport> {
    return this.#locked(() => reconcileRoot(this.#ctx, liveContainerIds, signal), signal);
  }

  async purge(signal?: AbortSignal): Promise<void> {
    await this.#locked(() => purgeRoot(this.#ctx, signal), signal);
    this.#ctx.netnsDirReady = false;
  }
}

/** A lock made on first use, once `dir()` says where. */
function lazyLock(dir: () => Promise<string>): NetworkLock {
  let lock: Promise<NetworkLock> | undefined;
  return async (fn, signal) => (await (lock ??= dir().then(createRootLock)))(fn, signal);
}

/**
 * Opens the network half over a state root. Nothing touches the host until the first call;
 * call `reconcile()` and `ensureDefault()` when the engine opens.
 *
 * @example
 * ```ts
 * const nets = createNativeNetworks({ root: '/var/lib/stowage', runRoot: '/run/stowage' });
 * await nets.reconcile(runningContainerIds);
 * await nets.ensureDefault();
 * ```
 */
export function createNativeNetworks(options: NativeNetworksOptions): NativeNetworks {
  return new NativeNetworksImpl(options);
}

