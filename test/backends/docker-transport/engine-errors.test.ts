import { describe, expect, it } from 'vitest';
import {
  AbortError,
  BackendUnavailableError,
  NotFoundError,
  StowageError,
  TimeoutError,
} from '../../../src/core/errors.js';
import {
  classifyEngineMessage,
  engineErrorFromResponse,
  engineMessageOf,
  transportError,
} from '../../../src/backends/docker/transport/engine-errors.js';

describe('classifyEngineMessage', () => {
  // Messages as Engine 20.10 words them; the status alone would mislead for most of these.
  const cases: [number, string, string, string | undefined][] = [
    [500, 'driver failed programming external connectivity on endpoint web (x): Bind for 0.0.0.0:43000 failed: port is already allocated', 'CONFLICT', 'port-in-use'],
    [500, 'Error starting userland proxy: listen tcp4 0.0.0.0:80: bind: address already in use', 'CONFLICT', 'port-in-use'],
    [500, 'driver failed programming external connectivity on endpoint web (x): Error starting userland proxy: listen tcp4 10.255.255.1:8080: bind: cannot assign requested address', 'INVALID_ARGUMENT', 'host-ip-unavailable'],
    [500, 'driver failed programming external connectivity on endpoint web (x): Error starting userland proxy: listen tcp6 [2001:db8::1]:8080: bind: cannot assign requested address', 'INVALID_ARGUMENT', 'host-ip-unavailable'],
    [400, 'OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "nope": executable file not found in $PATH: unknown', 'INVALID_ARGUMENT', 'exec-not-found'],
    [500, 'OCI runtime create failed: runc create failed: unable to start container process: exec: "/bin/nope": stat /bin/nope: no such file or directory: unknown', 'INVALID_ARGUMENT', 'exec-not-found'],
    [500, 'unable to find user nobody2: no matching entries in passwd file', 'INVALID_ARGUMENT', 'unknown-user'],
    [500, 'unable to find group nogroup2: no matching entries in group file', 'INVALID_ARGUMENT', 'unknown-user'],
    [500, `create ${'a'.repeat(300)}: error while creating volume root path '/var/lib/docker/volumes/${'a'.repeat(300)}': mkdir /var/lib/docker/volumes/${'a'.repeat(300)}: file name too long`, 'INVALID_ARGUMENT', 'name-too-long'],
    [500, 'Error processing tar file(exit status 1): archive/tar: invalid tar header', 'INVALID_ARGUMENT', 'bad-archive'],
    [500, 'Error processing tar file(exit status 1): unexpected EOF', 'INVALID_ARGUMENT', 'bad-archive'],
    [500, 'Error processing tar file(exit status 1): archive/tar: header field too long', 'INVALID_ARGUMENT', 'bad-archive'],
    [409, 'Container 0123 is not running', 'CONFLICT', 'not-running'],
    [500, 'Container 0123 is not running', 'CONFLICT', 'not-running'],
    [409, 'Container 0123 is paused, unpause the container before exec', 'CONFLICT', 'paused'],
    [409, 'Conflict. The container name "/web1" is already in use by container "0123". You have to remove (or rename) that container to be able to reuse that name.', 'CONFLICT', 'name-in-use'],
    [409, 'conflict: unable to delete 0123 (must be forced) - image is being used by stopped container 4567', 'CONFLICT', 'image-in-use'],
    [404, 'No such image: centos:7', 'NOT_FOUND', 'no-such-image'],
    [500, 'manifest for x:y not found: manifest unknown: manifest unknown', 'NOT_FOUND', 'no-such-image'],
    [404, 'No such container: web1', 'NOT_FOUND', 'no-such-container'],
    [500, 'Head "http://127.0.0.1:5000/v2/x/y/manifests/1": no basic auth credentials', 'UNAUTHORIZED', 'registry-auth'],
    [500, 'unauthorized: authentication required', 'UNAUTHORIZED', 'registry-auth'],
    [500, 'toomanyrequests: You have reached your pull rate limit.', 'RATE_LIMITED', 'rate-limited'],
    [500, "pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", 'NOT_FOUND', 'no-such-image'],
    [404, 'page not found', 'NOT_FOUND', undefined],
    [400, 'invalid reference format', 'INVALID_ARGUMENT', 'bad-reference'],
    [500, 'invalid reference format: repository name must be lowercase', 'INVALID_ARGUMENT', 'bad-reference'],
    [403, 'authorization denied by plugin x', 'INVALID_ARGUMENT', undefined],
    [501, 'not implemented', 'UNSUPPORTED', undefined],
    [500, 'error mounting: invalid mount config: bind source path does not exist: /nope', 'ENGINE_ERROR', undefined],
    [500, 'Get "https://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused', 'REGISTRY_ERROR', 'unreachable'],
    [500, 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host', 'REGISTRY_ERROR', 'unreachable'],
  ];
  it.each(cases)('%i %s -> %s', (status, message, code, reason) => {
    expect(classifyEngineMessage(status, message)).toEqual(reason === undefined ? { code } : { code, reason });
  });
});

describe('engine error construction', () => {
  it("reads the engine's JSON message, or falls back to the text", () => {
    expect(engineMessageOf('{"message":"No such image: x"}\n')).toBe('No such image: x');
    expect(engineMessageOf('{"other":1}')).toBe('{"other":1}');
    expect(engineMessageOf('  plain words \n')).toBe('plain words');
    expect(engineMessageOf('{broken')).toBe('{broken');
  });

  it('builds the class with status, method, path and message in details', () => {
    const error = engineErrorFromResponse(404, '{"message":"No such image: x"}', { method: 'GET', path: '/v1.41/images/x/json' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.details).toEqual({ status: 404, method: 'GET', path: '/v1.41/images/x/json', message: 'No such image: x', reason: 'no-such-image' });
    expect(engineErrorFromResponse(500, '', { method: 'GET', path: '/x' }).message).toBe('HTTP 500');
  });
});

describe('transportError', () => {
  const at = { method: 'GET', path: '/_ping' };
  it('maps socket failures to BackendUnavailableError, keeping the cause', () => {
    for (const code of ['ENOENT', 'ECONNREFUSED', 'EACCES']) {
      const cause = Object.assign(new Error(`connect ${code}`), { code });
      const error = transportError(cause, at);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect(error.cause).toBe(cause);
      expect(error.details).toEqual({ method: 'GET', path: '/_ping', errno: code });
    }
    // undici wraps the socket's error; the inner code is the one that explains.
    const wrapped = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause: { code: 'ECONNRESET' } });
    expect(transportError(wrapped, at).details['errno']).toBe('ECONNRESET');
  });

  it('maps our own time limits to TimeoutError and a fired signal to AbortError with its reason', () => {
    expect(transportError(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), at)).toBeInstanceOf(TimeoutError);
    const controller = new AbortController();
    const reason = new Error('cancelled by user');
    controller.abort(reason);
    const aborted = transportError(new Error('whatever undici said'), at, controller.signal);
    expect(aborted).toBeInstanceOf(AbortError);
    expect(aborted.cause).toBe(reason);
  });

  it('passes Stowage errors through untouched', () => {
    const original = new NotFoundError('gone');
    expect(transportError(original, at)).toBe(original);
    expect(transportError(new Error('odd'), at)).toBeInstanceOf(StowageError);
  });
});
