/**
 * The OCI distribution client (`stowage/registry`): pulls images from registries into a
 * backend's blob store and pushes them back, with Docker Hub naming, Bearer and Basic auth,
 * Docker's `config.json` credentials, platform selection from manifest lists, parallel verified
 * transfers and Docker-style progress. Backends implement {@link BlobSink} and
 * {@link BlobSource}; the client does the protocol.
 *
 * @module
 */
export { RegistryClient, type RegistryClientOptions, type RegistryPing, type RegistryPullOptions, type RegistryPushOptions } from './client.js';
export type { BlobSink, BlobSource, IncomingBlob, BlobOrigin, BlobCallOptions } from './blob-store.js';
export type { PulledImage, PulledLayer } from './pull.js';
export type { PushImage, PushLayer, PushResult } from './push.js';
export type { ResolvedImage, FetchedManifest } from './resolve.js';
export type { RegistryCredentials } from './credentials.js';
export { defaultDockerConfigPath } from './credentials.js';
export { MediaTypes, encodeDockerManifest, parseManifest, type Descriptor, type ImageManifest, type ImageIndex, type ManifestDocument, type Platform } from './manifest.js';
export { parsePlatform, hostPlatform, formatPlatform, normalizePlatform, selectPlatform } from './platform.js';
export { resolveEndpoint, isLoopbackHost, isInsecure, DOCKER_HUB_REGISTRY, type RegistryEndpoint, type EndpointOptions } from './endpoint.js';
export type { ProgressListener } from './progress.js';
