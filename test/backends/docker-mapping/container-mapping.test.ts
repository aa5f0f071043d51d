import { describe, expect, it } from 'vitest';
import { ContainerInfoSchema, ContainerSummarySchema } from '../../../src/core/schemas/index.js';
import { mapContainerInfo, mapContainerSummary, mapLink, mapPorts, mapState, userAliases } from '../../../src/backends/docker/containers/inspect-mapper.js';
import { mapChanges } from '../../../src/backends/docker/containers/fs-ops.js';
import type { EngineContainerInspect, EngineContainerSummary } from '../../../src/backends/docker/engine-types.js';
import { recorded } from './fixtures.js';

describe('container inspect mapping (recorded Engine 20.10 JSON)', () => {
  const info = mapContainerInfo(recorded<EngineContainerInspect>('container-inspect-running'));

  it('passes the shared ContainerInfo schema', () => {
    expect(() => ContainerInfoSchema.parse(info)).not.toThrow();
  });

  it('maps identity, state and config', () => {
    expect(info.id).toBe('85be5fd578c49d7903851cb35f902148caab02ecd5342606dc818e4f7271bcc8');
    expect(info.name).toBe('h10full');
    expect(info.image).toBe('h10probe/bb:1');
    expect(info.imageId).toBe('sha256:ffb810a1a86e3aae26a922637e2b62a13156040ee045e01b0376ec2b1bcdd72b');
    expect(info.created.toISOString()).toBe('2026-11-28T03:29:44.662Z');
    expect(info.state).toMatchObject({ status: 'running', running: true, paused: false, exitCode: 0 });
    expect(info.state.startedAt?.toISOString()).toBe('2026-11-28T03:29:44.935Z');
    expect(info.state.finishedAt).toBeUndefined();
    expect(info.config).toMatchObject({ env: ['FOO=bar', 'PATH=/bin'], workingDir: '/tmp', hostname: 'box1', labels: { team: 'a' }, cmd: ['sleep', '1000'] });
    expect(info.config.exposedPorts.sort()).toEqual(['80/tcp', '8080/tcp', '81/udp']);
  });

  it('maps ports (numbers, one row per binding, unpublished left out), mounts, networks and links', () => {
    expect(info.ports).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 45321 },
      { containerPort: 81, protocol: 'udp', hostIp: '0.0.0.0', hostPort: 45322 },
      { containerPort: 81, protocol: 'udp', hostIp: '::', hostPort: 45322 },
    ]);
    expect(info.mounts).toEqual([
      { type: 'bind', source: '/tmp/h10bind', destination: '/data1', readOnly: true },
      { type: 'volume', source: '/var/lib/docker/volumes/h10vol/_data', destination: '/named', name: 'h10vol', readOnly: false },
      {
        type: 'volume',
        source: '/var/lib/docker/volumes/446da0c5da77e17e96a80909ce26ae9c703a957bf0b8a2b19bb6189e5a9af494/_data',
        destination: '/anon',
        name: '446da0c5da77e17e96a80909ce26ae9c703a957bf0b8a2b19bb6189e5a9af494',
        readOnly: false,
      },
    ]);
    expect(info.networks).toEqual({ bridge: { ipAddress: '172.17.0.3', aliases: [] } });
    expect(info.links).toEqual(['h10web:web4']);
  });

  it('keeps user aliases on a user network and drops the engine-added short ID', () => {
    const net = mapContainerInfo(recorded<EngineContainerInspect>('container-inspect-network'));
    expect(net.networks).toEqual({ h10net: { ipAddress: '172.21.0.2', aliases: ['db'] } });
    expect(userAliases(['db', 'abcdefabcdef', 'web'], 'abcdefabcdef0123', 'web')).toEqual(['db']);
  });

  it('a start that failed on a missing executable is created with exit code 127', () => {
    const bad = mapContainerInfo(recorded<EngineContainerInspect>('container-inspect-exec-not-found'));
    expect(bad.state).toEqual({ status: 'created', running: false, paused: false, exitCode: 127 });
    // Older engines said 128 / exited for the same failure: normalised to what every backend shows.
    const older = mapState({ Status: 'exited', ExitCode: 128, Error: 'exec: "nope": executable file not found in $PATH', StartedAt: '0001-01-01T00:00:00Z' });
    expect(older).toMatchObject({ status: 'created', exitCode: 127 });
  });

  it('maps paused and removing states', () => {
    expect(mapState({ Status: 'paused', Running: true, Paused: true })).toMatchObject({ status: 'paused', running: true, paused: true });
    expect(mapState({ Status: 'removing' }).status).toBe('exited');
  });

  it('maps link and port helpers', () => {
    expect(mapLink('/db:/app/database')).toBe('db:database');
    expect(mapPorts({ '53/udp': [{ HostIp: '', HostPort: '5353' }], 'bogus': [{ HostPort: '1' }], '90/tcp': [{ HostIp: '0.0.0.0', HostPort: '' }] })).toEqual([
      { containerPort: 53, protocol: 'udp', hostIp: '0.0.0.0', hostPort: 5353 },
    ]);
  });
});

describe('container list mapping', () => {
  it('maps a recorded row and passes the ContainerSummary schema', () => {
    const rows = recorded<EngineContainerSummary[]>('container-list').map(mapContainerSummary);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(() => ContainerSummarySchema.parse(row)).not.toThrow();
    expect(row).toMatchObject({ names: ['h10full'], image: 'h10probe/bb:1', command: 'sleep 1000', state: 'running', labels: { team: 'a' } });
    expect(row.status).toMatch(/^Up /);
    expect(row.created.getTime()).toBe(1795836584 * 1000);
    expect(row.ports).toEqual([
      { containerPort: 81, protocol: 'udp', hostIp: '0.0.0.0', hostPort: 45322 },
      { containerPort: 81, protocol: 'udp', hostIp: '::', hostPort: 45322 },
      { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 45321 },
    ]);
  });

  it('drops link names (`/web5/web4`) and leading slashes', () => {
    const row = mapContainerSummary({ Id: 'a'.repeat(64), Names: ['/web4', '/web5/web4'], State: 'exited', Status: 'Exited (0) 1 second ago', Created: 1 });
    expect(row.names).toEqual(['web4']);
    expect(row.state).toBe('exited');
  });
});

describe('diff mapping', () => {
  it('maps Kind 0/1/2 to C/A/D and tolerates null', () => {
    expect(mapChanges([{ Path: '/bin', Kind: 0 }, { Path: '/a', Kind: 1 }, { Path: '/bin/hostname', Kind: 2 }])).toEqual([
      { kind: 'C', path: '/bin' }, { kind: 'A', path: '/a' }, { kind: 'D', path: '/bin/hostname' },
    ]);
    expect(mapChanges(null)).toEqual([]);
  });
});

describe('engine messages the mapping relies on (recorded from Engine 20.10)', () => {
  it('an ambiguous ID prefix (a 500 on the wire) is InvalidArgument', async () => {
    const { classifyEngineMessage } = await import('../../../src/backends/docker/transport/index.js');
    expect(classifyEngineMessage(500, 'Multiple IDs found with provided prefix: 1')).toEqual({ code: 'INVALID_ARGUMENT', reason: 'ambiguous-prefix' });
    expect(classifyEngineMessage(400, 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown'))
      .toEqual({ code: 'INVALID_ARGUMENT', reason: 'exec-not-found' });
    expect(classifyEngineMessage(500, 'driver failed programming external connectivity on endpoint h10p2 (1093): Error starting userland proxy: listen tcp4 0.0.0.0:45123: bind: address already in use'))
      .toEqual({ code: 'CONFLICT', reason: 'port-in-use' });
  });
});
