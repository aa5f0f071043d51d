/**
 * Schemas and types of what users pass to create a container (`ContainerSpec`, `RunSpec`) and
 * what backends receive after core has parsed it (`ContainerCreateRequest`).
 *
 * @module
 */
import { z } from 'zod';
import type { LinkSpec, ParsedMount, PortBinding, VolumesFromSpec } from '../specs/index.js';
import { exactSchema } from './exact.js';
import { strictObject } from './strict.js';
import { ContainerName, NonEmpty, PortNumber, SignalName } from './validate.js';

/**
 * A mount in object form: a bind mount of a host path or a (named or anonymous) volume, one
 * entry of `docker run --mount` / `-v`.
 */
export interface MountSpec {
  /** `bind` (a host path) or `volume` (a named or anonymous volume); absent: guessed from `source` as `-v` does (an absolute path binds). Docker's `Type`. */
  type?: 'bind' | 'volume';
  /** Host path for a bind, volume name for a volume; absent: an anonymous volume. Docker's `Source`. */
  source?: string;
  /** Absolute path inside the container. Docker's `Target` (`Destination` in inspect). */
  target: string;
  /** Mount read-only (`:ro`); default false. Docker's `ReadOnly`. */
  readOnly?: boolean;
}

/** Validates a {@link MountSpec}. */
export const MountSpecSchema = exactSchema<MountSpec>()(strictObject({
  type: z.enum(['bind', 'volume']).optional(),
  source: z.string().optional(),
  target: NonEmpty,
  readOnly: z.boolean().optional(),
}));

/** A port publication in object form, one `-p` of `docker run`. */
export interface PortSpec {
  /** Port inside the container. Docker's container side of `-p` (the `80` of `8080:80`). */
  containerPort: number;
  /** `tcp` (default), `udp` or `sctp`. The `/udp` suffix of `-p`. */
  protocol?: 'tcp' | 'udp' | 'sctp';
  /** Host address to listen on; absent: every address (`0.0.0.0`). Docker's `HostIp`. */
  hostIp?: string;
  /** Host port; 0 or absent = any free port, as with `-p 80`. Docker's `HostPort`. */
  hostPort?: number;
}

/** Validates a {@link PortSpec}. */
export const PortSpecSchema = exactSchema<PortSpec>()(strictObject({
  containerPort: PortNumber,
  protocol: z.enum(['tcp', 'udp', 'sctp']).optional(),
  hostIp: z.string().optional(),
  hostPort: z.number().int().min(0).max(65535).optional(),
}));

/**
 * What `engine.containers.create()` accepts: the flags of `docker create` as fields. Every
 * field but `image` is optional; absent fields take the image's or Docker's default.
 */
export interface ContainerSpec {
  /** Image reference (`centos:7`) or ID; not pulled by `create`. The `IMAGE` argument of `docker create`. */
  image: string;
  /** Container name (`web1`; a leading `/` is dropped); absent: a generated one. `--name`. */
  name?: string;
  /** Command, replacing the image's CMD. The `COMMAND ARG...` of `docker create` (Docker's `Cmd`). */
  cmd?: string[];
  /** Entrypoint, replacing the image's ENTRYPOINT. `--entrypoint` (Docker's `Entrypoint`). */
  entrypoint?: string[];
  /** Environment added to the image's: a record or `K=V` strings. `-e` (Docker's `Env`). */
  env?: Record<string, string> | string[];
  /** Working directory, replacing the image's WORKDIR. `-w` (Docker's `WorkingDir`). */
  workingDir?: string;
  /** User (`name`, `uid`, `uid:gid`), replacing the image's USER. `-u` (Docker's `User`). */
  user?: string;
  /** Hostname; absent: the first 12 characters of the ID. `-h` (Docker's `Hostname`). */
  hostname?: string;
  /** Labels, added to the image's. `--label` (Docker's `Labels`). */
  labels?: Record<string, string>;
  /** Allocate a pseudo-TTY (output is then one stream). `-t` (Docker's `Tty`). */
  tty?: boolean;
  /** Keep stdin open so it can be attached. `-i` (Docker's `OpenStdin`). */
  openStdin?: boolean;
  /** Mounts: `-v` strings (`/host:/data`, `/data`, `named:/data:ro`) or objects. `-v` / `--mount`. */
  volumes?: (string | MountSpec)[];
  /** Containers whose mounts this one shares (`web2`, `web2:ro`). `--volumes-from`. */
  volumesFrom?: string[];
  /** Published ports: `-p` strings (`43000:80`, `127.0.0.1:8080:80/tcp`, `80`) or objects. `-p`. */
  ports?: (string | PortSpec)[];
  /** Publish every exposed port to a free host port. `-P` (Docker's `PublishAllPorts`). */
  publishAll?: boolean;
  /** Ports to expose besides the image's (`80/tcp`, `8000-8010`). `--expose` (Docker's `ExposedPorts`). */
  exposedPorts?: string[];
  /** Legacy links (`web4`, `web4:alias`). `--link`. */
  links?: string[];
  /** Network to join; absent: the default `bridge`. `--network`. */
  network?: string;
  /** Extra names this container answers to on `network`. `--network-alias`. */
  networkAliases?: string[];
  /** Remove the container once it exits. `--rm` (Docker's `AutoRemove`). */
  autoRemove?: boolean;
  /** Signal `stop()` sends first (`SIGQUIT`, `quit`, `3`), replacing the image's STOPSIGNAL. `--stop-signal`. */
  stopSignal?: string;
  /** Seconds `stop()` waits before SIGKILL; default 10; negative: no limit. `--stop-timeout`. */
  stopTimeout?: number;
  /**
   * Most processes the container may run at once; a fork past it fails with EAGAIN. 0 or -1:
   * no limit. Absent: the engine's default (none on Docker, 1024 on the emulator).
   * `--pids-limit` (Docker's `HostConfig.PidsLimit`).
   */
  pidsLimit?: number;
}

// Kept as a shape (not only the typed export) so RunSpecSchema can extend it.
const containerSpecShape = {
  image: NonEmpty,
  name: ContainerName.optional(),
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
  stopSignal: SignalName.optional(),
  // The engine keeps any integer; a negative one makes stop() wait as long as it takes.
  stopTimeout: z.number().int().optional(),
  pidsLimit: z.number().int().min(-1).optional(),
};

/** Validates a {@link ContainerSpec} (names the bad field, e.g. `spec.ports.0.containerPort`). */
export const ContainerSpecSchema = exactSchema<ContainerSpec>()(strictObject(containerSpecShape));

/** What `engine.containers.run()` accepts: a create spec plus the pull policy. */
export interface RunSpec extends ContainerSpec {
  /** Pull the image when it is `missing` (default), `always`, or `never`. `docker run --pull`. */
  pull?: 'missing' | 'always' | 'never';
}

/** Validates a {@link RunSpec}. */
export const RunSpecSchema = exactSchema<RunSpec>()(strictObject({
  ...containerSpecShape,
  pull: z.enum(['missing', 'always', 'never']).optional(),
}));

// The parsed forms of the string specs are part of ContainerCreateRequest, so they are
// published with it.
export type { PortBinding, PortProtocol, ParsedMount, MountPropagation, VolumesFromSpec, LinkSpec } from '../specs/index.js';

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
  /** Process limit (0 or -1: none; absent: the backend's default). */
  pidsLimit?: number;
}
