/**
 * The parts of the Docker Engine API's JSON the mappers read (API 1.41). Only the fields we
 * use are typed; everything is optional because the engine omits or nulls fields freely
 * across versions.
 *
 * @module
 */

/** `State` of `GET /containers/{id}/json`. */
export interface EngineContainerState {
  /** `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`. */
  Status?: string;
  /** Whether the main process runs (true while paused too). */
  Running?: boolean;
  /** Whether the container is frozen. */
  Paused?: boolean;
  /** Whether the engine is restarting it. */
  Restarting?: boolean;
  /** Last exit code. */
  ExitCode?: number;
  /** Why the last start failed, if it did. */
  Error?: string;
  /** RFC 3339 time, `0001-01-01T00:00:00Z` when never started. */
  StartedAt?: string;
  /** RFC 3339 time, `0001-01-01T00:00:00Z` when never ended. */
  FinishedAt?: string;
}

/** One host binding in `NetworkSettings.Ports` or `HostConfig.PortBindings`. */
export interface EnginePortBinding {
  /** Host address (`0.0.0.0`, `::`, or empty). */
  HostIp?: string;
  /** Host port as a string (empty: any). */
  HostPort?: string;
}

/** One network endpoint of a container. */
export interface EngineEndpoint {
  /** IPv4 address without prefix length. */
  IPAddress?: string;
  /** DNS aliases on this network (the engine adds the short ID on user networks). */
  Aliases?: string[] | null;
  /** Legacy links on this network (`/web4:/web5/web4`). */
  Links?: string[] | null;
  /** The network's ID. */
  NetworkID?: string;
}

/** One mount of a container. */
export interface EngineMount {
  /** `bind`, `volume`, `tmpfs`, `npipe`. */
  Type?: string;
  /** Volume name (volumes only). */
  Name?: string;
  /** Host path. */
  Source?: string;
  /** Path in the container. */
  Destination?: string;
  /** Writable mount. */
  RW?: boolean;
}

/** `GET /containers/{id}/json`. */
export interface EngineContainerInspect {
  /** Full ID. */
  Id: string;
  /** `/name`. */
  Name?: string;
  /** Image ID (`sha256:...`). */
  Image?: string;
  /** RFC 3339 creation time. */
  Created?: string;
  /** Runtime state. */
  State?: EngineContainerState;
  /** The container's config. */
  Config?: {
    Image?: string;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Hostname?: string;
    Labels?: Record<string, string> | null;
    Tty?: boolean;
    OpenStdin?: boolean;
    ExposedPorts?: Record<string, unknown> | null;
  };
  /** Host-side settings. */
  HostConfig?: {
    AutoRemove?: boolean;
    Links?: string[] | null;
    NetworkMode?: string;
  };
  /** Mounts as set up. */
  Mounts?: EngineMount[] | null;
  /** Networking. */
  NetworkSettings?: {
    Ports?: Record<string, EnginePortBinding[] | null> | null;
    Networks?: Record<string, EngineEndpoint> | null;
  };
}

/** A row of `GET /containers/json`. */
export interface EngineContainerSummary {
  /** Full ID. */
  Id: string;
  /** Names with leading slashes; linked aliases look like `/web5/web4`. */
  Names?: string[] | null;
  /** The image as the user wrote it (or its ID). */
  Image?: string;
  /** Command line. */
  Command?: string;
  /** Unix seconds. */
  Created?: number;
  /** State word. */
  State?: string;
  /** Human status (`Up 3 seconds`). */
  Status?: string;
  /** Ports, one row per binding (unpublished exposed ports without `PublicPort`). */
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type?: string }[] | null;
  /** Labels. */
  Labels?: Record<string, string> | null;
}

/** `GET /images/{name}/json`. */
export interface EngineImageInspect {
  /** `sha256:...`. */
  Id: string;
  /** Tags (`busybox:latest`). */
  RepoTags?: string[] | null;
  /** RFC 3339. */
  Created?: string;
  /** Author. */
  Author?: string;
  /** Comment (commit message, import message). */
  Comment?: string;
  /** CPU architecture. */
  Architecture?: string;
  /** OS. */
  Os?: string;
  /** Runnable config. */
  Config?: {
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Volumes?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
  } | null;
  /** Layers. */
  RootFS?: { Type?: string; Layers?: string[] | null };
  /** Bytes. */
  Size?: number;
}

/** A row of `GET /images/json`. */
export interface EngineImageSummary {
  /** `sha256:...`. */
  Id: string;
  /** Tags, `<none>:<none>` for none. */
  RepoTags?: string[] | null;
  /** Unix seconds. */
  Created?: number;
  /** Bytes. */
  Size?: number;
}

/** A row of `GET /images/{name}/history`. */
export interface EngineHistoryRow {
  /** Image ID or `<missing>`. */
  Id: string;
  /** Unix seconds. */
  Created?: number;
  /** The instruction. */
  CreatedBy?: string;
  /** Layer bytes. */
  Size?: number;
  /** Comment. */
  Comment?: string;
}

/** `GET /volumes/{name}`. */
export interface EngineVolume {
  /** Name. */
  Name: string;
  /** Driver (`local`). */
  Driver?: string;
  /** Host path. */
  Mountpoint?: string;
  /** Labels. */
  Labels?: Record<string, string> | null;
  /** RFC 3339. */
  CreatedAt?: string;
}

/** `GET /networks/{id}`. */
export interface EngineNetwork {
  /** Full ID. */
  Id: string;
  /** Name. */
  Name: string;
  /** Driver (`bridge`, `host`, `null`...). */
  Driver?: string;
  /** Internal (no outside access). */
  Internal?: boolean;
  /** Address management. */
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null };
  /** Connected containers (inspect only). */
  Containers?: Record<string, { Name?: string; IPv4Address?: string }> | null;
}

/** A message of `GET /events`. */
export interface EngineEventMessage {
  /** `container`, `image`, `volume`, `network`, `daemon`, `plugin`... */
  Type?: string;
  /** What happened (`start`, `exec_start: sh -c ...`). */
  Action?: string;
  /** The object. */
  Actor?: { ID?: string; Attributes?: Record<string, string> | null };
  /** Unix seconds. */
  time?: number;
  /** Unix nanoseconds. */
  timeNano?: number;
}
