/**
 * HTTP to registries over undici, with the distribution spec's authentication:
 *
 * - the first request to a registry is `GET /v2/`; its answer (200, or 401 with a challenge)
 *   says whether the registry wants nothing, Basic credentials or Bearer tokens;
 * - Bearer tokens come from the challenge's realm, for the scopes a request needs
 *   (`repository:app:pull`), sent with Basic credentials when there are some, and are cached per
 *   realm, service and scope set until they expire;
 * - a 401 that names a scope the token lacked gets one new token and one retry (when the body
 *   can be sent again); after that it is an AuthenticationError naming registry and scope;
 * - GET and HEAD follow redirects (blob storage behind a CDN), without the Authorization header
 *   when the redirect leaves the registry's origin.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { AuthenticationError, RegistryError, StowageError, UnsupportedError, throwIfAborted } from '../core/errors.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { CredentialStore, helperRefusal, type CredentialLookup, type CredentialOptions } from './credentials.js';
import { apiUrl, isInsecure, type RegistryEndpoint } from './endpoint.js';
import { parseErrorBody, statusError, transportError, type ErrorContext, type RegistryErrorEntry } from './registry-errors.js';

/** Options of {@link RegistryTransport}. */
export interface TransportOptions extends CredentialOptions {
  /** Registries that may be reached over plain HTTP (token realms included). */
  insecure?: readonly string[];
  /** `User-Agent` sent with every request. */
  userAgent?: string;
  /** Milliseconds since the epoch (token expiry, `Retry-After` dates); default `Date.now`. */
  clock?: () => number;
}

/** A request as the pull and push code describe it. */
export interface RegistryRequest {
  /** HTTP method. */
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An API path (`/v2/app/manifests/1`) or an absolute URL (an upload's `Location`). */
  url: string | URL;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** The body: bytes can be sent again after a 401, a stream cannot. */
  body?: Buffer | Readable;
  /** Scopes the request needs (`repository:app:pull`). */
  scope: readonly string[];
  /** Statuses handed back to the caller; any other becomes a typed error. */
  expect: readonly number[];
  /** Message for a 404 that is an error. */
  notFound?: ErrorContext['notFound'];
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
}

/** An answer with an expected status; the caller must consume or destroy `body`. */
export interface RegistryResponse {
  /** HTTP status. */
  status: number;
  /** Response headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** The body stream. */
  body: Dispatcher.ResponseData['body'];
  /** Where the answer came from, after redirects (relative `Location`s resolve against it). */
  url: URL;
}

type AuthScheme =
  | { kind: 'none' }
  | { kind: 'basic' }
  | { kind: 'bearer'; realm: string; service?: string };

const MAX_REDIRECTS = 5;
const ERROR_BODY_LIMIT = 64 * 1024;
/** Tokens without `expires_in` last 60 s (the token spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew this long before expiry, so a token does not run out on its way to the registry. */
const EXPIRY_MARGIN_MS = 5_000;

/** The first header value. */
export function header(headers: RegistryResponse['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Lets go of a body the caller does not need (or no longer needs): a small rest is read so the
 * connection can serve the next request, a large one is cut; its errors are nobody's concern.
 */
export function release(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  if (body.readableEnded || body.destroyed) return;
  body.dump({ limit: 64 * 1024 }).catch(() => {});
}

/** Reads up to `limit` bytes of a body as text and discards the rest. */
async function readText(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < limit) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}

/** HTTP with registry authentication; one per client. */
export class RegistryTransport {
  readonly #agent: Agent;
  readonly #options: TransportOptions;
  readonly #credentials: CredentialStore;
  readonly #schemes = new Map<string, Promise<AuthScheme>>();
  readonly #tokens = new Map<string, { token: string; expiresAt: number }>();
  readonly #now: () => number;
  #closed = false;

  /** Creates the connection pool (closed by {@link close}). */
  constructor(options: TransportOptions = {}) {
    this.#options = options;
    this.#credentials = new CredentialStore(options);
    this.#now = options.clock ?? Date.now;
    // No body timeout: a layer may stream slowly for minutes; the caller's signal ends it.
    this.#agent = new Agent({ connections: 16, bodyTimeout: 0, headersTimeout: 60_000 });
  }

  /** The clock in use. */
  now(): number {
    return this.#now();
  }

  /**
   * Sends a request with the credentials its scopes need; resolves with an answer whose status
   * is one of `expect`.
   *
   * @throws AuthenticationError, NotFoundError, RateLimitError, RegistryError, AbortError
   */
  async send(endpoint: RegistryEndpoint, req: RegistryRequest): Promise<RegistryResponse> {
    if (this.#closed) throw new RegistryError('the registry client is closed', { details: { registry: endpoint.name } });
    throwIfAborted(req.signal);
    const scheme = await this.#scheme(endpoint, req.signal);
    const authorization = await this.#authorization(endpoint, scheme, req.scope, req.signal, false);
    let res = await this.#follow(endpoint, req, authorization);
    const replayable = req.body === undefined || Buffer.isBuffer(req.body);
    if (res.status === 401 && replayable) {
      // A token for fewer scopes than the registry wants, one revoked, or a registry whose
      // `/v2/` let us in while this repository does not: one more try, as the challenge says.
      const challenges = parseChallenges(res.headers['www-authenticate']);
      const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined);
      const next: AuthScheme | undefined = bearer
        ? bearerScheme(bearer)
        : challenges.some((c) => c.scheme === 'basic') ? { kind: 'basic' } : undefined;
      if (next) {
        if (scheme.kind === 'none') this.#schemes.set(endpoint.base.href, Promise.resolve(next));
        const scopes = [...new Set([...req.scope, ...(bearer?.params.scope?.split(' ') ?? [])])];
        const retry = await this.#authorization(endpoint, next, scopes, req.signal, true);
        if (retry !== undefined && retry !== authorization) {
          release(res.body);
          res = await this.#follow(endpoint, req, retry);
        }
      }
    }
    if (req.expect.includes(res.status)) return res;
    throw await this.#failure(endpoint, req, res);
  }

  /**
   * How a registry authenticates, from `GET /v2/` (asked once, then remembered).
   *
   * @throws RegistryError (unreachable, or not a registry), RateLimitError, AbortError
   */
  async authScheme(endpoint: RegistryEndpoint, signal?: AbortSignal): Promise<'none' | 'basic' | 'bearer'> {
    if (this.#closed) throw new RegistryError('the registry client is closed', { details: { registry: endpoint.name } });
    throwIfAborted(signal);
    return (await this.#scheme(endpoint, signal)).kind;
  }

  /** Builds the error for an unexpected answer, consuming its body. */
  async #failure(endpoint: RegistryEndpoint, req: RegistryRequest, res: RegistryResponse): Promise<StowageError> {
    let errors: RegistryErrorEntry[] = [];
    try {
      errors = parseErrorBody(req.method === 'HEAD' ? '' : await readText(res.body, ERROR_BODY_LIMIT));
    } catch {
      // The error body is a courtesy: the status alone still says what happened.
    } finally {
      release(res.body);
    }
    const ctx: ErrorContext = { registry: endpoint.name, scope: req.scope, method: req.method, url: res.url.href };
    if (req.notFound) ctx.notFound = req.notFound;
    const error = statusError(res.status, errors, res.headers, ctx, this.#now());
    if (error instanceof AuthenticationError) {
      // Credentials were wanted and the only ones configured live in a helper we do not run.
      const lookup = await this.#lookup(endpoint.name);
      if (lookup.kind === 'unsupported') return helperRefusal(lookup.error, error);
    }
    return error;
  }

  async #lookup(name: string): Promise<CredentialLookup> {
    return this.#credentials.lookup(name);
  }

  /** Sends one request, following redirects for GET and HEAD. */
  async #follow(endpoint: RegistryEndpoint, req: RegistryRequest, authorization: string | undefined): Promise<RegistryResponse> {
    let url = typeof req.url === 'string' ? apiUrl(endpoint, req.url) : req.url;
    const origin = endpoint.base.origin;
    // An upload Location may send us elsewhere: the same rule on plain HTTP applies there.
    if (url.origin !== origin) this.#checkScheme(endpoint.name, url);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.#options.userAgent ?? 'stowage', ...(req.headers ?? {}) };
      if (authorization !== undefined && url.origin === origin) headers.authorization = authorization;
      const res = await this.#raw(endpoint, req.method, url, headers, req.body, req.signal);
      const location = header(res.headers, 'location');
      const redirect = [301, 302, 303, 307, 308].includes(res.status) && location !== undefined && (req.method === 'GET' || req.method === 'HEAD');
      if (!redirect) return res;
      release(res.body);
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(`${endpoint.name}: too many redirects for ${req.method} ${url.href}`, { details: { registry: endpoint.name, url: url.href } });
      }
      const next = new URL(location, url);
      this.#checkScheme(endpoint.name, next);
      url = next;
    }
  }

  /** Plain HTTP leaves the machine only for registries the caller listed as insecure. */
  #checkScheme(registry: string, url: URL): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && isInsecure(url.host, this.#options.insecure)) return;
    throw new RegistryError(`${registry}: refusing ${url.protocol}//${url.host} (plain HTTP only to loopback or insecure registries)`, {
      details: { registry, url: url.href },
    });
  }

  async #raw(endpoint: RegistryEndpoint, method: string, url: URL, headers: Record<string, string>, body: Buffer | Readable | undefined, signal: AbortSignal | undefined): Promise<RegistryResponse> {
    try {
      const res = await request(url, {
        dispatcher: this.#agent,
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(signal ? { signal } : {}),
      });
      return { status: res.statusCode, headers: res.headers as RegistryResponse['headers'], body: res.body, url };
    } catch (error) {
      throw transportError(error, { registry: endpoint.name, method, url: url.href }, signal);
    }
  }

  /** How a registry authenticates, asked once (`GET /v2/`) and remembered. */
  #scheme(endpoint: RegistryEndpoint, signal: AbortSignal | undefined): Promise<AuthScheme> {
    const key = endpoint.base.href;
    let known = this.#schemes.get(key);
    if (!known) {
      known = this.#ping(endpoint, signal);
      this.#schemes.set(key, known);
      // A failed ping (registry down, aborted) is asked again next time.
      known.catch(() => this.#schemes.delete(key));
    }
    return known;
  }

  async #ping(endpoint: RegistryEndpoint, signal: AbortSignal | undefined): Promise<AuthScheme> {
    const url = apiUrl(endpoint, '/v2/');
    const res = await this.#raw(endpoint, 'GET', url, { 'user-agent': this.#options.userAgent ?? 'stowage' }, undefined, signal);
    const challenges = parseChallenges(res.headers['www-authenticate']);
    release(res.body);
    if (res.status === 200) return { kind: 'none' };
    if (res.status === 401) {
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      if (bearer?.params.realm) return bearerScheme(bearer);
      if (challenges.some((c) => c.scheme === 'basic')) return { kind: 'basic' };
    }
    throw statusError(res.status, [], res.headers, { registry: endpoint.name, method: 'GET', url: url.href }, this.#now());
  }

  /** The Authorization header for a request, fetching a token when needed. */
  async #authorization(endpoint: RegistryEndpoint, scheme: AuthScheme, scopes: readonly string[], signal: AbortSignal | undefined, fresh: boolean): Promise<string | undefined> {
    if (scheme.kind === 'none') return undefined;
    const lookup = await this.#lookup(endpoint.name);
    const creds = lookup.kind === 'credentials' ? lookup.credentials : undefined;
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (scheme.kind === 'basic') return basic;
    const sorted = [...new Set(scopes)].sort();
    const key = `${scheme.realm}\n${scheme.service ?? ''}\n${sorted.join(' ')}\n${creds?.username ?? ''}`;
    const cached = this.#tokens.get(key);
    if (!fresh && cached && cached.expiresAt > this.#now()) return `Bearer ${cached.token}`;
    const token = await this.#fetchToken(endpoint, scheme, sorted, basic, signal);
    this.#tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  async #fetchToken(
    endpoint: RegistryEndpoint,
    scheme: Extract<AuthScheme, { kind: 'bearer' }>,
    scopes: readonly string[],
    basic: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ token: string; expiresAt: number }> {
    let url: URL;
    try {
      url = new URL(scheme.realm);
    } catch (cause) {
      throw new RegistryError(`${endpoint.name}: invalid token realm ${scheme.realm}`, { details: { registry: endpoint.name }, cause });
    }
    this.#checkScheme(endpoint.name, url);
    if (scheme.service !== undefined) url.searchParams.set('service', scheme.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'user-agent': this.#options.userAgent ?? 'stowage' };
    if (basic) headers.authorization = basic;
    const started = this.#now();
    const res = await this.#raw(endpoint, 'GET', url, headers, undefined, signal);
    if (res.status !== 200) {
      const text = await readText(res.body, ERROR_BODY_LIMIT).catch(() => '');
      const errors = parseErrorBody(text);
      const ctx: ErrorContext = { registry: endpoint.name, scope: scopes, method: 'GET', url: url.href };
      // Any refusal by the token server is a refusal of these credentials for these scopes.
      const status = res.status === 400 || res.status === 404 ? 401 : res.status;
      const error = statusError(status, errors, res.headers, ctx, this.#now());
      const lookup = await this.#lookup(endpoint.name);
      if (error instanceof AuthenticationError && lookup.kind === 'unsupported') throw helperRefusal(lookup.error, error);
      throw error;
    }
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(await readText(res.body, 1024 * 1024)) as typeof doc;
    } catch (cause) {
      throw new RegistryError(`${endpoint.name}: the token server's answer is not JSON`, { details: { registry: endpoint.name, url: url.href }, cause });
    }
    const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (token === '') throw new RegistryError(`${endpoint.name}: the token server sent no token`, { details: { registry: endpoint.name, url: url.href } });
    const seconds = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_TOKEN_SECONDS;
    // The margin is a tenth of short lifetimes, so a token valid for seconds is still reused.
    return { token, expiresAt: started + seconds * 1000 - Math.min(EXPIRY_MARGIN_MS, seconds * 100) };
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#agent.close();
  }
}

/** The helper's error, raised because the registry refused us (`cause`). */
function bearerScheme(c: Challenge): AuthScheme {
  return { kind: 'bearer', realm: c.params.realm!, ...(c.params.service !== undefined ? { service: c.params.service } : {}) };
}
