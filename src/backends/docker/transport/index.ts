/**
 * The Docker backend's transport: connection settings, the HTTP client, error mapping,
 * stream demultiplexing, connection hijacking and JSON progress streams. The backend's
 * mapping of the SDK onto the Engine API builds on these; nothing here is SDK-shaped.
 *
 * @module
 */
export { DEFAULT_DOCKER_SOCKET, dockerContextDigest, resolveDockerConnection } from './connection.js';
export type {
  DockerConnectionInfo,
  DockerConnectionOptions,
  DockerConnectionSource,
  DockerTlsInfo,
  DockerTlsOptions,
} from './connection.js';
export { DockerClient } from './client.js';
export type {
  DockerClientOptions,
  DockerPingInfo,
  DockerRequestOptions,
  DockerResponse,
  DockerUpgradeOptions,
  DockerUpgradeResult,
  DockerVersionInfo,
} from './client.js';
export { MAX_API_VERSION, MIN_API_VERSION, compareApiVersions, negotiateApiVersion, parseApiVersion } from './api-version.js';
export {
  classifyEngineMessage,
  engineErrorFromResponse,
  engineMessageOf,
  errorForCode,
  transportError,
} from './engine-errors.js';
export type { EngineErrorClassification, EngineErrorReason, EngineRequestContext } from './engine-errors.js';
export { demuxDockerStream } from './demux.js';
export type { DemuxOptions, DemuxedStreams } from './demux.js';
export { hijack } from './hijack.js';
export type { HijackOptions, HijackedStreams } from './hijack.js';
export { readJsonProgress } from './json-progress.js';
export type { JsonProgressMessage, JsonProgressOptions, JsonProgressResult, ProgressEvent } from './json-progress.js';
export { JsonObjectSplitter } from './json-splitter.js';
export { withQuery } from './request-body.js';
export type { DockerQuery, DockerQueryValue } from './request-body.js';
