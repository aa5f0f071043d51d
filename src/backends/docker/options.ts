/**
 * Checking the Docker backend's options (`createDockerBackend`, `Engine.open({ backend:
 * 'docker' })`) at the edge: an unknown key (`hots` for `host`) or a value of the wrong type is
 * an InvalidArgumentError naming it, instead of a silently ignored setting.
 *
 * @module
 */
import { z } from 'zod';
import { backendOptions } from '../../core/schemas/backend-options.js';
import { strictObject } from '../../core/schemas/strict.js';
import type { DockerBackendOptions } from './backend.js';
import { DockerClient } from './transport/index.js';

const pem = z.union([z.string(), z.instanceof(Buffer)]).optional();

const dockerOptions = backendOptions<DockerBackendOptions>()(strictObject({
  client: z.instanceof(DockerClient).optional(),
  connection: z.object({}).passthrough().optional(),
  apiVersion: z.string().regex(/^\d+\.\d+$/, 'expected an API version such as 1.41').optional(),
  maxApiVersion: z.string().regex(/^\d+\.\d+$/, 'expected an API version such as 1.41').optional(),
  maxConnections: z.number().int().positive().optional(),
  headersTimeout: z.number().int().min(0).optional(),
  bodyTimeout: z.number().int().min(0).optional(),
  host: z.string().min(1).optional(),
  tls: strictObject({ ca: pem, cert: pem, key: pem, verify: z.boolean().optional() }).optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
  configDir: z.string().min(1).optional(),
  registry: strictObject({
    credentials: z.record(z.string(), strictObject({ username: z.string(), password: z.string() })).optional(),
    dockerConfig: z.union([z.string(), z.literal(false)]).optional(),
  }).optional(),
}));

/** The option names `createDockerBackend` takes; `Engine.open({ backend: 'auto' })` hands docker only these. */
export const dockerOptionKeys: readonly (keyof DockerBackendOptions)[] = dockerOptions.keys;

/** Validates the Docker backend's options (InvalidArgumentError naming the bad field). */
export function checkDockerOptions(options: unknown): void {
  dockerOptions.check(options);
}
