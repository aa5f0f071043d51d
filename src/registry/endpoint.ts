/**
 * Where a registry named in a reference is reached: `docker.io` is Docker Hub's
 * `registry-1.docker.io`; HTTPS everywhere except loopback hosts and the registries listed as
 * insecure (Docker's rule, minus its silent fallback from HTTPS to HTTP for the others).
 *
 * @module
 */
import { InvalidArgumentError } from '../core/errors.js';

/** Docker Hub's registry API host. */
export const DOCKER_HUB_REGISTRY = 'https://registry-1.docker.io';

/** A registry as the client talks to it. */
export interface RegistryEndpoint {
  /** The registry's name in references (`docker.io`, `127.0.0.1:5000`): keys credentials and errors. */
  name: string;
  /** Base URL of its API, without `/v2/` (`https://registry-1.docker.io`). */
  base: URL;
}

/** How names map to endpoints. */
export interface EndpointOptions {
  /** Registry name -> base URL to use instead (`{ 'docker.io': 'http://127.0.0.1:5000' }`). */
  endpoints?: Record<string, string>;
  /** Registries (`host` or `host:port`) that may be reached over plain HTTP. */
  insecure?: readonly string[];
}

/** Splits `host[:port]` (IPv6 in brackets) into its host and port. */
function splitHostPort(name: string): { host: string; port?: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(name);
  if (!m) return { host: name };
  return m[2] === undefined ? { host: m[1]!.toLowerCase() } : { host: m[1]!.toLowerCase(), port: m[2] };
}

/** True for `localhost`, `127.0.0.0/8` and `::1`: the registries Docker itself trusts over HTTP. */
export function isLoopbackHost(name: string): boolean {
  const { host } = splitHostPort(name);
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** True when `name` (`host:port`) may be reached over plain HTTP. */
export function isInsecure(name: string, insecure: readonly string[] = []): boolean {
  if (isLoopbackHost(name)) return true;
  const { host } = splitHostPort(name);
  return insecure.some((entry) => {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '').toLowerCase();
    // `host` alone allows every port of that host; `host:port` that port only.
    return e === name.toLowerCase() || e === host;
  });
}

/**
 * The endpoint of the registry a reference names.
 *
 * @throws InvalidArgumentError for a configured endpoint that is not an http(s) URL, or one
 *   over plain HTTP to a host that is neither loopback nor listed as insecure
 */
export function resolveEndpoint(name: string, options: EndpointOptions = {}): RegistryEndpoint {
  const configured = options.endpoints?.[name];
  if (configured !== undefined) {
    let base: URL;
    try {
      base = new URL(/^[a-z]+:\/\//i.test(configured) ? configured : `https://${configured}`);
    } catch (cause) {
      throw new InvalidArgumentError(`invalid registry URL ${JSON.stringify(configured)}`, { details: { path: 'endpoints', value: configured }, cause });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new InvalidArgumentError(`registry URL ${configured} must be http or https`, { details: { path: 'endpoints', value: configured } });
    }
    if (base.protocol === 'http:' && !isInsecure(base.host, options.insecure)) {
      throw new InvalidArgumentError(
        `plain HTTP to registry ${base.host} is not allowed: list it in the insecure registries`,
        { details: { path: 'endpoints', value: configured } },
      );
    }
    base.pathname = base.pathname.replace(/\/v2\/?$/, '').replace(/\/+$/, '');
    return { name, base };
  }
  if (name === 'docker.io') return { name, base: new URL(DOCKER_HUB_REGISTRY) };
  const scheme = isInsecure(name, options.insecure) ? 'http' : 'https';
  return { name, base: new URL(`${scheme}://${name}`) };
}

/** The URL of an API path (`/v2/app/manifests/1`, a query allowed) on an endpoint. */
export function apiUrl(endpoint: RegistryEndpoint, path: string): URL {
  const url = new URL(endpoint.base.href);
  const q = path.indexOf('?');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${q < 0 ? path : path.slice(0, q)}`;
  url.search = q < 0 ? '' : path.slice(q);
  return url;
}
