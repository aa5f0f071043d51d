// The wire form of calls whose engine behaviour cannot be produced offline (a registry for
// pull/push) or is hard to provoke, against the transport tests' scriptable fake engine.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createDockerBackend } from '../../../src/backends/docker/index.js';
import type { Backend } from '../../../src/core/backend.js';
import type { ProgressEvent } from '../../../src/core/schemas/index.js';
import { FakeEngine } from '../docker-transport/fake-engine.js';

const ID = `sha256:${'e'.repeat(64)}`;

function jsonLines(res: import('node:http').ServerResponse, messages: unknown[]): void {
  res.setHeader('content-type', 'application/json');
  res.end(messages.map((m) => JSON.stringify(m)).join('\r\n'));
}

describe('docker backend wire form (fake engine)', () => {
  let engine: FakeEngine;
  let backend: Backend;

  beforeEach(async () => {
    engine = await FakeEngine.start('1.41');
    backend = createDockerBackend({ host: `unix://${engine.socketPath}` });
  });

  afterEach(async () => {
    await backend.close();
    await engine.stop();
  });

  it('pull forwards progress, resolves after the stream with the image ID', async () => {
    engine.routes.set('POST /images/create', (_req, res) => jsonLines(res, [
      { status: 'Pulling from library/centos', id: '7' },
      { status: 'Downloading', id: 'abc', progressDetail: { current: 5, total: 10 } },
      { status: 'Status: Downloaded newer image for centos:7' },
    ]));
    engine.routes.set('GET /images/centos:7/json', (_req, res) => jsonLines(res, [{ Id: ID }]));
    const events: ProgressEvent[] = [];
    await expect(backend.images.pull('centos:7', { onProgress: (e) => events.push(e) })).resolves.toEqual({ id: ID });
    expect(events[1]).toEqual({ id: 'abc', status: 'Downloading', current: 5, total: 10 });
    const create = engine.requests.find((r) => r.url.includes('/images/create'))!;
    expect(new URL(create.url, 'http://x').searchParams.toString()).toBe('fromImage=centos&tag=7');
  });

  it('pull rejects with NotFound on an errorDetail about a missing image', async () => {
    engine.routes.set('POST /images/create', (_req, res) => jsonLines(res, [
      { status: 'Pulling from library/nope' },
      { errorDetail: { message: 'manifest for nope:1 not found: manifest unknown: manifest unknown' }, error: 'manifest for nope:1 not found' },
    ]));
    await expect(backend.images.pull('nope:1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('push sends an anonymous X-Registry-Auth and the tag', async () => {
    engine.routes.set('POST /images/myreg:5000/app/push', (_req, res) => jsonLines(res, [{ status: 'Pushed', id: 'abc' }, { aux: { Tag: '1', Digest: 'sha256:1', Size: 1 } }]));
    await backend.images.push('myreg:5000/app:1');
    const push = engine.requests.find((r) => r.url.includes('/push'))!;
    expect(push.headers['x-registry-auth']).toBe(Buffer.from('{}').toString('base64'));
    expect(push.url).toMatch(/\/images\/myreg:5000\/app\/push\?tag=1$/);
  });

  it('a network with active endpoints (403 on Engine 20.10) is a conflict', async () => {
    engine.routes.set('DELETE /networks/app', FakeEngine.error(403, 'error while removing network: network app id 123 has active endpoints'));
    await expect(backend.networks.remove('app')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('wait asks for condition=not-running and maps StatusCode', async () => {
    engine.routes.set('POST /containers/abc/wait', (_req, res) => jsonLines(res, [{ StatusCode: 137, Error: null }]));
    await expect(backend.containers.wait('abc')).resolves.toEqual({ exitCode: 137 });
    expect(engine.requests.at(-1)!.url).toMatch(/condition=not-running/);
  });

  it('load maps Loaded image messages to IDs through inspect', async () => {
    const other = `sha256:${'f'.repeat(64)}`;
    engine.routes.set('POST /images/load', (_req, res) => jsonLines(res, [{ stream: 'Loaded image: app:1\n' }, { stream: `Loaded image ID: ${other}\n` }]));
    engine.routes.set('GET /images/app:1/json', (_req, res) => jsonLines(res, [{ Id: ID }]));
    const loaded = await backend.images.load(Readable.from([Buffer.from('tar bytes')]));
    expect(loaded).toEqual([{ id: other, repoTags: [] }, { id: ID, repoTags: ['app:1'] }]);
    expect(engine.requests.find((r) => r.url.includes('/images/load'))!.headers['content-type']).toBe('application/x-tar');
  });

  it('commit sends its options as query parameters', async () => {
    engine.routes.set('POST /commit', (_req, res) => jsonLines(res, [{ Id: ID }]));
    await backend.containers.commit('abc', { repo: 'centos', message: 'new', author: 'me', pause: true, changes: ['CMD ["sh"]', 'ENV A=1'] });
    const q = new URL(engine.requests.at(-1)!.url, 'http://x').searchParams;
    expect(Object.fromEntries(['container', 'repo', 'tag', 'comment', 'author', 'pause'].map((k) => [k, q.get(k)]))).toEqual({
      container: 'abc', repo: 'centos', tag: 'latest', comment: 'new', author: 'me', pause: 'true',
    });
    expect(q.getAll('changes')).toEqual(['CMD ["sh"]', 'ENV A=1']);
  });
});
