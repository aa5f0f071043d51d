/**
 * Schemas and types of containers: what users pass (`ContainerSpec`), what backends receive
 * after parsing (`ContainerCreateRequest`), and what every backend returns (`ContainerInfo`,
 * `ContainerSummary`).
 *
 * @module
 */
import { z } from 'zod';
import type { LinkSpec, ParsedMount, PortBinding, VolumesFromSpec } from '../specs/index.js';
import { DateLike, NonEmpty, PortNumber } from './validate.js';

/** A mount in object form. */
export const MountSpecSchema = z.object({
  type: z.enum(['bind', 'volume']).optional(),
  source: z.string().optional(),
  target: NonEmpty,
  readOnly: z.boolean().optional(),
});
/** A mount in object form: a bind mount of a host path or a (named or anonymous) volume. */
export type MountSpec = z.infer<typeof MountSpecSchema>;

/** A port publication in object form. */
export const PortSpecSchema = z.object({
  containerPort: PortNumber,
  protocol: z.enum(['tcp', 'udp', 'sctp']).optional(),
  hostIp: z.string().optional(),
  hostPort: z.number().int().min(0).max(65535).optional(),
});
/** A port publication in object form (`hostPort` 0 or absent: any free port). */
export type PortSpec = z.infer<typeof PortSpecSchema>;

/** What `engine.containers.create()` accepts (`docker create` flags as fields). */
export const ContainerSpecSchema = z.object({
  image: NonEmpty,
  name: z.string().regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'Invalid container name, only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed').optional(),
  cmd: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  env: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional(),
  workingDir: z.string().optional(),
  user: z.string().optional(),
  hostname: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  tty: z.boolean().optional(),
  openStdin: z.boolean().optional(),
  volumes: z.array(z.union([z.string(), MountSpecSchema])).optional(),
  volumesFrom: z.array(NonEmpty).optional(),
  ports: z.array(z.union([z.string(), PortSpecSchema])).optional(),
  publishAll: z.boolean().optional(),
  exposedPorts: z.array(NonEmpty).optional(),
  links: z.array(NonEmpty).optional(),
  network: NonEmpty.optional(),
  networkAliases: z.array(NonEmpty).optional(),
  autoRemove: z.boolean().optional(),
  stopSignal: z.string().optional(),
  stopTimeout: z.number().int().min(0).optional(),
});
/** What `engine.containers.create()` accepts. */
export type ContainerSpec = z.input<typeof ContainerSpecSchema>;

/** What `engine.containers.run()` accepts: a create spec plus the pull policy. */
export const RunSpecSchema = ContainerSpecSchema.extend({
  pull: z.enum(['missing', 'always', 'never']).optional(),
});
/** What `engine.containers.run()` accepts. */
export type RunSpec = z.input<typeof RunSpecSchema>;

export type { PortBinding, ParsedMount, VolumesFromSpec, LinkSpec } from '../specs/index.js';

/**
 * What a backend receives for `create`, already validated and parsed by core. Backends trust
 * it and never re-parse the string forms.
 */
export interface ContainerCreateRequest {
  /** The image reference as the user wrote it (backends resolve it). */
  image: string;
  /** Container name without a leading slash; absent: the backend generates one. */
  name?: string;
  /** Overrides the image's CMD. */
  cmd?: string[];
  /** Overrides the image's ENTRYPOINT. */
  entrypoint?: string[];
  /** `K=V` strings added to the image's environment. */
  env: string[];
  /** Overrides the image's working directory. */
  workingDir?: string;
  /** Overrides the image's user. */
  user?: string;
  /** Hostname (default: the first 12 characters of the ID). */
  hostname?: string;
  /** Container labels. */
  labels: Record<string, string>;
  /** Allocate a pseudo-TTY. */
  tty: boolean;
  /** Keep stdin open for attach. */
  openStdin: boolean;
  /** Bind mounts and volumes. */
  mounts: ParsedMount[];
  /** Containers whose mounts are shared. */
  volumesFrom: VolumesFromSpec[];
  /** Port publications. */
  ports: PortBinding[];
  /** Publish every exposed port (`-P`). */
  publishAll: boolean;
  /** Extra exposed ports (`80/tcp`). */
  exposedPorts: string[];
  /** Legacy links. */
  links: LinkSpec[];
  /** Network to join (default `bridge`). */
  network?: string;
  /** Aliases on that network. */
  networkAliases: string[];
  /** Remove the container when it exits. */
  autoRemove: boolean;
  /** Overrides the image's stop signal. */
  stopSignal?: string;
  /** Default stop timeout in seconds. */
  stopTimeout?: number;
}

/** Container states, as Docker names them. */
export const ContainerStatusSchema = z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead']);
/** Container states, as Docker names them. */
export type ContainerStatus = z.infer<typeof ContainerStatusSchema>;

/** A published port as reported. */
export const PortRowSchema = z.object({
  containerPort: PortNumber,
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  hostIp: z.string(),
  hostPort: z.number().int().min(0).max(65535),
});
/** A published port as reported. */
export type PortRow = z.infer<typeof PortRowSchema>;

/** What `container.inspect()` returns on every backend. */
export const ContainerInfoSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().regex(/^[^/]/),
  image: z.string(),
  imageId: z.string(),
  created: z.date(),
  state: z.object({
    status: ContainerStatusSchema,
    running: z.boolean(),
    paused: z.boolean(),
    exitCode: z.number().int(),
    startedAt: z.date().optional(),
    finishedAt: z.date().optional(),
  }),
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
  }),
  mounts: z.array(z.object({
    type: z.enum(['bind', 'volume']),
    source: z.string(),
    destination: z.string(),
    name: z.string().optional(),
    readOnly: z.boolean(),
  })),
  ports: z.array(PortRowSchema),
  networks: z.record(z.string(), z.object({ ipAddress: z.string(), aliases: z.array(z.string()) })),
  links: z.array(z.string()),
});
/** What `container.inspect()` returns on every backend. */
export type ContainerInfo = z.infer<typeof ContainerInfoSchema>;

/** A row of `docker ps -a`. */
export const ContainerSummarySchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  names: z.array(z.string().regex(/^[^/]/)),
  image: z.string(),
  command: z.string(),
  created: z.date(),
  state: ContainerStatusSchema,
  status: z.string(),
  ports: z.array(PortRowSchema),
  labels: z.record(z.string(), z.string()),
});
/** A row of `docker ps -a`. */
export type ContainerSummary = z.infer<typeof ContainerSummarySchema>;

/** Filters of `containers.list()`, as `docker ps --filter` takes them. */
export const ContainerListOptionsSchema = z.object({
  all: z.boolean().optional(),
  filters: z.object({
    label: z.array(z.string()).optional(),
    status: z.array(ContainerStatusSchema).optional(),
    ancestor: z.array(z.string()).optional(),
    name: z.array(z.string()).optional(),
  }).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
/** Options of `containers.list()`. */
export type ContainerListOptions = z.input<typeof ContainerListOptionsSchema>;

/** One line of `docker diff`. */
export const ChangeSchema = z.object({ kind: z.enum(['A', 'C', 'D']), path: z.string() });
/** One line of `docker diff`: A(dded), C(hanged) or D(eleted). */
export type Change = z.infer<typeof ChangeSchema>;

/** Options of `container.logs()`. */
export const LogsOptionsSchema = z.object({
  follow: z.boolean().optional(),
  stdout: z.boolean().optional(),
  stderr: z.boolean().optional(),
  timestamps: z.boolean().optional(),
  since: DateLike.optional(),
  until: DateLike.optional(),
  tail: z.union([z.number().int().min(0), z.literal('all')]).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
/** Options of `container.logs()`. */
export type LogsOptions = z.input<typeof LogsOptionsSchema>;

/** One line of a container's output. */
export interface LogLine {
  /** Which stream the line was written to. */
  stream: 'stdout' | 'stderr';
  /** The text, without its line terminator. */
  text: string;
  /** When the engine received the line. */
  time: Date;
}

/** The parsed logs request a backend receives. */
export interface LogsRequest {
  /** Keep streaming new lines until the container stops or the signal fires. */
  follow: boolean;
  /** Include stdout lines. */
  stdout: boolean;
  /** Include stderr lines. */
  stderr: boolean;
  /** Only lines at or after this time. */
  since?: Date;
  /** Only lines before this time. */
  until?: Date;
  /** Only the last N lines (before following). */
  tail?: number;
}

/** Options of `container.commit()`. */
export const CommitOptionsSchema = z.object({
  repo: z.string().optional(),
  tag: z.string().optional(),
  message: z.string().optional(),
  author: z.string().optional(),
  pause: z.boolean().optional(),
  changes: z.array(z.string()).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
/** Options of `container.commit()`. */
export type CommitOptions = z.input<typeof CommitOptionsSchema>;

/** Options of `container.exec()` and `container.spawn()`. */
export const ExecOptionsSchema = z.object({
  env: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional(),
  workingDir: z.string().optional(),
  user: z.string().optional(),
  stdin: z.unknown().optional(),
  tty: z.boolean().optional(),
  maxBuffer: z.number().int().positive().optional(),
  encoding: z.enum(['utf8', 'buffer']).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
