/**
 * TCP+TLS with client certificates, against a local HTTPS server standing in for the engine.
 * Certificates are made for the test with the openssl CLI (skipped where it is missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../../src/core/errors.js';
import { DockerClient } from '../../../src/backends/docker/transport/index.js';

const openssl = ['/usr/bin/openssl', '/bin/openssl'].find((p) => existsSync(p));

describe.skipIf(!openssl)('DockerClient over TCP+TLS', () => {
  let dir: string;
  let server: Server;
  let port: number;

  function run(...args: string[]): void {
    execFileSync(openssl!, args, { cwd: dir, stdio: 'ignore' });
  }

  function issue(name: string, ext: string): void {
    run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stowage-tls-'));
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=stowage-test-ca');
    issue('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    issue('client', 'extendedKeyUsage=clientAuth\n');
    const read = (f: string): Buffer => readFileSync(join(dir, f));
    // Docker's layout for DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem.
    writeFileSync(join(dir, 'cert.pem'), read('client-cert.pem'));
    writeFileSync(join(dir, 'key.pem'), read('client-key.pem'));
    server = createServer({ key: read('server-key.pem'), cert: read('server-cert.pem'), ca: read('ca.pem'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.setHeader('Api-Version', '1.41');
      res.end(req.url === '/_ping' ? 'OK' : JSON.stringify({ url: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH', async () => {
    await using client = new DockerClient({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir } });
    expect(client.connection.origin).toBe(`https://127.0.0.1:${port}`);
    expect(await client.json('GET', '/info')).toEqual({ url: '/v1.41/info' });
  });

  it('fails with BackendUnavailableError when the engine certificate is not trusted', async () => {
    await using client = new DockerClient({ host: `tcp://127.0.0.1:${port}`, tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }, env: {} });
    await expect(client.ping()).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it('fails with BackendUnavailableError when no client certificate is presented', async () => {
    await using client = new DockerClient({ host: `https://127.0.0.1:${port}`, tls: { ca: readFileSync(join(dir, 'ca.pem')) }, env: {} });
    await expect(client.ping()).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});
