/**
 * What the native backend stores about a container, as two files in its directory:
 *
 * - `container.json`: what `create` decided (name, merged config, mounts, the layers of its
 *   root filesystem). Written by whoever creates or renames the container, under the engine
 *   lock.
 * - `state.json`: how it runs (status, PID, exit code, times). Written only by the supervisor
 *   once the container exists (the creator writes the first `created` state), so the two
 *   kinds of writer never overwrite each other's fields.
 *
 * @module
 */
import { z } from 'zod';

const PortBindingSchema = z.object({
  containerPort: z.number().int(),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  hostIp: z.string(),
  hostPort: z.number().int(),
  hostPortEnd: z.number().int().optional(),
});

const MountRecordSchema = z.object({
  type: z.enum(['bind', 'volume']),
  /** Host path (bind source, or the volume's `_data`). */
  source: z.string(),
  destination: z.string(),
  /** Volume name. */
  name: z.string().optional(),
  readOnly: z.boolean(),
  /** An anonymous volume (removed with the container when asked). */
  anonymous: z.boolean().optional(),
});

/** One mount of a container, resolved to a host path. */
export type MountRecord = z.infer<typeof MountRecordSchema>;

/** What `container.json` holds. */
export const ContainerRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  created: z.string(),
  /** The image reference as given. */
  image: z.string(),
  imageId: z.string(),
  config: z.object({
    cmd: z.array(z.string()).nullable(),
    entrypoint: z.array(z.string()).nullable(),
    env: z.array(z.string()),
    workingDir: z.string(),
    user: z.string(),
    hostname: z.string(),
    labels: z.record(z.string(), z.string()),
    tty: z.boolean(),
    openStdin: z.boolean(),
    exposedPorts: z.array(z.string()),
    stopSignal: z.string(),
    stopTimeout: z.number().int().optional(),
  }),
  host: z.object({
    autoRemove: z.boolean(),
    publishAll: z.boolean(),
    ports: z.array(PortBindingSchema),
    links: z.array(z.object({ name: z.string(), alias: z.string() })),
    network: z.string(),
    networkAliases: z.array(z.string()),
  }),
  mounts: z.array(MountRecordSchema),
  rootfs: z.object({
    /** Lower dirs relative to the state root, top first (the init layer first). */
    lower: z.array(z.string()),
    /** The chainID of the image's top layer (kept while the container exists). */
    chainId: z.string().optional(),
  }),
});

/** A container's creation record. */
export type ContainerRecord = z.infer<typeof ContainerRecordSchema>;

/** What `state.json` holds. */
export const ContainerStateSchema = z.object({
  status: z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead']),
  /** Host PID of the container's init while it runs. */
  pid: z.number().int().optional(),
  exitCode: z.number().int(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** Why the last start failed. */
  error: z.string().optional(),
  /** Ports as published for this run. */
  ports: z.array(z.object({ containerPort: z.number().int(), protocol: z.enum(['tcp', 'udp', 'sctp']), hostIp: z.string(), hostPort: z.number().int() })).optional(),
  /** Networks joined for this run, by name. */
  networks: z.record(z.string(), z.object({ ipAddress: z.string(), aliases: z.array(z.string()), gateway: z.string().optional(), macAddress: z.string().optional() })).optional(),
  /** How many times it was started (restart counts). */
  starts: z.number().int().optional(),
});

/** A container's run state. */
export type ContainerState = z.infer<typeof ContainerStateSchema>;

/** The state of a container that never ran. */
export const CREATED_STATE: ContainerState = { status: 'created', exitCode: 0 };
