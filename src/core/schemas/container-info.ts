/**
 * Schemas and types of what every backend returns about containers: `ContainerInfo`
 * (`docker inspect`), `ContainerSummary` (`docker ps`) and `Change` (`docker diff`).
 *
 * @module
 */
import { z } from 'zod';
import { exactSchema } from './exact.js';
import { PortNumber } from './validate.js';

/** Container states, as Docker names them (`State.Status`). */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

/** Validates a {@link ContainerStatus}. */
export const ContainerStatusSchema = exactSchema<ContainerStatus>()(
  z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead']),
);

/** A published port as reported by inspect and list (one row of `docker port`). */
export interface PortRow {
  /** Port inside the container (the `80` of `80/tcp`). Docker's `PrivatePort`. */
  containerPort: number;
  /** `tcp`, `udp` or `sctp`. Docker's `Type`. */
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Host address the port listens on (`0.0.0.0` for every address). Docker's `HostIp` / `IP`. */
  hostIp: string;
  /** Host port actually bound (the chosen one when any port was asked for). Docker's `HostPort` / `PublicPort`. */
  hostPort: number;
}

/** Validates a {@link PortRow}. */
export const PortRowSchema = exactSchema<PortRow>()(z.object({
  containerPort: PortNumber,
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  hostIp: z.string(),
  hostPort: z.number().int().min(0).max(65535),
}));

/** Where a container port is published on the host: one line of `docker port`. */
export interface HostBinding {
  /** Host address (`0.0.0.0` for every address). Docker's `HostIp`. */
  hostIp: string;
  /** Host port. Docker's `HostPort`. */
  hostPort: number;
}

/** The run state of a container (Docker's `State`). */
export interface ContainerStateInfo {
  /** The state's name. Docker's `State.Status`. */
  status: ContainerStatus;
  /** The main process runs (also true while paused, as in Docker). Docker's `State.Running`. */
  running: boolean;
  /** The processes are frozen by `pause()`. Docker's `State.Paused`. */
  paused: boolean;
  /** Exit code of the last run (128 + signal when killed by one; 0 before the first run). Docker's `State.ExitCode`. */
  exitCode: number;
  /** When the last run started; absent if it never started. Docker's `State.StartedAt`. */
  startedAt?: Date;
  /** When the last run ended; absent while running or never run. Docker's `State.FinishedAt`. */
  finishedAt?: Date;
}

/** The effective configuration of a container: the image's, with the spec's overrides (Docker's `Config`). */
export interface ContainerConfigInfo {
  /** Command; null when neither image nor spec sets one. Docker's `Config.Cmd`. */
  cmd: string[] | null;
  /** Entrypoint; null when neither image nor spec sets one. Docker's `Config.Entrypoint`. */
  entrypoint: string[] | null;
  /** Environment as `K=V` strings, image's first. Docker's `Config.Env`. */
  env: string[];
  /** Working directory (`''` = `/`). Docker's `Config.WorkingDir`. */
  workingDir: string;
  /** User the process runs as (`''` = root). Docker's `Config.User`. */
  user: string;
  /** Hostname inside the container. Docker's `Config.Hostname`. */
  hostname: string;
  /** Labels of image and container together. Docker's `Config.Labels`. */
  labels: Record<string, string>;
  /** A pseudo-TTY is allocated. Docker's `Config.Tty`. */
  tty: boolean;
  /** Stdin is kept open. Docker's `Config.OpenStdin`. */
  openStdin: boolean;
  /** Exposed ports as `port/protocol` (`80/tcp`). The keys of Docker's `Config.ExposedPorts`. */
  exposedPorts: string[];
}

/** One mount of a container (an entry of Docker's `Mounts`). */
export interface ContainerMountInfo {
  /** `bind` or `volume`. Docker's `Type`. */
  type: 'bind' | 'volume';
  /** Host path (a bind's source, or where the volume's data lives; may be empty where the backend keeps no host path). Docker's `Source`. */
  source: string;
  /** Path inside the container. Docker's `Destination`. */
  destination: string;
  /** Volume name, for volume mounts. Docker's `Name`. */
  name?: string;
  /** Mounted read-only. The negation of Docker's `RW`. */
  readOnly: boolean;
}

/** A container's place on one network (an entry of Docker's `NetworkSettings.Networks`). */
export interface ContainerNetworkInfo {
  /** The container's IPv4 address on that network. Docker's `IPAddress`. */
  ipAddress: string;
  /** Extra names it answers to there. Docker's `Aliases`. */
  aliases: string[];
}

/** What `container.inspect()` returns on every backend (`docker inspect`). */
export interface ContainerInfo {
  /** Full ID, 64 lower-case hex characters. Docker's `Id`. */
  id: string;
  /** Name without Docker's leading slash (`web1`). Docker's `Name`. */
  name: string;
  /** The image reference the container was created from, as given. Docker's `Config.Image`. */
  image: string;
  /** That image's ID (`sha256:...`). Docker's `Image`. */
  imageId: string;
  /** Creation time. Docker's `Created`. */
  created: Date;
  /** Run state. Docker's `State`. */
  state: ContainerStateInfo;
  /** Effective configuration. Docker's `Config`. */
  config: ContainerConfigInfo;
  /** Bind mounts and volumes. Docker's `Mounts`. */
  mounts: ContainerMountInfo[];
  /** Published ports (empty while not running, as in Docker). Docker's `NetworkSettings.Ports`. */
  ports: PortRow[];
  /** Networks joined, by network name. Docker's `NetworkSettings.Networks`. */
  networks: Record<string, ContainerNetworkInfo>;
  /** Legacy links as `name:alias`. Docker's `HostConfig.Links` (without slashes). */
  links: string[];
}

/** Validates a {@link ContainerInfo}. */
export const ContainerInfoSchema = exactSchema<ContainerInfo>()(z.object({
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
}));

/** A row of `docker ps -a` (what `containers.list()` returns). */
export interface ContainerSummary {
  /** Full ID. Docker's `Id`. */
  id: string;
  /** Names without leading slashes. Docker's `Names`. */
  names: string[];
  /** The image reference as given at create. Docker's `Image`. */
  image: string;
  /** Entrypoint and command joined by spaces, as `docker ps` shows it. Docker's `Command`. */
  command: string;
  /** Creation time. Docker's `Created`. */
  created: Date;
  /** Run state. Docker's `State`. */
  state: ContainerStatus;
  /** Human status (`Up 3 seconds`, `Exited (0) 2 minutes ago`). Docker's `Status`. */
  status: string;
  /** Published ports. Docker's `Ports`. */
  ports: PortRow[];
  /** Labels. Docker's `Labels`. */
  labels: Record<string, string>;
}

/** Validates a {@link ContainerSummary}. */
export const ContainerSummarySchema = exactSchema<ContainerSummary>()(z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  names: z.array(z.string().regex(/^[^/]/)),
  image: z.string(),
  command: z.string(),
  created: z.date(),
  state: ContainerStatusSchema,
  status: z.string(),
  ports: z.array(PortRowSchema),
  labels: z.record(z.string(), z.string()),
}));

/** One line of `docker diff`. */
export interface Change {
  /** `A` added, `C` changed, `D` deleted. Docker's `Kind` (1, 0 and 2 there). */
  kind: 'A' | 'C' | 'D';
  /** Absolute path inside the container. Docker's `Path`. */
  path: string;
}

/** Validates a {@link Change}. */
export const ChangeSchema = exactSchema<Change>()(z.object({ kind: z.enum(['A', 'C', 'D']), path: z.string() }));
