/**
 * Schemas and types of networks.
 *
 * @module
 */
import { z } from 'zod';

/** What `networks.create()` accepts. */
export const NetworkSpecSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'network name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*'),
  subnet: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'subnet must be an IPv4 CIDR such as 172.30.0.0/16').optional(),
  internal: z.boolean().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
/** What `networks.create()` accepts. */
export type NetworkSpec = z.input<typeof NetworkSpecSchema>;

/** What `network.inspect()` returns on every backend. */
export const NetworkInfoSchema = z.object({
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
});
/** What `network.inspect()` returns on every backend. */
export type NetworkInfo = z.infer<typeof NetworkInfoSchema>;
