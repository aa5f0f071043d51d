/**
 * Pulls and pushes of the emulator through the registry client.
 *
 * Which names reach a registry: a name with a registry host (`127.0.0.1:5000/app`,
 * `registry.lan/team/app`) always does; a Docker Hub name (`busybox`, `docker.io/library/busybox`)
 * only when the engine was opened with `registry: { mirror }`, and otherwise comes from the
 * built-in catalogue, offline. The client is loaded and created on first use and closed with
 * the engine.
 *
 * @module
 */
import { BackendUnavailableError, UnsupportedError, throwIfAborted } from '../../../core/errors.js';
import type { ImageRef } from '../../../core/image-ref.js';
import type { ProgressEvent } from '../../../core/schemas/image.js';
import type { RegistryClient } from '../../../registry/client.js';
import type { RegistryCredentials } from '../../../registry/credentials.js';
import type { PushResult } from '../../../registry/push.js';
import type { FetchedManifest } from '../../../registry/resolve.js';
import type { ImageRecord } from './image-index.js';
import { EmulatorBlobStore } from './registry-blobs.js';
import type { StoreCore } from './store-core.js';

/**
 * How an emulated engine reaches registries (`Engine.open({ backend: 'emulator', registry })`).
 *
 * @example
 * ```ts
 * // Docker Hub names from a local registry instead of the built-in catalogue:
 * await Engine.open({ backend: 'emulator', registry: { mirror: 'http://127.0.0.1:5000' } });
 * // ... or from Docker Hub itself:
 * await Engine.open({ backend: 'emulator', registry: { mirror: 'https://registry-1.docker.io' } });
 * ```
 */
export interface EmulatorRegistryOptions {
  /**
   * Where Docker Hub names (`busybox`, `team/app`) are pulled from and pushed to. Without it
   * they come from the built-in catalogue, offline; with it, the catalogue still answers for
   * names the mirror does not have (as dockerd falls back from a mirror).
   */
  mirror?: string;
  /** Registries (`host` or `host:port`) reachable over plain HTTP besides loopback ones. */
  insecure?: string[];
  /** Credentials per registry name (`docker.io` for the mirror); they win over the Docker config file. */
  credentials?: Record<string, RegistryCredentials>;
  /** The Docker CLI config file for credentials, or false for none (default: Docker's own lookup). */
  dockerConfig?: string | false;
  /** Layers downloaded at once (default 3). */
  concurrency?: number;
  /** Upload in chunks of this many bytes (default: one request per blob). */
  chunkSize?: number;
  /** The platform pulled when a pull names none (default: this host's). */
  platform?: string;
}

/** Options of a registry pull or push. */
export interface TransferOptions {
  /** Progress reports. */
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  /** The platform wanted. */
  platform?: string | undefined;
  /** Cancels the transfer. */
  signal?: AbortSignal | undefined;
}

/** The registry side of one emulated engine. */
export class EmulatorRegistry {
  readonly #options: EmulatorRegistryOptions;
  readonly #blobs = new EmulatorBlobStore();
  /** The manifest each image was pulled with, so pushing it again keeps its digest. */
  readonly #manifests = new Map<string, FetchedManifest>();
  #client: Promise<RegistryClient> | undefined;
  #closed = false;

  /** Keeps the options; nothing is loaded or contacted yet. */
  constructor(options: EmulatorRegistryOptions = {}) {
    this.#options = options;
  }

  /** Whether Docker Hub names go to a registry rather than the built-in catalogue. */
  get hasMirror(): boolean {
    return this.#options.mirror !== undefined;
  }

  /** Whether a reference is one for a registry (its host, or Docker Hub's mirror). */
  reaches(ref: ImageRef): boolean {
    return ref.domain !== 'docker.io' || this.hasMirror;
  }

  #clientFor(): Promise<RegistryClient> {
    if (this.#closed) return Promise.reject(new BackendUnavailableError('the engine is closed'));
    this.#client ??= import('../../../registry/client.js').then(({ RegistryClient }) => {
      const o = this.#options;
      return new RegistryClient({
        ...(o.mirror !== undefined ? { endpoints: { 'docker.io': o.mirror } } : {}),
        ...(o.insecure ? { insecure: o.insecure } : {}),
        ...(o.credentials ? { credentials: o.credentials } : {}),
        ...(o.dockerConfig !== undefined ? { dockerConfig: o.dockerConfig } : {}),
        ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
        ...(o.chunkSize !== undefined ? { chunkSize: o.chunkSize } : {}),
        userAgent: 'stowage-emulator',
      });
    });
    return this.#client;
  }

  /**
   * Pulls `ref` and registers the image (after all its layers: an interrupted pull registers
   * nothing). Resolves with the record and the digest the reference resolved to.
   */
  async pull(core: StoreCore, ref: ImageRef, options: TransferOptions): Promise<{ record: ImageRecord; digest: string }> {
    const client = await this.#clientFor();
    const session = this.#blobs.session();
    const platform = options.platform ?? this.#options.platform;
    const pulled = await client.pull(ref, session, {
      ...(platform !== undefined ? { platform } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    throwIfAborted(options.signal);
    const layers = pulled.layers.map((l) => session.layer(l.digest)!);
    const record = core.registerBytes(pulled.config.bytes, layers, undefined, [`${ref.name}@${pulled.digest}`]);
    this.#manifests.set(record.image.id, pulled.manifest);
    return { record, digest: pulled.digest };
  }

  /** Pushes an image under `ref`; a Docker Hub name needs the mirror. */
  async push(record: ImageRecord, ref: ImageRef, options: TransferOptions): Promise<PushResult> {
    if (!this.reaches(ref)) {
      throw new UnsupportedError(
        `the emulator pushes Docker Hub names (${ref.familiar}) only to a configured registry: open the engine with registry: { mirror }, or tag the image with a registry host`,
        { details: { ref: ref.familiar } },
      );
    }
    const client = await this.#clientFor();
    const { image, source } = await this.#blobs.pushable(record.image.layers, record.image.configBytes, options.signal);
    const manifest = this.#manifests.get(record.image.id);
    if (manifest) image.manifest = { bytes: manifest.bytes, mediaType: manifest.mediaType };
    return client.push(ref, image, source, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Closes the client's connections. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    if (client) await (await client).close();
  }
}
