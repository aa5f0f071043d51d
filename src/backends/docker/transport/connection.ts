/**
 * Where the Docker Engine is and how to reach it, resolved the way the `docker` CLI does.
 *
 * Order (as in docker/cli's `resolveContextName` and `getServerHost`): an explicit `host`
 * option, then `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` / `DOCKER_TLS` and `DOCKER_CERT_PATH`),
 * then the context named by `DOCKER_CONTEXT`, then `currentContext` from `config.json`, and
 * finally the default unix socket. A pure function over an environment and files so it can
 * be tested with temp dirs; dockerode and testcontainers ignore contexts, we do not.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError, UnsupportedError } from '../../../core/errors.js';

/** The socket the engine listens on when nothing else is configured. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** TLS material and policy given by the caller (PEM text or bytes). */
export interface DockerTlsOptions {
  /** CA certificate(s) that sign the engine's certificate. */
  ca?: string | Buffer;
  /** Client certificate presented to the engine. */
  cert?: string | Buffer;
  /** Private key of the client certificate. */
  key?: string | Buffer;
  /** Verify the engine's certificate (default true, like `--tlsverify`). */
  verify?: boolean;
}

/** Inputs of {@link resolveDockerConnection}; every field is optional. */
export interface DockerConnectionOptions {
  /** `unix:///path`, `tcp://host:port`, `http://...` or `https://...`; wins over everything. */
  host?: string;
  /** TLS for an explicit `host`; presence turns TLS on for `tcp://`. */
  tls?: DockerTlsOptions;
  /** Environment to read `DOCKER_*` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Docker's config dir (default `$DOCKER_CONFIG`, else `~/.docker`). */
  configDir?: string;
}

/** TLS settings ready to hand to `tls.connect`. */
export interface DockerTlsInfo {
  /** CA certificate(s), when given. */
  ca?: Buffer;
  /** Client certificate, when given. */
  cert?: Buffer;
  /** Client key, when given. */
  key?: Buffer;
  /** Whether the engine's certificate is checked. */
  rejectUnauthorized: boolean;
}

/** Which setting decided the connection. */
export type DockerConnectionSource = 'option' | 'env' | 'context' | 'default';

/** A resolved way to reach an engine. */
export interface DockerConnectionInfo {
  /** Unix socket path, for `unix://` hosts. */
  socketPath?: string;
  /** HTTP origin of requests (`http://localhost` over a unix socket). */
  origin: string;
  /** TLS settings, for `https://` origins. */
  tls?: DockerTlsInfo;
  /** What decided it. */
  source: DockerConnectionSource;
  /** The docker context used, when `source` is `'context'`. */
  context?: string;
  /** The host string as configured, for messages. */
  host: string;
}

/**
 * Resolves how to reach the Docker Engine.
 *
 * @example
 * ```ts
 * const conn = resolveDockerConnection();                      // like `docker` with no flags
 * const remote = resolveDockerConnection({ host: 'tcp://10.0.0.5:2376', tls: { ca, cert, key } });
 * ```
 * @throws InvalidArgumentError for a malformed host or config file; NotFoundError for a
 *   missing context; UnsupportedError for `ssh://` and `npipe://` hosts.
 */
export function resolveDockerConnection(options: DockerConnectionOptions = {}): DockerConnectionInfo {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? nonEmpty(env.DOCKER_CONFIG) ?? join(homeOf(env), '.docker');

  if (options.host !== undefined) {
    const tls = options.tls ? tlsFromOptions(options.tls) : undefined;
    return fromHost(options.host, tls, 'option');
  }

  const envHost = nonEmpty(env.DOCKER_HOST);
  if (envHost !== undefined) return fromHost(envHost, tlsFromEnv(env, configDir), 'env');

  const contextName = nonEmpty(env.DOCKER_CONTEXT) ?? currentContext(configDir);
  if (contextName !== undefined && contextName !== 'default') {
    return fromContext(contextName, configDir);
  }

  // The "default" context means "the environment's settings"; with no DOCKER_HOST that is the
  // local socket, where TLS variables have no meaning.
  return fromHost(`unix://${DEFAULT_DOCKER_SOCKET}`, undefined, 'default');
}

function fromHost(host: string, tls: DockerTlsInfo | undefined, source: DockerConnectionSource): DockerConnectionInfo {
  const match = /^([a-z0-9+.-]+):\/\/(.*)$/i.exec(host);
  // The CLI accepts a bare path as a socket and a bare host:port as tcp.
  const scheme = match ? match[1]!.toLowerCase() : host.startsWith('/') ? 'unix' : 'tcp';
  const rest = match ? match[2]! : host;
  switch (scheme) {
    case 'unix': {
      const socketPath = rest === '' ? DEFAULT_DOCKER_SOCKET : rest.startsWith('/') ? rest : `/${rest}`;
      return { socketPath, origin: 'http://localhost', source, host };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const secure = scheme === 'https' || (scheme === 'tcp' && tls !== undefined);
      const useTls = secure ? tls ?? { rejectUnauthorized: true } : undefined;
      const defaultPort = secure ? 2376 : 2375;
      const url = parseUrl(`${secure ? 'https' : 'http'}://${rest}`, host);
      const port = url.port === '' ? defaultPort : Number(url.port);
      // URL keeps IPv6 hosts bracketed, so the origin is well-formed for every kind of host.
      const origin = `${url.protocol}//${url.hostname}:${port}`;
      return useTls ? { origin, tls: useTls, source, host } : { origin, source, host };
    }
    case 'ssh':
    case 'npipe':
    case 'fd':
      throw new UnsupportedError(`Docker host scheme ${scheme}:// is not supported`, { details: { host } });
    default:
      throw new InvalidArgumentError(`Invalid Docker host: ${host}`, { details: { path: 'host', host } });
  }
}

function parseUrl(text: string, host: string): URL {
  try {
    return new URL(text);
  } catch (cause) {
    throw new InvalidArgumentError(`Invalid Docker host: ${host}`, { details: { path: 'host', host }, cause });
  }
}

function tlsFromOptions(tls: DockerTlsOptions): DockerTlsInfo {
  const info: DockerTlsInfo = { rejectUnauthorized: tls.verify ?? true };
  if (tls.ca !== undefined) info.ca = Buffer.from(tls.ca);
  if (tls.cert !== undefined) info.cert = Buffer.from(tls.cert);
  if (tls.key !== undefined) info.key = Buffer.from(tls.key);
  return info;
}

/** `DOCKER_TLS_VERIFY` (any non-empty value) verifies; `DOCKER_TLS` alone encrypts only. */
function tlsFromEnv(env: NodeJS.ProcessEnv, configDir: string): DockerTlsInfo | undefined {
  const verify = nonEmpty(env.DOCKER_TLS_VERIFY) !== undefined;
  const tlsOnly = nonEmpty(env.DOCKER_TLS) !== undefined;
  if (!verify && !tlsOnly) return undefined;
  const certDir = nonEmpty(env.DOCKER_CERT_PATH) ?? configDir;
  return { rejectUnauthorized: verify, ...readTlsDir(certDir) };
}

function readTlsDir(dir: string): Pick<DockerTlsInfo, 'ca' | 'cert' | 'key'> {
  const out: Pick<DockerTlsInfo, 'ca' | 'cert' | 'key'> = {};
  const ca = readIfExists(join(dir, 'ca.pem'));
  const cert = readIfExists(join(dir, 'cert.pem'));
  const key = readIfExists(join(dir, 'key.pem'));
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  return out;
}

function currentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  const text = readIfExists(file);
  if (!text) return undefined;
  const config = parseJson(text.toString('utf8'), file);
  const name = config['currentContext'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Docker stores a context under the hex sha256 of its name (docker/cli store.contextdirOf). */
export function dockerContextDigest(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function fromContext(name: string, configDir: string): DockerConnectionInfo {
  const digest = dockerContextDigest(name);
  const metaFile = join(configDir, 'contexts', 'meta', digest, 'meta.json');
  const text = readIfExists(metaFile);
  if (!text) {
    throw new NotFoundError(`Docker context "${name}" does not exist`, { details: { context: name, path: metaFile } });
  }
  const meta = parseJson(text.toString('utf8'), metaFile);
  const endpoints = meta['Endpoints'];
  const docker = isRecord(endpoints) ? endpoints['docker'] : undefined;
  const host = isRecord(docker) ? docker['Host'] : undefined;
  if (typeof host !== 'string' || host === '') {
    throw new InvalidArgumentError(`Docker context "${name}" has no docker endpoint`, { details: { context: name, path: metaFile } });
  }
  const skipVerify = isRecord(docker) && docker['SkipTLSVerify'] === true;
  const material = readTlsDir(join(configDir, 'contexts', 'tls', digest, 'docker'));
  const hasMaterial = material.ca !== undefined || material.cert !== undefined || material.key !== undefined;
  // As in docker/cli's Endpoint.tlsConfig: TLS when the context stores TLS data or skips verification.
  const tls = hasMaterial || skipVerify ? { rejectUnauthorized: !skipVerify, ...material } : undefined;
  return { ...fromHost(host, tls, 'context'), context: name };
}

function parseJson(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidArgumentError(`Malformed JSON in ${file}`, { details: { path: file }, cause });
  }
  if (!isRecord(value)) throw new InvalidArgumentError(`Expected a JSON object in ${file}`, { details: { path: file } });
  return value;
}

function readIfExists(file: string): Buffer | undefined {
  return existsSync(file) ? readFileSync(file) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return nonEmpty(env.HOME) ?? homedir();
}
