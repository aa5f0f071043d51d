import { describe, expect, it } from 'vitest';
import { createBody } from '../../../src/backends/docker/containers/create-body.js';
import type { ContainerCreateRequest } from '../../../src/core/schemas/index.js';

function request(extra: Partial<ContainerCreateRequest>): ContainerCreateRequest {
  return {
    image: 'busybox', env: [], labels: {}, tty: false, openStdin: false, mounts: [], volumesFrom: [], ports: [],
    publishAll: false, exposedPorts: [], links: [], networkAliases: [], autoRemove: false, ...extra,
  };
}

describe('create body', () => {
  it('maps mounts: binds with :ro, named volumes via Binds, anonymous via Config.Volumes, read-only anonymous via Mounts', () => {
    const body = createBody(request({
      mounts: [
        { type: 'bind', source: '/var/www', target: '/data1', readOnly: true },
        { type: 'volume', source: 'named', target: '/named', readOnly: false },
        { type: 'volume', target: '/anon', readOnly: false },
        { type: 'volume', target: '/anon-ro', readOnly: true },
      ],
      volumesFrom: [{ container: 'web2', mode: 'ro', readOnly: true }, { container: 'web3', mode: 'rw', readOnly: false }],
    }));
    expect(body.HostConfig.Binds).toEqual(['/var/www:/data1:ro', 'named:/named']);
    expect(body.Volumes).toEqual({ '/anon': {} });
    expect(body.HostConfig.Mounts).toEqual([{ Type: 'volume', Target: '/anon-ro', ReadOnly: true }]);
    expect(body.HostConfig.VolumesFrom).toEqual(['web2:ro', 'web3']);
  });

  it('maps ports: bindings, default host address, any port, ranges, exposed ports', () => {
    const body = createBody(request({
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 43000 },
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 },
        { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 8000, hostPortEnd: 8010 },
      ],
      exposedPorts: ['8080/tcp', '9090'],
      publishAll: true,
    }));
    expect(body.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '', HostPort: '43000' }, { HostIp: '127.0.0.1', HostPort: '' }],
      '53/udp': [{ HostIp: '', HostPort: '8000-8010' }],
    });
    expect(Object.keys(body.ExposedPorts).sort()).toEqual(['53/udp', '80/tcp', '8080/tcp', '9090/tcp']);
    expect(body.HostConfig.PublishAllPorts).toBe(true);
  });

  it('maps links, network with aliases, autoRemove, stop settings and stdin', () => {
    const body = createBody(request({
      links: [{ name: 'web4', alias: 'db' }], network: 'app', networkAliases: ['api'], autoRemove: true,
      stopSignal: 'SIGINT', stopTimeout: 3, openStdin: true, tty: true, cmd: ['sh'], entrypoint: [], workingDir: '/w', user: '33', hostname: 'h',
    }));
    expect(body.HostConfig.Links).toEqual(['web4:db']);
    expect(body.HostConfig.NetworkMode).toBe('app');
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { app: { Aliases: ['api'] } } });
    expect(body.HostConfig.AutoRemove).toBe(true);
    expect(body).toMatchObject({ StopSignal: 'SIGINT', StopTimeout: 3, OpenStdin: true, StdinOnce: false, AttachStdin: true, Tty: true, Cmd: ['sh'], Entrypoint: [], WorkingDir: '/w', User: '33', Hostname: 'h' });
  });

  it('leaves unset fields out so the image decides', () => {
    const body = createBody(request({}));
    for (const key of ['Cmd', 'Entrypoint', 'WorkingDir', 'User', 'Hostname', 'StopSignal', 'StopTimeout', 'NetworkingConfig']) expect(body).not.toHaveProperty(key);
    expect(body.HostConfig.NetworkMode).toBeUndefined();
    expect(body.HostConfig).not.toHaveProperty('PidsLimit');
  });

  it('maps pidsLimit to HostConfig.PidsLimit, as --pids-limit does', () => {
    expect(createBody(request({ pidsLimit: 64 })).HostConfig.PidsLimit).toBe(64);
    expect(createBody(request({ pidsLimit: -1 })).HostConfig.PidsLimit).toBe(-1);
  });
});
