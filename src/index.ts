/**
 * Stowage: a typed SDK for containers, volumes, networks and images over an in-memory
 * emulator, a Docker Engine, or native Linux containers.
 *
 * @example
 * ```ts
 * import { Engine } from 'stowage';
 * await using engine = await Engine.open();
 * await using c = await engine.containers.run({ image: 'busybox', cmd: ['echo', 'hello'] });
 * await c.wait();
 * ```
 *
 * @module
 */
export { Engine } from './core/engine.js';
// Type-only re-exports: they also bring each backend's options into `Engine.open()`'s types
// (declaration merging), in the emitted .d.ts too, without loading any backend at run time.
export type { EmulatorOptions } from './backends/emulator/index.js';
export type { DockerBackendOptions } from './backends/docker/index.js';
export type { NativeBackendOptions } from './backends/native/index.js';
export { EngineEvents, type EngineEventListeners } from './core/engine-events.js';
export type { BackendName, BackendOptionsByName, EngineOpenOptions } from './core/open-backend.js';
export { Container, type AttachedIO, type ExecOptions } from './core/container.js';
export { ContainerCollection } from './core/containers.js';
export { Image } from './core/image.js';
export { ImageCollection } from './core/images.js';
export { Volume } from './core/volume.js';
export { VolumeCollection } from './core/volumes.js';
export { Network } from './core/network.js';
export { NetworkCollection } from './core/networks.js';
export type { ExecResult, SpawnedProcess } from './core/exec-io.js';
export type { ByteSource } from './core/streams.js';
export type { WaitResult } from './core/backend.js';
export * from './core/errors.js';
// The data types of the API (what methods take and return). Their zod schemas, the Backend
// interface and the capabilities record are for backend implementers: `stowage/backend`.
export type {
  SignalOptions,
  // Containers
  ContainerSpec, RunSpec, MountSpec, PortSpec, ContainerInfo, ContainerStateInfo, ContainerConfigInfo, ContainerMountInfo,
  ContainerNetworkInfo, ContainerSummary, ContainerStatus, PortRow, HostBinding, Change, LogLine, LogsOptions,
  ContainerListOptions, ContainerListFilters, CommitOptions, StopOptions, KillOptions, ContainerRemoveOptions, AttachOptions,
  PortOptions, SpawnOptions, HealthStatus,
  // Images
  ImageInfo, ImageConfig, ImageRootfsInfo, ImageSummary, HistoryEntry, ProgressEvent, ProgressCallback, PullOptions,
  ImportOptions, BuildSpec, BuildStep, BuildResult, ImageRemoveResult, ImageRemoveOptions, PushOptions, SaveOptions,
  // Volumes and networks
  VolumeSpec, VolumeInfo, VolumeRemoveOptions, NetworkSpec, NetworkInfo, NetworkEndpointInfo, NetworkConnectOptions,
  NetworkDisconnectOptions,
  // Events
  EngineEvent, EventType, ContainerAction, ImageAction, VolumeAction, NetworkAction, EngineEventName, EngineEventMap,
  // parseDockerfile
  Dockerfile, DockerfileDirectives, DockerfileWarning, Heredoc, Instruction, Stage,
} from './core/schemas/index.js';
export { humanDuration, formatContainerStatus, type ContainerStatusSpec } from './core/human-duration.js';
export { parseImageRef, familiarName, type ImageRef } from './core/image-ref.js';
export { parseDockerfile } from './core/dockerfile/parser.js';
export { dockerfileStages, dumpDockerfile, formatDockerfile } from './core/dockerfile/index.js';
export type { DockerfileStages } from './core/dockerfile/index.js';
