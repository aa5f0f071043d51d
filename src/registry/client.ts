/**
 * The registry client backends use to pull and push images (OCI distribution over undici).
 *
 * @module
 */
import { InvalidArgumentError, throwIfAborted } from '../core/errors.js';
import { parseImageRef, type ImageRef } from '../core/image-ref.js';
import type { BlobSink, BlobSource } from './blob-store.js';
import type { RegistryCredentials } from './credentials.js';
import { resolveEndpoint, type RegistryEndpoint } from './endpoint.js';
import type { Platform } from './manifest.js';
import { hostPlatform, normalizePlatform, parsePlatform } from './platform.js';
import type { ProgressListener } from './progress.js';
import { pullImage, type PulledImage } from './pull.js';
import { pushImage, type PushImage, type PushResult } from './push.js';
import { resolveImage, type ResolvedImage } from './resolve.js';
import { RegistryTransport } from './transport.js';

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /**
   * Registry name -> base URL to use for it: a mirror (`{ 'docker.io': 'http://127.0.0.1:5000' }`)
   * or a registry behind another address. Plain HTTP only to loopback or insecure registries.
   */
  endpoints?: Record<string, string>;
  /** Registries (`host` or `host:port`) that may be reached over plain HTTP besides loopback ones. */
  insecure?: string[];
  /** Credentials per registry name; they win over the Docker config file. */
  credentials?: Record<string, RegistryCredentials>;
  /** The Docker CLI config file to read credentials from, or false for none (default: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`). */
  dockerConfig?: string | false;
  /** Layers downloaded at once (default 3, as dockerd). */
  concurrency?: number;
  /** Layers uploaded at once (default 5, as dockerd). */
  uploadConcurrency?: number;
  /** Upload blobs in chunks of this many bytes (`PATCH` per chunk); default: one `PUT` per blob. */
  chunkSize?: number;
  /** Further attempts per blob download after a lost connection or a server error (default 2). */
  retries?: number;
  /** `User-Agent` header (default `stowage`). */
  userAgent?: string;
  /** Milliseconds since the epoch, for token expiry (default `Date.now`); tests inject one. */
  clock?: () => number;
}

/** What {@link RegistryClient.ping} learnt about a registry. */
export interface RegistryPing {
  /** How it authenticates: not at all, with Basic credentials, or with Bearer tokens. */
  auth: 'none' | 'basic' | 'bearer';
}

/** Options of {@link RegistryClient.pull} and {@link RegistryClient.resolve}. */
export interface RegistryPullOptions {
  /** The platform wanted (`linux/arm64/v8`); default: this host's. */
  platform?: string | Platform;
  /** Progress reports: per layer in Docker's words, and the total bytes (reports without `id`). */
  onProgress?: ProgressListener;
  /** Cancels the pull. */
  signal?: AbortSignal;
}

/** Options of {@link RegistryClient.push}. */
export interface RegistryPushOptions {
  /** Progress reports: per layer in Docker's words, and the total bytes (reports without `id`). */
  onProgress?: ProgressListener;
  /** Cancels the push; the manifest (the tag) is written only after every blob. */
  signal?: AbortSignal;
}

/**
 * Pulls and pushes images. One client keeps a connection pool, the registries' auth schemes
 * and the tokens it was given (per repository scope, until they expire); close it when done.
 *
 * @example
 * ```ts
 * await using client = new RegistryClient({ insecure: ['registry.lan:5000'] });
 * const image = await client.pull('registry.lan:5000/app:1', sink, { onProgress: console.log });
 * image.config.digest;   // the image ID
 * await client.push('registry.lan:5000/app:2', { config, layers }, source);
 * ```
 */
export class RegistryClient implements AsyncDisposable {
  readonly #options: RegistryClientOptions;
  readonly #transport: RegistryTransport;
  /** Where each blob digest has been seen: `registry\nrepository` entries (mount candidates). */
  readonly #seen = new Map<string, Set<string>>();

  /** Creates a client; nothing is contacted until the first call. */
  constructor(options: RegistryClientOptions = {}) {
    for (const [name, value] of [['concurrency', options.concurrency], ['uploadConcurrency', options.uploadConcurrency], ['chunkSize', options.chunkSize]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new InvalidArgumentError(`${name} must be a positive integer`, { details: { path: name, value } });
      }
    }
    if (options.retries !== undefined && (!Number.isInteger(options.retries) || options.retries < 0)) {
      throw new InvalidArgumentError('retries must be a non-negative integer', { details: { path: 'retries', value: options.retries } });
    }
    this.#options = options;
    this.#transport = new RegistryTransport({
      ...(options.insecure ? { insecure: options.insecure } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.dockerConfig !== undefined ? { dockerConfig: options.dockerConfig } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** Where a registry name (`docker.io`, `127.0.0.1:5000`) is reached. */
  endpoint(registry: string): RegistryEndpoint {
    return resolveEndpoint(registry, {
      ...(this.#options.endpoints ? { endpoints: this.#options.endpoints } : {}),
      ...(this.#options.insecure ? { insecure: this.#options.insecure } : {}),
    });
  }

  /**
   * Checks that a registry answers the distribution API (`GET /v2/`) and says how it
   * authenticates: `none`, `basic` or `bearer`.
   *
   * @throws RegistryError (unreachable, or not a registry), RateLimitError, AbortError
   */
  async ping(registry: string, options: { signal?: AbortSignal } = {}): Promise<RegistryPing> {
    return { auth: await this.#transport.authScheme(this.endpoint(registry), options.signal) };
  }

  /**
   * Resolves a reference to its manifest for a platform without downloading layers.
   *
   * @throws NotFoundError, AuthenticationError, RateLimitError, RegistryError, AbortError
   */
  async resolve(ref: string | ImageRef, options: Omit<RegistryPullOptions, 'onProgress'> = {}): Promise<ResolvedImage> {
    throwIfAborted(options.signal);
    const parsed = typeof ref === 'string' ? parseImageRef(ref, 'ref') : ref;
    const endpoint = this.endpoint(parsed.domain);
    return resolveImage({ transport: this.#transport, endpoint, scope: [`repository:${parsed.path}:pull`], signal: options.signal }, parsed, platformOf(options.platform));
  }

  /**
   * Pulls an image's layers into `sink`; resolves once every layer is stored, with the
   * manifest and config bytes for the backend to record.
   *
   * @throws NotFoundError (repository, tag, platform), AuthenticationError (401/403, naming
   *   registry and scope), RateLimitError (429, with `retryAfter`), DigestMismatchError (nothing
   *   stored), RegistryError, UnsupportedError (schema 1), AbortError
   */
  async pull(ref: string | ImageRef, sink: BlobSink, options: RegistryPullOptions = {}): Promise<PulledImage> {
    throwIfAborted(options.signal);
    const parsed = typeof ref === 'string' ? parseImageRef(ref, 'ref') : ref;
    const endpoint = this.endpoint(parsed.domain);
    return pullImage({
      transport: this.#transport,
      endpoint,
      concurrency: this.#options.concurrency ?? 3,
      retries: this.#options.retries ?? 2,
      remember: (digest) => this.#remember(digest, endpoint.name, parsed.path),
    }, parsed, sink, { platform: platformOf(options.platform), onProgress: options.onProgress, signal: options.signal });
  }

  /**
   * Pushes an image under `ref`'s tag: blobs the registry lacks (mounted from another
   * repository where it can), then the manifest.
   *
   * @throws AuthenticationError, RateLimitError, DigestMismatchError, RegistryError, AbortError
   */
  async push(ref: string | ImageRef, image: PushImage, source: BlobSource, options: RegistryPushOptions = {}): Promise<PushResult> {
    throwIfAborted(options.signal);
    const parsed = typeof ref === 'string' ? parseImageRef(ref, 'ref') : ref;
    if (parsed.tag === undefined) {
      throw new InvalidArgumentError(`push needs a tag, not only a digest: ${parsed.familiar}`, { details: { path: 'ref', value: parsed.familiar } });
    }
    const endpoint = this.endpoint(parsed.domain);
    return pushImage({
      transport: this.#transport,
      endpoint,
      concurrency: this.#options.uploadConcurrency ?? 5,
      chunkSize: this.#options.chunkSize,
      knownIn: (digest) => this.#knownIn(digest, endpoint.name),
      remember: (digest) => this.#remember(digest, endpoint.name, parsed.path),
    }, parsed, image, source, options);
  }

  #remember(digest: string, registry: string, repository: string): void {
    let set = this.#seen.get(digest);
    if (!set) this.#seen.set(digest, (set = new Set()));
    set.add(`${registry}\n${repository}`);
  }

  #knownIn(digest: string, registry: string): string[] {
    const out: string[] = [];
    for (const key of this.#seen.get(digest) ?? []) {
      const [r, repo] = key.split('\n') as [string, string];
      if (r === registry) out.push(repo);
    }
    return out.reverse();
  }

  /** Closes the connections. Safe to call twice. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  /** Same as {@link close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function platformOf(value: string | Platform | undefined): Platform {
  if (value === undefined) return hostPlatform();
  return typeof value === 'string' ? parsePlatform(value) : normalizePlatform(value);
}
