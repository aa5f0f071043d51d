/**
 * An in-memory OCI distribution server for the client's unit tests, on 127.0.0.1 and a free
 * port, with the faults the tests need: a connection cut mid-blob, a corrupted blob, 429s,
 * Basic or Bearer auth (with its own token endpoint), and a log of every request.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** `sha256:<hex>`. */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** How the fake registry authenticates. */
export type FakeAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; username?: string; password?: string; expiresIn?: number };

/** A request the server saw. */
export interface LoggedRequest {
  method: string;
  path: string;
  authorization?: string;
  range?: string;
}

/** Faults to inject. */
export interface Faults {
  /** Cut the connection after this many bytes of the blob, this many times. */
  drop?: { digest: string; afterBytes: number; times: number };
  /** Serve this blob with one byte flipped. */
  corrupt?: string;
  /** Answer 429 to requests whose path matches, this many times. */
  rateLimit?: { path: RegExp; retryAfter: string; times: number };
  /** Ignore Range headers (send the whole blob with 200). */
  ignoreRange?: boolean;
  /** Refuse cross-repository mounts (open an upload session instead). */
  noMount?: boolean;
  /** Grant only `pull` in this many tokens, whatever was asked (a token server that is stingy). */
  pullOnlyTokens?: number;
}

interface Upload {
  repo: string;
  chunks: Buffer[];
  size: number;
}

/** A fake registry. Call {@link FakeRegistry.start} and {@link FakeRegistry.close}. */
export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>();
  /** Blobs per repository: a mount works only from a repository that has the blob. */
  readonly repoBlobs = new Map<string, Set<string>>();
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  readonly requests: LoggedRequest[] = [];
  readonly tokenRequests: { scopes: string[]; authorization?: string }[] = [];
  readonly uploads = new Map<string, Upload>();
  faults: Faults = {};
  auth: FakeAuth;
  readonly #tokens = new Map<string, string[]>();
  #server: Server | undefined;
  #port = 0;

  constructor(auth: FakeAuth = { kind: 'none' }) {
    this.auth = auth;
  }

  /** `127.0.0.1:<port>`, the registry's name in references. */
  get host(): string {
    return `127.0.0.1:${this.#port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stores a blob in a repository; returns its digest. */
  putBlob(repo: string, data: Buffer): string {
    const digest = sha256(data);
    this.blobs.set(digest, data);
    let set = this.repoBlobs.get(repo);
    if (!set) this.repoBlobs.set(repo, (set = new Set()));
    set.add(digest);
    return digest;
  }

  /** Stores a manifest under a tag (and its digest); returns the digest. */
  putManifest(repo: string, tag: string | undefined, bytes: Buffer, mediaType: string): string {
    const digest = sha256(bytes);
    this.manifests.set(`${repo}\n${digest}`, { bytes, mediaType });
    if (tag !== undefined) this.manifests.set(`${repo}\n${tag}`, { bytes, mediaType });
    return digest;
  }

  /** Requests whose path matches. */
  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname + url.search };
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    if (req.headers.range) entry.range = req.headers.range;
    this.requests.push(entry);
    const body = await readBody(req);
    if (url.pathname === '/token') return this.#token(req, url, res);
    const limit = this.faults.rateLimit;
    if (limit && limit.times > 0 && limit.path.test(url.pathname)) {
      limit.times--;
      res.writeHead(429, { 'retry-after': limit.retryAfter, 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (!this.#authorized(req, undefined, 'pull')) return this.#challenge(res, undefined);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    if (!m) return notFound(res, 'NAME_UNKNOWN', 'unknown route');
    const [, repo, kind, rest] = m as unknown as [string, string, string, string];
    const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
    if (!this.#authorized(req, repo, action)) return this.#challenge(res, `repository:${repo}:${action === 'pull' ? 'pull' : 'pull,push'}`);
    if (kind === 'manifests') return this.#manifest(req, res, repo, rest, body);
    if (rest.startsWith('uploads/')) return this.#upload(req, res, url, repo, rest.slice('uploads/'.length), body);
    return this.#blob(req, res, repo, rest);
  }

  #manifest(req: IncomingMessage, res: ServerResponse, repo: string, ref: string, body: Buffer): void {
    if (req.method === 'PUT') {
      const digest = this.putManifest(repo, ref.startsWith('sha256:') ? undefined : ref, body, req.headers['content-type'] ?? '');
      res.writeHead(201, { 'docker-content-digest': digest, location: `/v2/${repo}/manifests/${digest}` });
      res.end();
      return;
    }
    const found = this.manifests.get(`${repo}\n${ref}`);
    if (!found) {
      const known = [...this.manifests.keys()].some((k) => k.startsWith(`${repo}\n`));
      return known ? notFound(res, 'MANIFEST_UNKNOWN', 'manifest unknown') : notFound(res, 'NAME_UNKNOWN', 'repository name not known to registry');
    }
    res.writeHead(200, { 'content-type': found.mediaType, 'content-length': found.bytes.length, 'docker-content-digest': sha256(found.bytes) });
    res.end(req.method === 'HEAD' ? undefined : found.bytes);
  }

  #blob(req: IncomingMessage, res: ServerResponse, repo: string, digest: string): void {
    const data = this.blobs.get(digest);
    if (!data || !this.repoBlobs.get(repo)?.has(digest)) return notFound(res, 'BLOB_UNKNOWN', 'blob unknown to registry');
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': data.length, 'docker-content-digest': digest });
      res.end();
      return;
    }
    let bytes = data;
    if (this.faults.corrupt === digest) {
      bytes = Buffer.from(data);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !this.faults.ignoreRange) start = Number(range[1]);
    const status = start > 0 ? 206 : 200;
    const headers: Record<string, string | number> = { 'content-length': bytes.length - start, 'content-type': 'application/octet-stream' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    res.writeHead(status, headers);
    const drop = this.faults.drop;
    if (drop && drop.digest === digest && drop.times > 0) {
      drop.times--;
      // Half the promised body, then the socket goes: what a dying proxy does.
      res.write(bytes.subarray(start, Math.max(start, Math.min(bytes.length, drop.afterBytes))), () => res.socket?.destroy());
      return;
    }
    res.end(bytes.subarray(start));
  }

  #upload(req: IncomingMessage, res: ServerResponse, url: URL, repo: string, id: string, body: Buffer): void {
    if (req.method === 'POST' && id === '') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && !this.faults.noMount && this.repoBlobs.get(from)?.has(mount)) {
        this.putBlob(repo, this.blobs.get(mount)!);
        res.writeHead(201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount });
        res.end();
        return;
      }
      const uuid = randomUUID();
      this.uploads.set(uuid, { repo, chunks: [], size: 0 });
      res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${uuid}?_state=x`, range: '0-0', 'docker-upload-uuid': uuid });
      res.end();
      return;
    }
    const upload = this.uploads.get(id);
    if (!upload) return notFound(res, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown');
    if (req.method === 'DELETE') {
      this.uploads.delete(id);
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'PATCH') {
      const cr = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (cr && Number(cr[1]) !== upload.size) {
        res.writeHead(416);
        res.end();
        return;
      }
      upload.chunks.push(body);
      upload.size += body.length;
      res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}?_state=y${upload.size}`, range: `0-${upload.size - 1}` });
      res.end();
      return;
    }
    if (req.method === 'PUT') {
      upload.chunks.push(body);
      const data = Buffer.concat(upload.chunks);
      const digest = url.searchParams.get('digest') ?? '';
      this.uploads.delete(id);
      if (sha256(data) !== digest) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] }));
        return;
      }
      this.putBlob(repo, data);
      res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
      res.end();
      return;
    }
    res.writeHead(405);
    res.end();
  }

  #authorized(req: IncomingMessage, repo: string | undefined, action: 'pull' | 'push'): boolean {
    const auth = this.auth;
    const header = req.headers.authorization ?? '';
    if (auth.kind === 'none') return true;
    if (auth.kind === 'basic') return header === basicHeader(auth.username, auth.password);
    if (!header.startsWith('Bearer ')) return false;
    const scopes = this.#tokens.get(header.slice(7));
    if (!scopes) return false;
    if (repo === undefined) return true;
    return scopes.some((s) => {
      const [type, name, actions] = s.split(':') as [string, string, string];
      return type === 'repository' && name === repo && actions.split(',').includes(action);
    });
  }

  #challenge(res: ServerResponse, scope: string | undefined): void {
    const auth = this.auth;
    const value = auth.kind === 'basic'
      ? 'Basic realm="fake"'
      : `Bearer realm="http://${this.host}/token",service="fake-registry"${scope ? `,scope="${scope}"` : ''}`;
    res.writeHead(401, { 'www-authenticate': value, 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  }

  #token(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const auth = this.auth;
    const scopes = url.searchParams.getAll('scope');
    this.tokenRequests.push({ scopes, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (auth.kind === 'bearer' && auth.username !== undefined && req.headers.authorization !== basicHeader(auth.username, auth.password ?? '')) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const token = `tok-${this.tokenRequests.length}`;
    const stingy = (this.faults.pullOnlyTokens ?? 0) > 0;
    if (stingy) this.faults.pullOnlyTokens! -= 1;
    this.#tokens.set(token, stingy ? scopes.map((s) => s.replace(/:pull,push$/, ':pull')) : scopes);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: auth.kind === 'bearer' ? (auth.expiresIn ?? 300) : 300 }));
  }
}

function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function notFound(res: ServerResponse, code: string, message: string): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A gzip layer tar with the given files; returns the blob and its diffID. */
export async function makeLayer(files: Record<string, string | Buffer>): Promise<{ blob: Buffer; diffId: string }> {
  const tar = pack();
  for (const [name, content] of Object.entries(files)) tar.entry({ name, mode: 0o644, mtime: new Date(0) }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return { blob: gzipSync(raw), diffId: sha256(raw) };
}

/** An image config naming these diffIDs. */
export function makeConfig(diffIds: string[], platform: { os: string; architecture: string; variant?: string } = { os: 'linux', architecture: 'amd64' }, cmd = ['sh']): Buffer {
  return Buffer.from(JSON.stringify({
    ...platform,
    config: { Cmd: cmd, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    created: '2024-01-01T00:00:00Z',
    history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test' })),
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
}

/** Puts a one-platform image (config + layers + schema 2 manifest) in the registry. */
export async function seedImage(reg: FakeRegistry, repo: string, tag: string | undefined, layers: { blob: Buffer; diffId: string }[], platform?: { os: string; architecture: string; variant?: string }): Promise<{ manifestDigest: string; configDigest: string; manifest: Buffer }> {
  const config = makeConfig(layers.map((l) => l.diffId), platform);
  const configDigest = reg.putBlob(repo, config);
  for (const l of layers) reg.putBlob(repo, l.blob);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: l.blob.length, digest: sha256(l.blob) })),
  }));
  const manifestDigest = reg.putManifest(repo, tag, manifest, 'application/vnd.docker.distribution.manifest.v2+json');
  return { manifestDigest, configDigest, manifest };
}
