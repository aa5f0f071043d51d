/**
 * The emulator's virtual network: {@link VirtualNetwork} and the pieces other emulator parts
 * and tests use directly.
 *
 * @module
 */
export { VirtualNetwork } from './virtual-network.js';
export type { VirtualNetworkOptions } from './virtual-network.js';
export type { NetworkAttachSpec, NetworkContainerSpec } from './registry.js';
export { defaultNetworkName } from './registry.js';
export type { ProgramNetOptions } from './program-net.js';
export { formatHostsFile } from './hosts-file.js';
export type { HostsLinkEntry } from './hosts-file.js';
export { linkEnvironment } from './link-env.js';
export type { LinkEnvSpec } from './link-env.js';
export type { VirtualSocket, SocketAddresses } from './socket-pair.js';
export { netError } from './net-errors.js';
export type { NetError, NetErrorCode } from './net-errors.js';
export { readLocalPortRange, defaultLocalPortRange } from './host-ports.js';
