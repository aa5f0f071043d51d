/**
 * Creating and removing networks: the record, the bridge device, the firewall chains, and the
 * subnet choice (given, or the next free one of the pool; never one that overlaps another of
 * our networks or a route the host already has).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidArgumentError } from '../../../core/errors.js';
import { deleteBridge, ensureBridge, hostRoutes } from './bridge.js';
import type { NetworkContext } from './context.js';
import { syncFirewall } from './firewall.js';
import { nameTaken, requireNetwork } from './network-state.js';
import type { NetworkRecord } from './records.js';
import { formatSubnet, freeSubnets, gatewayOf, parseRange, parseSubnet, subnetsOverlap, type Subnet } from './subnets.js';

/** The name of the default network, as in Docker. */
export const DEFAULT_NETWORK = 'bridge';

/** Where subnets come from. */
export interface SubnetPlan {
  /** The default network's subnet. */
  defaultSubnet: string;
  /** The pool user networks without `subnet` draw from. */
  pool: string;
  /** The prefix length of each subnet drawn from the pool. */
  poolPrefix: number;
}

/** The address ranges already in use: our networks' and the host's routes on other devices. */
async function takenRanges(networks: readonly NetworkRecord[], signal?: AbortSignal): Promise<Array<{ range: Subnet; what: string }>> {
  const ours = new Set(networks.map((n) => n.bridge));
  const taken = networks.map((n) => ({ range: parseSubnet(n.subnet), what: `network ${n.name}` }));
  for (const route of await hostRoutes(signal)) {
    const range = parseRange(route.dst);
    if (range && !ours.has(route.dev)) taken.push({ range, what: `the host route ${route.dst} (dev ${route.dev})` });
  }
  return taken;
}

/** The bridge of a record, created when missing. */
export async function ensureBridgeOf(ctx: NetworkContext, record: NetworkRecord, signal?: AbortSignal): Promise<void> {
  await ensureBridge({
    name: record.bridge,
    alias: ctx.paths.bridgeAlias(record.id),
    macAddress: ctx.paths.bridgeMacOf(record.id),
    gateway: record.gateway,
    prefixLength: parseSubnet(record.subnet).prefix,
  }, signal);
}

/** Record, bridge and firewall for a new network (the caller holds the lock). */
async function install(ctx: NetworkContext, record: NetworkRecord, others: readonly NetworkRecord[], signal?: AbortSignal): Promise<void> {
  // Record first: a crash after it leaves a network whose bridge ensureBridgeOf recreates;
  // a failure before the bridge is up takes the record back.
  await ctx.state.saveNetwork(record);
  try {
    await ensureBridgeOf(ctx, record, signal);
    await syncFirewall(ctx.paths.tag, [...others, record], signal);
  } catch (error) {
    await ctx.state.deleteNetwork(record.id);
    await deleteBridge(record.bridge).catch(() => undefined);
    await syncFirewall(ctx.paths.tag, others).catch(() => undefined);
    throw error;
  }
}

function newRecord(ctx: NetworkContext, fields: Pick<NetworkRecord, 'name' | 'isDefault' | 'subnet' | 'internal' | 'labels'>): NetworkRecord {
  const id = randomBytes(32).toString('hex');
  return {
    id,
    ...fields,
    gateway: gatewayOf(parseSubnet(fields.subnet)),
    bridge: ctx.paths.bridgeOf(id),
    created: new Date().toISOString(),
    members: {},
  };
}

/**
 * The default network, created when missing; its bridge is recreated when gone (after a
 * reboot). The caller holds the lock.
 */
export async function ensureDefaultNetwork(ctx: NetworkContext, plan: SubnetPlan, signal?: AbortSignal): Promise<NetworkRecord> {
  const networks = await ctx.state.networks();
  const existing = networks.find((n) => n.isDefault);
  if (existing) {
    await ensureBridgeOf(ctx, existing, signal);
    return existing;
  }
  if (networks.some((n) => n.name === DEFAULT_NETWORK)) throw nameTaken(DEFAULT_NETWORK);
  const subnet = parseSubnet(plan.defaultSubnet, 'defaultSubnet');
  const clash = (await takenRanges(networks, signal)).find((t) => subnetsOverlap(t.range, subnet));
  if (clash) {
    throw new ConflictError(`the default network's subnet ${plan.defaultSubnet} overlaps ${clash.what}; choose another with the defaultSubnet option`, {
      details: { subnet: plan.defaultSubnet },
    });
  }
  const record = newRecord(ctx, { name: DEFAULT_NETWORK, isDefault: true, subnet: formatSubnet(subnet), internal: false, labels: {} });
  await install(ctx, record, networks, signal);
  return record;
}

/** Creates a user network (the caller holds the lock). */
export async function createNetwork(
  ctx: NetworkContext,
  plan: SubnetPlan,
  spec: { name: string; subnet?: string; internal?: boolean; labels?: Record<string, string> },
  signal?: AbortSignal,
): Promise<NetworkRecord> {
  const networks = await ctx.state.networks();
  if (networks.some((n) => n.name === spec.name)) throw nameTaken(spec.name);
  const taken = await takenRanges(networks, signal);
  let subnet: Subnet | undefined;
  if (spec.subnet !== undefined) {
    const wanted = parseSubnet(spec.subnet);
    if (taken.some((t) => subnetsOverlap(t.range, wanted))) {
      throw new ConflictError('Pool overlaps with other one on this address space', { details: { subnet: spec.subnet } });
    }
    subnet = wanted;
  } else {
    subnet = freeSubnets(parseSubnet(plan.pool, 'subnetPool'), plan.poolPrefix, taken.map((t) => t.range)).next().value ?? undefined;
    if (!subnet) {
      throw new ConflictError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network', {
        details: { pool: plan.pool },
      });
    }
  }
  const record = newRecord(ctx, { name: spec.name, isDefault: false, subnet: formatSubnet(subnet), internal: spec.internal ?? false, labels: { ...spec.labels } });
  await install(ctx, record, networks, signal);
  return record;
}

/** Removes a user network (the caller holds the lock). */
export async function removeNetwork(ctx: NetworkContext, ref: string, signal?: AbortSignal): Promise<void> {
  const networks = await ctx.state.networks();
  const network = requireNetwork(networks, ref);
  if (network.isDefault) {
    throw new InvalidArgumentError(`${network.name} is a pre-defined network and cannot be removed`, { details: { network: network.name } });
  }
  if (Object.keys(network.members).length > 0) {
    throw new ConflictError(`error while removing network: network ${network.name} id ${network.id} has active endpoints`, {
      details: { network: network.name, containers: Object.keys(network.members) },
    });
  }
  // Record first: a crash after it leaves a bridge with our alias and no record, which
  // reconciliation deletes; the firewall is rewritten from the records there too.
  await ctx.state.deleteNetwork(network.id);
  await syncFirewall(ctx.paths.tag, networks.filter((n) => n.id !== network.id), signal);
  await deleteBridge(network.bridge, signal);
}
