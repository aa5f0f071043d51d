/**
 * Against the real Docker Engine at /var/run/docker.sock (skipped when absent, unless
 * STOWAGE_REQUIRE names docker). The tests import their own tiny busybox image and remove it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, RegistryError } from '../../../src/core/errors.js';
import { DockerClient, hijack, readJsonProgress } from '../../../src/backends/docker/transport/index.js';
import type { ProgressEvent } from '../../../src/backends/docker/transport/index.js';
import { busyboxRootfsTar, collect, dockerWanted, uniqueTag } from './helpers.js';

const wanted = dockerWanted();

describe.skipIf(!wanted.run)('docker transport against the real engine', () => {
  let client: DockerClient;
  const image = `stowage-test/transport:${uniqueTag()}`;
  const containers: string[] = [];

  beforeAll(async () => {
    client = new DockerClient({ host: 'unix:///var/run/docker.sock' });
    const progress: ProgressEvent[] = [];
    const body = await client.stream('POST', '/images/create', {
      query: { fromSrc: '-', repo: image.split(':')[0], tag: image.split(':')[1] },
      body: await busyboxRootfsTar(),
      contentType: 'application/x-tar',
    });
    const result = await readJsonProgress(body, { onProgress: (p) => progress.push(p) });
    // Import reports the new image ID as its last status.
    expect(result.lastStatus).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  afterAll(async () => {
    for (const id of containers) await client.send('DELETE', `/containers/${id}`, { query: { force: true }, expect: [204, 404] });
    await client.send('DELETE', `/images/${image}`, { query: { force: true }, expect: [200, 404] });
    await client.close();
  });

  async function createContainer(spec: Record<string, unknown>): Promise<string> {
    const { Id } = await client.json<{ Id: string }>('POST', '/containers/create', { body: { Image: image, ...spec } });
    containers.push(Id);
    return Id;
  }

  it('pings and negotiates min(engine, 1.43)', async () => {
    const ping = await client.ping();
    expect(ping.apiVersion).toMatch(/^1\.\d+$/);
    const version = await client.version();
    const chosen = await client.apiVersion();
    const engineMinor = Number(version.ApiVersion.split('.')[1]);
    expect(chosen).toBe(`1.${Math.min(engineMinor, 43)}`);
  });

  it('maps a missing container to NotFoundError with the engine message and details', async () => {
    const error = await client.json('GET', '/containers/stowage-no-such-container/json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toMatch(/no such container/i);
    expect((error as NotFoundError).details).toMatchObject({ status: 404, method: 'GET' });
  });

  it('treats 304 as success when the caller expects it (start twice)', async () => {
    const id = await createContainer({ Cmd: ['/bin/sleep', '1000'] });
    expect(await client.send('POST', `/containers/${id}/start`, { expect: [204, 304] })).toBe(204);
    expect(await client.send('POST', `/containers/${id}/start`, { expect: [204, 304] })).toBe(304);
    // A pending wait() holds its own connection: stop() is not queued behind it.
    const waiting = client.json<{ StatusCode: number }>('POST', `/containers/${id}/wait`, { longLived: true });
    await client.send('POST', `/containers/${id}/stop`, { query: { t: 0 }, expect: [204, 304] });
    expect((await waiting).StatusCode).toBe(137);
  });

  it('reports exec into a stopped container as ConflictError', async () => {
    const id = await createContainer({ Cmd: ['/bin/sh', '-c', 'exit 0'] });
    const error = await client
      .json('POST', `/containers/${id}/exec`, { body: { Cmd: ['/bin/cat'], AttachStdout: true } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
  });

  it('hijacks an exec: stdin half-close gives EOF while output keeps flowing', async () => {
    const id = await createContainer({ Cmd: ['/bin/sleep', '1000'] });
    await client.send('POST', `/containers/${id}/start`, { expect: [204, 304] });
    const { Id: execId } = await client.json<{ Id: string }>('POST', `/containers/${id}/exec`, {
      body: { Cmd: ['/bin/sh', '-c', 'cat; echo done-out; echo done-err >&2'], AttachStdin: true, AttachStdout: true, AttachStderr: true },
    });
    const io = await hijack(client, `/exec/${execId}/start`, { body: { Detach: false, Tty: false } });
    const out = collect(io.stdout);
    const err = collect(io.stderr);
    io.stdin.write('hello ');
    io.stdin.end('world\n');
    expect(await out).toBe('hello world\ndone-out\n');
    expect(await err).toBe('done-err\n');
    const info = await client.json<{ ExitCode: number; Running: boolean }>('GET', `/exec/${execId}/json`);
    expect(info.ExitCode).toBe(0);
  });

  it('hijacks an attach without a TTY: stdin EOF ends `cat`, whose output still arrives', async () => {
    const id = await createContainer({ Cmd: ['/bin/cat'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const io = await hijack(client, `/containers/${id}/attach`, { query: { stream: true, stdin: true, stdout: true, stderr: true } });
    const out = collect(io.stdout);
    const err = collect(io.stderr);
    await client.send('POST', `/containers/${id}/start`, { expect: [204, 304] });
    io.stdin.end('through attach\n');
    expect(await out).toBe('through attach\n');
    expect(await err).toBe('');
    const { StatusCode } = await client.json<{ StatusCode: number }>('POST', `/containers/${id}/wait`, { longLived: true });
    expect(StatusCode).toBe(0);
  });

  it('hijacks an attach with a TTY as one raw stream', async () => {
    const id = await createContainer({ Cmd: ['/bin/sh', '-c', 'echo tty-out; echo tty-err >&2'], Tty: true });
    const io = await hijack(client, `/containers/${id}/attach`, { query: { stream: true, stdout: true, stderr: true }, tty: true });
    const out = collect(io.stdout);
    await client.send('POST', `/containers/${id}/start`, { expect: [204, 304] });
    const text = await out;
    expect(text).toContain('tty-out');
    expect(text).toContain('tty-err');
    expect(await collect(io.stderr)).toBe('');
  });

  it('maps a missing executable on start to a marked error (exit 127 for the mapping)', async () => {
    const id = await createContainer({ Cmd: ['/bin/no-such-program'] });
    const error = await client.send('POST', `/containers/${id}/start`).catch((e: unknown) => e);
    expect((error as NotFoundError).details['reason']).toBe('exec-not-found');
  });

  it('rejects a pull from an unreachable registry with the engine message (a 500 before any progress)', async () => {
    // 127.0.0.1:1 refuses at once; Engine 20.10 answers with a status, not an in-stream error.
    const error = await client
      .stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:1/stowage/none', tag: 'x' } })
      .then((body) => readJsonProgress(body))
      .catch((e: unknown) => e);
    // The engine is fine, the registry is not there: the same class the emulator's pull throws.
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toMatch(/connection refused/);
    expect((error as RegistryError).details).toMatchObject({ status: 500, method: 'POST', reason: 'unreachable' });
  });
});
