/**
 * Schemas and types of networks.
 *
 * @module
 */
import { z } from 'zod';
import { exactSchema } from './exact.js';
import { strictObject } from './strict.js';
import type { SignalOptions } from './validate.js';

/** What `networks.create()` accepts (`docker network create`). */
export interface NetworkSpec extends SignalOptions {
  /** Network name (`app`). The `NETWORK` argument (Docker's `Name`). */
  name: string;
  /** IPv4 subnet in CIDR form (`172.30.0.0/16`); absent: the backend picks a free one. `--subnet`. */
  subnet?: string;
  /** No route outside the network (containers reach only each other). `--internal` (Docker's `Internal`). */
  internal?: boolean;
  /** Labels. `--label` (Docker's `Labels`). */
  labels?: Record<string, string>;
}

/** Validates a {@link NetworkSpec}. */
export const NetworkSpecSchema = exactSchema<NetworkSpec>()(strictObject({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'network name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*'),
  subnet: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'subnet must be an IPv4 CIDR such as 172.30.0.0/16').optional(),
  internal: z.boolean().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  signal: z.instanceof(AbortSignal).optional(),
}));

/** A container attached to a network (an entry of Docker's network `Containers`). */
export interface NetworkEndpointInfo {
  /** The container's name (no leading slash). Docker's `Name`. */
  name: string;
  /** Its IPv4 address on this network, without the prefix length. Docker's `IPv4Address` (which carries `/16`). */
  ipAddress: string;
  /** Extra names it answers to on this network. Docker's endpoint `Aliases`. */
  aliases: string[];
}

/** What `network.inspect()` returns on every backend (`docker network inspect`). */
export interface NetworkInfo {
  /** Full ID, 64 lower-case hex characters. Docker's `Id`. */
  id: string;
  /** Network name. Docker's `Name`. */
  name: string;
  /** Always `bridge`: the only driver Stowage provides. Docker's `Driver`. */
  driver: 'bridge';
  /** IPv4 subnet in CIDR form. Docker's `IPAM.Config[0].Subnet`. */
  subnet: string;
  /** The gateway address containers route through. Docker's `IPAM.Config[0].Gateway`. */
  gateway: string;
  /** No route outside the network. Docker's `Internal`. */
  internal: boolean;
  /** Attached containers, by container ID. Docker's `Containers`. */
  containers: Record<string, NetworkEndpointInfo>;
}

/** Validates a {@link NetworkInfo}. */
export const NetworkInfoSchema = exactSchema<NetworkInfo>()(z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  driver: z.literal('bridge'),
  subnet: z.string(),
  gateway: z.string(),
  internal: z.boolean(),
  containers: z.record(z.string(), z.object({
    name: z.string(),
    ipAddress: z.string(),
    aliases: z.array(z.string()),
  })),
}));
