/**
 * Credentials for the registries the engine pulls from and pushes to. The engine does the
 * registry protocol itself but keeps no credentials: the client sends them with each request,
 * as an `X-Registry-Auth` header holding base64url-encoded JSON (`username`, `password`,
 * `serveraddress`), as the Engine API's Authentication section describes. They come from the
 * same places as the registry client's (src/registry/credentials.ts): the backend's options,
 * then the Docker CLI's `config.json` `auths`. A registry whose credentials live in a credential
 * helper is tried anonymously; if it refuses, the error is the registry client's
 * UnsupportedError naming the helper.
 *
 * @module
 */
import { AuthenticationError } from '../../../core/errors.js';
import { parseImageRef } from '../../../core/image-ref.js';
import { CredentialStore, helperRefusal, type CredentialLookup, type RegistryCredentials } from '../../../registry/credentials.js';

/** Registry credentials of a Docker backend (`Engine.open({ backend: 'docker', registry })`). */
export interface DockerRegistryOptions {
  /** Credentials per registry name (`docker.io`, `127.0.0.1:5000`); these win over the file. */
  credentials?: Record<string, RegistryCredentials>;
  /** The Docker CLI config file to read, or false to read none (default: Docker's own lookup). */
  dockerConfig?: string | false;
}

/** The server address the Docker CLI names Docker Hub by in its auth configs. */
const HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';

/** Base64url with padding, as the Docker CLI writes the header (Go's `base64.URLEncoding`). */
export function encodeRegistryAuth(config: Record<string, string>): string {
  const text = Buffer.from(JSON.stringify(config)).toString('base64url');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

/** The credentials for one engine request. */
export interface RequestAuth {
  /** The `X-Registry-Auth` value, when there are credentials to send. */
  header?: string;
  /** The error to throw for one the request failed with (the helper's, for a refusal). */
  refine(error: unknown): unknown;
}

/** Looks credentials up for references and encodes them for the engine. */
export class EngineRegistryAuth {
  readonly #store: CredentialStore;

  /** Uses the given credentials and config file. */
  constructor(options: DockerRegistryOptions = {}) {
    this.#store = new CredentialStore(options);
  }

  /**
   * The credentials for a request about `ref` (its registry's).
   *
   * @throws InvalidArgumentError for an unreadable config file or `auth` entry
   */
  async forRef(ref: string): Promise<RequestAuth> {
    const registry = parseImageRef(ref, 'ref').domain;
    const lookup: CredentialLookup = await this.#store.lookup(registry);
    if (lookup.kind === 'credentials') {
      const { username, password } = lookup.credentials;
      const serveraddress = registry === 'docker.io' ? HUB_SERVER_ADDRESS : registry;
      return { header: encodeRegistryAuth({ username, password, serveraddress }), refine: (error) => error };
    }
    if (lookup.kind === 'unsupported') {
      return { refine: (error) => (error instanceof AuthenticationError ? helperRefusal(lookup.error, error) : error) };
    }
    return { refine: (error) => error };
  }
}
