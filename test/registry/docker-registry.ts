/**
 * Debian's `docker-registry` (distribution 2.x) started by a test: its own config file, a free
 * port on 127.0.0.1 and storage in a temp dir, optionally with htpasswd or token auth.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { Engine } from '../../src/core/engine.js';
import { busyboxRootfsTar } from '../../src/testing/busybox-rootfs.js';

export const DOCKER_REGISTRY_BIN = ['/usr/bin/docker-registry', '/usr/local/bin/docker-registry'].find((p) => existsSync(p));

/** Whether `STOWAGE_REQUIRE` names a dependency (then a missing one fails instead of skipping). */
export function required(name: string): boolean {
  return (process.env.STOWAGE_REQUIRE ?? '').split(/[,\s]+/).includes(name);
}

/** Whether the docker CLI and engine answer. */
export function dockerAvailable(): boolean {
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0;
}

/** Imports the busybox test rootfs as `ref` (the real binary where the engine runs it); resolves with the image ID. */
export async function importBusybox(engine: Engine, ref: string): Promise<string> {
  const img = await engine.images.import(busyboxRootfsTar({ requireBinary: engine.backend !== 'emulator' }), {
    ref, changes: ['CMD ["sh"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  });
  return img.id;
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller retries if it is taken meanwhile). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Auth for a test registry. */
export type RegistryAuth =
  | { kind: 'htpasswd'; users: Record<string, string> }
  | { kind: 'token'; realm: string; service: string; issuer: string; certPem: string };

/** A running registry. */
export interface RunningRegistry {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** The temp dir with its config, storage and log. */
  dir: string;
  /** Stops it and deletes its storage. */
  close(): Promise<void>;
}

function config(port: number, dir: string, auth: RegistryAuth | undefined): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (auth?.kind === 'htpasswd') {
    // The registry accepts bcrypt entries only.
    const file = join(dir, 'htpasswd');
    writeFileSync(file, Object.entries(auth.users).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 5)}`).join('\n') + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: stowage-test', `    path: ${file}`);
  }
  if (auth?.kind === 'token') {
    const cert = join(dir, 'token-cert.pem');
    writeFileSync(cert, auth.certPem);
    lines.push('auth:', '  token:', `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${cert}`);
  }
  return lines.join('\n') + '\n';
}

/** Starts a registry and waits (bounded polling) until it answers `/v2/`. */
export async function startDockerRegistry(auth?: RegistryAuth): Promise<RunningRegistry> {
  if (!DOCKER_REGISTRY_BIN) throw new Error('docker-registry is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'stowage-registry-'));
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const file = join(dir, 'config.yml');
    writeFileSync(file, config(port, dir, auth));
    const log = openSync(join(dir, 'registry.log'), 'a');
    const child: ChildProcess = spawn(DOCKER_REGISTRY_BIN, ['serve', file], { stdio: ['ignore', log, log] });
    closeSync(log);
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    for (let i = 0; i < 400 && !exited; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v2/`);
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 401) {
          return {
            host: `127.0.0.1:${port}`,
            dir,
            close: async () => {
              if (!exited) {
                const gone = new Promise((resolve) => child.once('exit', resolve));
                child.kill('SIGTERM');
                await gone;
              }
              rmSync(dir, { recursive: true, force: true });
            },
          };
        }
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (!exited) child.kill('SIGKILL');
    lastError = readFileSync(join(dir, 'registry.log'), 'utf8').slice(-2000);
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`docker-registry did not start: ${lastError}`);
}

/** A self-signed P-256 certificate and key for the token server (openssl), or undefined without openssl. */
export function tokenSigningKey(dir: string): { certPem: string; keyPem: string } | undefined {
  const key = join(dir, 'token-key.pem');
  const cert = join(dir, 'token-cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-subj', '/CN=stowage-test-token', '-days', '2'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

/**
 * A token server as the distribution token spec describes it: Basic credentials in, an ES256
 * JWT out, signed with a key whose certificate the registry trusts (sent in the `x5c` header).
 */
export class TokenServer {
  readonly requests: { scopes: string[]; user?: string }[] = [];
  #server: Server | undefined;
  #port = 0;

  constructor(
    readonly keys: { certPem: string; keyPem: string },
    readonly users: Record<string, string>,
    readonly service: string,
    readonly issuer: string,
  ) {}

  get realm(): string {
    return `http://127.0.0.1:${this.#port}/token`;
  }

  async start(): Promise<this> {
    const server = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const scopes = url.searchParams.getAll('scope');
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [user, password] = basic ? Buffer.from(basic, 'base64').toString().split(/:(.*)/s) : [];
      this.requests.push({ scopes, ...(user !== undefined ? { user } : {}) });
      if (user === undefined || this.users[user] !== password) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        return;
      }
      const access = scopes.map((s) => {
        const [type, name, actions] = s.split(':') as [string, string, string];
        return { type, name, actions: actions.split(',') };
      });
      const token = this.#sign({ sub: user, access });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
    return this;
  }

  #sign(claims: Record<string, unknown>): string {
    const der = Buffer.from(this.keys.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const header = b64({ typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] });
    const body = b64({ iss: this.issuer, aud: this.service, iat: now, nbf: now - 10, exp: now + 300, jti: randomBytes(8).toString('hex'), ...claims });
    const signer = createSign('sha256');
    signer.update(`${header}.${body}`);
    const signature = signer.sign({ key: this.keys.keyPem, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${header}.${body}.${signature}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
