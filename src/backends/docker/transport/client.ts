/**
 * The HTTP client of the Docker backend: undici pools over a unix socket, TCP or TCP+TLS.
 *
 * Two pools, not one `Client`: a single connection (even pipelined) would queue a `stop()`
 * behind a pending `wait()`. Ordinary requests share a keep-alive pool; long-lived ones (wait,
 * logs with follow, events, attach, exec start) go to a second pool without header or body
 * timeouts, where each holds its own connection for as long as it needs.
 *
 * @module
 */
import { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { EngineError, throwIfAborted } from '../../../core/errors.js';
import { MAX_API_VERSION, negotiateApiVersion } from './api-version.js';
import { resolveDockerConnection } from './connection.js';
import type { DockerConnectionInfo, DockerConnectionOptions } from './connection.js';
import { engineErrorFromResponse, transportError } from './engine-errors.js';
import type { EngineRequestContext } from './engine-errors.js';
import { prepareBody, readBounded, withQuery } from './request-body.js';
import type { DockerQuery } from './request-body.js';
import { UpgradeRequestHandler } from './upgrade-handler.js';

/** Options of {@link DockerClient}: where the engine is, and pool tuning. */
export interface DockerClientOptions extends DockerConnectionOptions {
  /** An already resolved connection (skips {@link resolveDockerConnection}). */
  connection?: DockerConnectionInfo;
  /** Speak this API version and skip negotiation (e.g. `'1.41'`). */
  apiVersion?: string;
  /** The newest API version to negotiate (default {@link MAX_API_VERSION}). */
  maxApiVersion?: string;
  /** Connections of the ordinary pool (default 16). */
  maxConnections?: number;
  /** Time limit for response headers of ordinary requests, ms (default 300 000). */
  headersTimeout?: number;
  /** Time limit between body chunks of ordinary requests, ms (default 300 000). */
  bodyTimeout?: number;
}

/** Per-request options of {@link DockerClient.request}. */
export interface DockerRequestOptions {
  /** Query parameters; objects become JSON (`filters`), arrays repeated keys. */
  query?: DockerQuery;
  /** A JSON value, or raw bytes/stream/string sent as is (see `contentType`). */
  body?: unknown;
  /** Content type of a raw body (e.g. `application/x-tar`). */
  contentType?: string;
  /** Extra request headers (e.g. `X-Registry-Auth`). */
  headers?: Record<string, string>;
  /** Cancels the request and its response body. */
  signal?: AbortSignal;
  /** Statuses that count as success (default: any 2xx). Pass `[204, 304]` for start/stop. */
  expect?: readonly number[];
  /** Use a dedicated connection without time limits (wait, follow, events, attach). */
  longLived?: boolean;
  /** Prefix the negotiated `/v1.xx` (default true; `/_ping` never is). */
  versioned?: boolean;
}

/** A successful response whose body the caller must consume or destroy. */
export interface DockerResponse {
  /** HTTP status. */
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /**
   * The response body. Its failures are undici's errors; {@link DockerClient.stream} gives a
   * body whose failures are typed.
   */
  body: Readable;
}

/** What `GET /_ping` tells about the engine. */
export interface DockerPingInfo {
  /** `Api-Version` header: the engine's newest API version. */
  apiVersion?: string;
  /** `OSType` header (`linux`, `windows`). */
  osType?: string;
  /** `Docker-Experimental` header. */
  experimental: boolean;
  /** `Builder-Version` header (`1` classic, `2` BuildKit). */
  builderVersion?: string;
}

/** The fields of `GET /version` the SDK uses (the engine sends more). */
export interface DockerVersionInfo {
  /** Engine release, e.g. `20.10.24`. */
  Version: string;
  /** Newest API version of the engine. */
  ApiVersion: string;
  /** Oldest API version the engine accepts. */
  MinAPIVersion?: string;
  /** Operating system, e.g. `linux`. */
  Os: string;
  /** CPU architecture, e.g. `amd64`. */
  Arch: string;
  /** Other fields, as sent. */
  [key: string]: unknown;
}

/** Options of {@link DockerClient.upgrade}. */
export interface DockerUpgradeOptions {
  /** Query parameters. */
  query?: DockerQuery;
  /** A JSON request body (exec start takes `{ Detach, Tty }`). */
  body?: unknown;
  /** Cancels the request until the connection is upgraded. */
  signal?: AbortSignal;
}

/** A connection taken over from HTTP after `101 Switching Protocols`. */
export interface DockerUpgradeResult {
  /** The raw socket; the caller owns it (the client destroys it on close()). */
  socket: Duplex;
  /** Headers of the 101 response. */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A Docker Engine API client: request helpers, API version negotiation, connection upgrade.
 *
 * @example
 * ```ts
 * await using client = new DockerClient();                 // DOCKER_HOST, context, or the socket
 * const info = await client.json<{ Id: string }[]>('GET', '/containers/json', { query: { all: true } });
 * await client.send('POST', `/containers/${id}/start`, { expect: [204, 304] });
 * ```
 */
export class DockerClient {
  /** How this client reaches the engine. */
  readonly connection: DockerConnectionInfo;
  #pool: Pool;
  #longPool: Pool;
  #apiVersion: Promise<string> | undefined;
  #maxApiVersion: string;
  #sockets = new Set<Duplex>();
  #closed = false;

  constructor(options: DockerClientOptions = {}) {
    this.connection = options.connection ?? resolveDockerConnection(options);
    this.#maxApiVersion = options.maxApiVersion ?? MAX_API_VERSION;
    if (options.apiVersion !== undefined) this.#apiVersion = Promise.resolve(negotiateApiVersion(options.apiVersion, this.#maxApiVersion));
    const connect = connectOptions(this.connection);
    this.#pool = new Pool(this.connection.origin, {
      connect,
      connections: options.maxConnections ?? 16,
      pipelining: 1,
      headersTimeout: options.headersTimeout ?? 300_000,
      bodyTimeout: options.bodyTimeout ?? 300_000,
    });
    // No connection limit: every long-lived request gets a connection of its own at once.
    this.#longPool = new Pool(this.connection.origin, {
      connect,
      connections: null,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /**
   * The API version in use: min(engine's, ours), from `/_ping` (or `/version` when the engine
   * sends no `Api-Version` header). Negotiated once; a failed attempt is retried next time.
   */
  apiVersion(signal?: AbortSignal): Promise<string> {
    if (!this.#apiVersion) {
      const attempt = this.#negotiate(signal);
      this.#apiVersion = attempt;
      attempt.catch(() => {
        if (this.#apiVersion === attempt) this.#apiVersion = undefined;
      });
    }
    return this.#apiVersion;
  }

  async #negotiate(signal: AbortSignal | undefined): Promise<string> {
    const ping = await this.ping(signal);
    const engineVersion = ping.apiVersion ?? (await this.version({ signal, versioned: false })).ApiVersion;
    return negotiateApiVersion(engineVersion, this.#maxApiVersion);
  }

  /** `GET /_ping`: proves the engine answers and reads its headers. */
  async ping(signal?: AbortSignal): Promise<DockerPingInfo> {
    const res = await this.request('GET', '/_ping', { signal, versioned: false });
    await drain(res.body);
    const header = (name: string): string | undefined => {
      const value = res.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const info: DockerPingInfo = { experimental: header('docker-experimental') === 'true' };
    const apiVersion = header('api-version');
    const osType = header('ostype');
    const builderVersion = header('builder-version');
    if (apiVersion) info.apiVersion = apiVersion;
    if (osType) info.osType = osType;
    if (builderVersion) info.builderVersion = builderVersion;
    return info;
  }

  /** `GET /version`: the engine's release and API range. */
  version(options: { signal?: AbortSignal | undefined; versioned?: boolean } = {}): Promise<DockerVersionInfo> {
    return this.json<DockerVersionInfo>('GET', '/version', { signal: options.signal, versioned: options.versioned ?? true });
  }

  /**
   * Sends a request. Resolves once the headers arrived with an expected status; any other
   * status rejects with the typed error for it (the body is read for the engine's message).
   */
  async request(method: string, path: string, options: DockerRequestOptions = {}): Promise<DockerResponse> {
    const { signal } = options;
    throwIfAborted(signal);
    this.#assertOpen(method, path);
    const fullPath = await this.#fullPath(path, options);
    const context: EngineRequestContext = { method, path: fullPath };
    const { body, contentType } = prepareBody(options.body);
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined && !hasHeader(headers, 'content-type')) headers['content-type'] = options.contentType ?? contentType ?? 'application/json';
    let res: Dispatcher.ResponseData;
    try {
      res = await (options.longLived ? this.#longPool : this.#pool).request({
        method: method as Dispatcher.HttpMethod,
        path: fullPath,
        headers,
        body: body ?? null,
        signal: signal ?? null,
      });
    } catch (error) {
      throw transportError(error, context, signal);
    }
    const ok = options.expect ? options.expect.includes(res.statusCode) : res.statusCode >= 200 && res.statusCode < 300;
    if (!ok) {
      let text: string;
      try {
        text = await readBounded(res.body);
      } catch (error) {
        throw transportError(error, context, signal);
      }
      throw engineErrorFromResponse(res.statusCode, text, context);
    }
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** Sends a request, discards the body, and returns the status (start, stop, kill...). */
  async send(method: string, path: string, options: DockerRequestOptions = {}): Promise<number> {
    const res = await this.request(method, path, options);
    try {
      await drain(res.body);
    } catch (error) {
      throw transportError(error, { method, path }, options.signal);
    }
    return res.status;
  }

  /** Sends a request and parses the JSON answer (`undefined` for an empty body). */
  async json<T>(method: string, path: string, options: DockerRequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, options);
    let text: string;
    try {
      text = await readAll(res.body);
    } catch (error) {
      throw transportError(error, { method, path }, options.signal);
    }
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new EngineError(`Docker Engine sent malformed JSON for ${method} ${path}`, {
        details: { method, path, reason: 'malformed-response' },
        cause,
      });
    }
  }

  /**
   * Sends a request and returns its body as a stream whose failures are typed errors
   * (an abort is an `AbortError` with the signal's reason).
   */
  async stream(method: string, path: string, options: DockerRequestOptions = {}): Promise<Readable> {
    const res = await this.request(method, path, options);
    return typedErrors(res.body, { method, path }, options.signal);
  }

  /**
   * Upgrades a request to a raw connection (`Upgrade: tcp`), as `docker attach` and
   * `docker exec` do. A non-101 answer rejects with the typed error for its status.
   * Always uses a fresh connection, never one a pending request needs.
   */
  async upgrade(method: string, path: string, options: DockerUpgradeOptions = {}): Promise<DockerUpgradeResult> {
    const { signal } = options;
    throwIfAborted(signal);
    this.#assertOpen(method, path);
    const fullPath = await this.#fullPath(path, { query: options.query });
    const context: EngineRequestContext = { method, path: fullPath };
    const { body, contentType } = prepareBody(options.body);
    const headers: Record<string, string> = {};
    if (body !== undefined && contentType) headers['content-type'] = contentType;
    const result = await new Promise<DockerUpgradeResult>((resolve, reject) => {
      const handler = new UpgradeRequestHandler(context, signal, resolve, reject);
      this.#longPool.dispatch({ method: method as Dispatcher.HttpMethod, path: fullPath, headers, body: body ?? null, upgrade: 'tcp' }, handler);
    });
    if (this.#closed) {
      result.socket.destroy();
      this.#assertOpen(method, path);
    }
    this.#sockets.add(result.socket);
    result.socket.once('close', () => this.#sockets.delete(result.socket));
    return result;
  }

  /** Destroys both pools and every upgraded socket; pending requests fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await Promise.all([this.#pool.destroy(), this.#longPool.destroy()]);
  }

  /** Same as {@link DockerClient.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #fullPath(path: string, options: { query?: DockerQuery | undefined; versioned?: boolean | undefined; signal?: AbortSignal | undefined }): Promise<string> {
    const versioned = (options.versioned ?? true) && path !== '/_ping';
    const prefix = versioned ? `/v${await this.apiVersion(options.signal)}` : '';
    return withQuery(`${prefix}${path}`, options.query);
  }

  #assertOpen(method: string, path: string): void {
    if (this.#closed) {
      throw transportError(Object.assign(new Error('The Docker client is closed'), { code: 'UND_ERR_CLOSED' }), { method, path });
    }
  }
}

function connectOptions(connection: DockerConnectionInfo): Pool.Options['connect'] {
  const options: Record<string, unknown> = {};
  if (connection.socketPath !== undefined) options['socketPath'] = connection.socketPath;
  if (connection.tls) {
    const { ca, cert, key, rejectUnauthorized } = connection.tls;
    Object.assign(options, { rejectUnauthorized }, ca ? { ca } : {}, cert ? { cert } : {}, key ? { key } : {});
  }
  return options;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

async function drain(body: Readable): Promise<void> {
  for await (const _ of body) {
    // Reading to the end returns the connection to the pool for keep-alive reuse.
  }
}

async function readAll(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

/** Re-emits a body's failures as typed errors; destroying the result destroys the body. */
function typedErrors(body: Readable, context: EngineRequestContext, signal: AbortSignal | undefined): Readable {
  const out = new Readable({
    read() {
      body.resume();
    },
    destroy(error, callback) {
      body.destroy();
      callback(error);
    },
  });
  body.on('data', (chunk: Buffer) => {
    if (!out.push(chunk)) body.pause();
  });
  body.once('end', () => out.push(null));
  body.once('error', (error) => out.destroy(transportError(error, context, signal)));
  body.pause();
  return out;
}
