/**
 * The native backend's networks: bridge networks on real bridges, a network namespace per
 * container configured by the CNI plugins, names through `/etc/hosts`, published ports through
 * a userland proxy, and recovery of what crashed processes left. See README.md here.
 *
 * @module
 */
export type { EndpointInfo, EndpointSpec, LinkSpec, NativeNetworks, NativeNetworkSpec, ReconcileReport, SandboxSpec } from './api.js';
export {
  createNativeNetworks,
  DEFAULT_BRIDGE_SUBNET,
  DEFAULT_CNI_PATH,
  DEFAULT_POOL_PREFIX,
  DEFAULT_SUBNET_POOL,
  type NativeNetworksOptions,
} from './native-networks.js';
export { toNetworkInfo, type NativeNetworkInfo } from './network-state.js';
export { DEFAULT_NETWORK } from './network-admin.js';
export { createRootLock, type NetworkLock } from './lock.js';
export { CniPluginError } from './cni.js';
export { HostCommandError } from './host-command.js';
export { missingNetworkParts, type MissingNetworkPart } from './prerequisites.js';
export { containerResolvConf, readHostResolvConf } from './resolv-conf.js';
export { formatHostsFile, type HostsEntry } from './hosts-file.js';
export {
  localPortRange,
  PortProxy,
  type PortBindingSpec,
  type PortProxyOptions,
  type PublishedPort,
  type PublishOwner,
} from './port-proxy/port-proxy.js';
