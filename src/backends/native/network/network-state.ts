/**
 * Reading and writing the network half's records (see records.ts for the layout), and
 * finding a network by reference as Docker does. The caller holds the network lock for
 * anything that writes.
 *
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../core/errors.js';
import type { NetworkInfo } from '../../../core/schemas/index.js';
import { NetworkRecordSchema, SandboxRecordSchema, type NetworkPaths, type NetworkRecord, type SandboxRecord } from './records.js';
import { listJsonFiles, readJsonFile, removeLeftoverTempFiles, writeJsonFile } from './state-file.js';

/** What `inspect()` and `list()` return: the core view plus what only this backend keeps. */
export interface NativeNetworkInfo extends NetworkInfo {
  /** Labels given at creation. Docker's `Labels`. */
  labels: Record<string, string>;
  /** The bridge device on the host. Docker's `Options["com.docker.network.bridge.name"]`. */
  bridge: string;
  /** Creation time. Docker's `Created`. */
  created: Date;
}

/** The core {@link NetworkInfo} of a record (attached members only, as Docker lists endpoints). */
export function toNetworkInfo(record: NetworkRecord): NativeNetworkInfo {
  const containers: NetworkInfo['containers'] = {};
  for (const [id, m] of Object.entries(record.members)) {
    if (m.state === 'attached' && m.ipAddress !== undefined) containers[id] = { name: m.name, ipAddress: m.ipAddress, aliases: [...m.aliases] };
  }
  return {
    id: record.id,
    name: record.name,
    driver: 'bridge',
    subnet: record.subnet,
    gateway: record.gateway,
    internal: record.internal,
    containers,
    labels: { ...record.labels },
    bridge: record.bridge,
    created: new Date(record.created),
  };
}

/**
 * Finds a network by exact name, full ID or unique ID prefix, in that order (Docker's).
 *
 * @throws InvalidArgumentError when a prefix matches several networks
 */
export function findNetwork(networks: readonly NetworkRecord[], ref: string): NetworkRecord | undefined {
  const exact = networks.find((n) => n.name === ref) ?? networks.find((n) => n.id === ref);
  if (exact || !/^[0-9a-f]+$/.test(ref)) return exact;
  const matches = networks.filter((n) => n.id.startsWith(ref));
  if (matches.length > 1) {
    throw new InvalidArgumentError(`network ${ref} is ambiguous (${matches.length} matches found based on ID prefix)`, { details: { network: ref } });
  }
  return matches[0];
}

/** {@link findNetwork}, with Docker's NotFoundError when there is none. */
export function requireNetwork(networks: readonly NetworkRecord[], ref: string): NetworkRecord {
  const network = findNetwork(networks, ref);
  if (!network) throw new NotFoundError(`network ${ref} not found`, { details: { network: ref } });
  return network;
}

/** The ConflictError Docker gives for a name already in use. */
export function nameTaken(name: string): ConflictError {
  return new ConflictError(`network with name ${name} already exists`, { details: { network: name } });
}

/** The records of one root. */
export class NetworkState {
  /** Where they are. */
  readonly paths: NetworkPaths;

  constructor(paths: NetworkPaths) {
    this.paths = paths;
  }

  /** Creates the directories (idempotent). */
  async init(): Promise<void> {
    await Promise.all([this.paths.networks, this.paths.ipam, this.paths.sandboxes].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
  }

  /** Every network, the default first, then by creation time. */
  async networks(): Promise<NetworkRecord[]> {
    const names = await listJsonFiles(this.paths.networks);
    const records = await Promise.all(names.map((n) => readJsonFile(`${this.paths.networks}/${n}`, NetworkRecordSchema)));
    return records
      .filter((r): r is NetworkRecord => r !== undefined)
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  }

  /** Writes a network record. */
  async saveNetwork(record: NetworkRecord): Promise<void> {
    await writeJsonFile(this.paths.network(record.id), record);
  }

  /** Deletes a network record and host-local's reservations for it. */
  async deleteNetwork(id: string): Promise<void> {
    await rm(this.paths.network(id), { force: true });
    await rm(`${this.paths.ipam}/${id}`, { recursive: true, force: true });
  }

  /** A container's sandbox record. */
  async sandbox(containerId: string): Promise<SandboxRecord | undefined> {
    return readJsonFile(this.paths.sandbox(containerId), SandboxRecordSchema);
  }

  /** Every sandbox record, by container ID. */
  async sandboxes(): Promise<Map<string, SandboxRecord>> {
    const names = await listJsonFiles(this.paths.sandboxes);
    const records = await Promise.all(names.map((n) => readJsonFile(`${this.paths.sandboxes}/${n}`, SandboxRecordSchema)));
    return new Map(records.filter((r): r is SandboxRecord => r !== undefined).map((r) => [r.id, r]));
  }

  /** Writes a sandbox record. */
  async saveSandbox(record: SandboxRecord): Promise<void> {
    await writeJsonFile(this.paths.sandbox(record.id), record);
  }

  /** Deletes a sandbox record (idempotent). */
  async deleteSandbox(containerId: string): Promise<void> {
    await rm(this.paths.sandbox(containerId), { force: true });
  }

  /** Deletes the temp files of writers that died (the caller holds the lock). */
  async removeLeftovers(): Promise<void> {
    await removeLeftoverTempFiles(this.paths.networks);
    await removeLeftoverTempFiles(this.paths.sandboxes);
  }
}
