/**
 * Registry credentials: given in the options, or read from the Docker CLI's `config.json`
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) as `docker login` wrote them.
 *
 * Credential helpers (`credsStore`, `credHelpers`) are programs the Docker CLI runs; the client
 * does not run them. When the file sends a registry to one, asking for that registry's
 * credentials fails with an error that names the helper, instead of pulling anonymously and
 * failing later with a less helpful 401.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, UnsupportedError } from '../core/errors.js';

/** A user name and password (or access token used as one), as `docker login` takes them. */
export interface RegistryCredentials {
  /** User name. */
  username: string;
  /** Password or personal access token. */
  password: string;
}

/** Where credentials come from. */
export interface CredentialOptions {
  /** Credentials per registry name (`docker.io`, `127.0.0.1:5000`); these win over the file. */
  credentials?: Record<string, RegistryCredentials>;
  /** The Docker CLI config file to read, or false to read none (default: Docker's own lookup). */
  dockerConfig?: string | false;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The names `docker login` may have stored Docker Hub's credentials under. */
const hubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The config file Docker's CLI reads. */
export function defaultDockerConfigPath(): string {
  const dir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  return join(dir, 'config.json');
}

/** `https://index.docker.io/v1/` -> `index.docker.io` (Docker's ConvertToHostname). */
function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').split('/')[0]!.toLowerCase();
}

function sameRegistry(key: string, name: string): boolean {
  const host = hostOfKey(key);
  if (hubAliases.has(name)) return hubAliases.has(host);
  return host === name.toLowerCase();
}

/** The outcome of a credential lookup. */
export type CredentialLookup =
  /** Use these. */
  | { kind: 'credentials'; credentials: RegistryCredentials }
  /** Nothing is configured: anonymous. */
  | { kind: 'none' }
  /** Configured in a way the client cannot use (a credential helper): the error to raise if the registry insists. */
  | { kind: 'unsupported'; error: UnsupportedError };

/**
 * The error for a registry that refused access (`refusal`) when the only credentials configured
 * for it live in a credential helper: the helper's {@link UnsupportedError}, caused by the refusal.
 */
export function helperRefusal(helper: UnsupportedError, refusal: Error): UnsupportedError {
  return new UnsupportedError(helper.message, { details: helper.details, cause: refusal });
}

/** Looks credentials up, reading the config file once per instance. */
export class CredentialStore {
  readonly #options: CredentialOptions;
  #file: Promise<{ path: string; config: DockerConfigFile } | undefined> | undefined;

  /** Uses the given credentials and config file. */
  constructor(options: CredentialOptions = {}) {
    this.#options = options;
  }

  /**
   * What the options and the config file say about a registry's credentials. A credential
   * helper is reported, not run: anonymous access may still be enough, so the caller raises
   * {@link CredentialLookup}'s `unsupported` error only when the registry asks for credentials.
   *
   * @throws InvalidArgumentError for an unreadable config file or `auth` entry
   */
  async lookup(name: string): Promise<CredentialLookup> {
    const given = this.#options.credentials;
    if (given) {
      for (const [key, value] of Object.entries(given)) if (sameRegistry(key, name)) return { kind: 'credentials', credentials: value };
    }
    const file = await this.#load();
    if (!file) return { kind: 'none' };
    const { config, path } = file;
    const entry = Object.entries(config.auths ?? {}).find(([key]) => sameRegistry(key, name))?.[1];
    if (entry?.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new InvalidArgumentError(`the auth entry for ${name} in ${path} is not base64 of user:password`, { details: { registry: name, path } });
      return { kind: 'credentials', credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } };
    }
    if (entry?.username !== undefined && entry.password !== undefined) {
      return { kind: 'credentials', credentials: { username: entry.username, password: entry.password } };
    }
    const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => sameRegistry(key, name))?.[1] ?? config.credsStore;
    if (helper) {
      return {
        kind: 'unsupported',
        error: new UnsupportedError(
          `${path} sends the credentials of ${name} to the credential helper docker-credential-${helper}, which Stowage does not run: pass credentials for ${name} in the registry options instead`,
          { details: { registry: name, helper: `docker-credential-${helper}`, path } },
        ),
      };
    }
    if (entry?.identitytoken) {
      return {
        kind: 'unsupported',
        error: new UnsupportedError(`${path} holds an identity token for ${name}, which Stowage does not use: pass credentials in the registry options instead`, {
          details: { registry: name, path },
        }),
      };
    }
    return { kind: 'none' };
  }

  #load(): Promise<{ path: string; config: DockerConfigFile } | undefined> {
    if (this.#options.dockerConfig === false) return Promise.resolve(undefined);
    const path = this.#options.dockerConfig ?? defaultDockerConfigPath();
    this.#file ??= readFile(path, 'utf8').then(
      (text) => {
        try {
          return { path, config: JSON.parse(text) as DockerConfigFile };
        } catch (cause) {
          throw new InvalidArgumentError(`${path} is not valid JSON`, { details: { path }, cause });
        }
      },
      (error: NodeJS.ErrnoException) => {
        // No file is the usual case: anonymous access.
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
        throw error;
      },
    );
    return this.#file;
  }
}
