import { describe, expect, it } from 'vitest';
import { HistoryEntrySchema, ImageInfoSchema, ImageSummarySchema, NetworkInfoSchema, VolumeInfoSchema } from '../../../src/core/schemas/index.js';
import { loadedReferences, mapHistory, mapImageInfo, mapImageSummary, mapRemoveResult } from '../../../src/backends/docker/images/image-mappers.js';
import { repoAndTag } from '../../../src/backends/docker/images/transfer.js';
import { mapNetworkInfo, withoutPrefix } from '../../../src/backends/docker/networks.js';
import { mapVolumeInfo } from '../../../src/backends/docker/volumes.js';
import { mapEngineEvent, normaliseAction } from '../../../src/backends/docker/events.js';
import type { EngineHistoryRow, EngineImageInspect, EngineNetwork, EngineVolume } from '../../../src/backends/docker/engine-types.js';
import { recorded } from './fixtures.js';

describe('image mapping (recorded Engine 20.10 JSON)', () => {
  it('maps inspect and passes the ImageInfo schema', () => {
    const info = mapImageInfo(recorded<EngineImageInspect>('image-inspect'));
    expect(() => ImageInfoSchema.parse(info)).not.toThrow();
    expect(info).toMatchObject({
      id: 'sha256:ffb810a1a86e3aae26a922637e2b62a13156040ee045e01b0376ec2b1bcdd72b',
      repoTags: ['h10probe/bb:1'], author: '', comment: 'Imported from -', architecture: 'amd64', os: 'linux', size: 1982291,
      config: { env: ['PATH=/bin'], cmd: null, entrypoint: null, workingDir: '', user: '', exposedPorts: [], volumes: [], labels: {}, stopSignal: '' },
      rootfs: { diffIds: ['sha256:e9541d0dd5751417ea2b8e450860d4b431e54f1905e34b462dad67f01f68c9a4'] },
    });
    expect(info.created.toISOString()).toBe('2026-11-28T03:24:30.768Z');
  });

  it('maps history: newest first, emptyLayer from a zero size', () => {
    const rows = mapHistory(recorded<EngineHistoryRow[]>('image-history'));
    for (const r of rows) expect(() => HistoryEntrySchema.parse(r)).not.toThrow();
    expect(rows.map((r) => [r.comment, r.size, r.emptyLayer])).toEqual([['msg', 0, true], ['Imported from -', 1982291, false]]);
    expect(rows[0]!.createdBy).toBe('sleep 1000');
    expect(mapHistory([{ Id: '<missing>', Created: 1, Size: 5 }])[0]!.id).toBe('<missing>');
  });

  it('drops <none>:<none> from list rows', () => {
    const row = mapImageSummary({ Id: `sha256:${'a'.repeat(64)}`, RepoTags: ['<none>:<none>'], Created: 10, Size: 7 });
    expect(() => ImageSummarySchema.parse(row)).not.toThrow();
    expect(row).toEqual({ id: `sha256:${'a'.repeat(64)}`, repoTags: [], created: new Date(10_000), size: 7 });
  });

  it('maps rmi rows and load messages', () => {
    expect(mapRemoveResult([{ Untagged: 'a:1' }, { Deleted: 'sha256:1' }, { Deleted: 'sha256:2' }])).toEqual({ untagged: ['a:1'], deleted: ['sha256:1', 'sha256:2'] });
    const id = `sha256:${'b'.repeat(64)}`;
    expect(loadedReferences(['Loaded image: app:1\n', `Loaded image ID: ${id}\n`, 'noise\n'])).toEqual({ tags: ['app:1'], ids: [id] });
  });

  it('splits references into repo and tag as the engine wants them', () => {
    expect(repoAndTag('centos:7')).toEqual({ repo: 'centos', tag: '7' });
    expect(repoAndTag('myreg:5000/app')).toEqual({ repo: 'myreg:5000/app', tag: 'latest' });
    const digest = `sha256:${'c'.repeat(64)}`;
    expect(repoAndTag(`app@${digest}`)).toEqual({ repo: `app@${digest}` });
  });
});

describe('network, volume and event mapping', () => {
  it('maps a recorded network with containers (address without prefix length) and aliases', () => {
    const raw = recorded<EngineNetwork>('network-inspect');
    const id = 'a5eb80d770687c1d8bb349d1c3aac5863eaf9511f1386263cd0fb6220a25b23b';
    const info = mapNetworkInfo(raw, (c) => (c === id ? ['db'] : []));
    expect(() => NetworkInfoSchema.parse(info)).not.toThrow();
    expect(info).toEqual({
      id: 'ffad198f4f8b38ff29c3705058af301710b89a05848854985e0f39ec8b2ff1ca', name: 'h10net', driver: 'bridge',
      subnet: '172.21.0.0/16', gateway: '172.21.0.1', internal: false,
      containers: { [id]: { name: 'h10aliased', ipAddress: '172.21.0.2', aliases: ['db'] } },
    });
    expect(withoutPrefix('10.0.0.2/24')).toBe('10.0.0.2');
  });

  it('maps volumes; anonymous by a 64-hex name or the label', () => {
    const named = mapVolumeInfo(recorded<EngineVolume>('volume-inspect'));
    expect(() => VolumeInfoSchema.parse(named)).not.toThrow();
    expect(named).toEqual({ name: 'h10vol', driver: 'local', labels: {}, created: new Date('2026-11-28T03:29:44Z'), anonymous: false, mountpoint: '/var/lib/docker/volumes/h10vol/_data' });
    expect(mapVolumeInfo({ Name: 'd'.repeat(64) }).anonymous).toBe(true);
    expect(mapVolumeInfo({ Name: 'x1', Labels: { 'com.docker.volume.anonymous': '' } }).anonymous).toBe(true);
  });

  it('maps events: exec_start suffixes to exec, name from attributes, nanosecond times', () => {
    expect(normaliseAction('exec_start: sh -c true')).toBe('exec');
    expect(normaliseAction('exec_create: sh')).toBe('exec_create');
    expect(normaliseAction('health_status: healthy')).toBe('health_status');
    const e = mapEngineEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web', image: 'busybox' } }, time: 1700000000, timeNano: 1700000000123456789 });
    expect(e).toEqual({ type: 'container', action: 'start', id: 'abc', name: 'web', time: new Date(1700000000123), attributes: { name: 'web', image: 'busybox' } });
    expect(mapEngineEvent({ Type: 'daemon', Action: 'reload' })).toBeUndefined();
  });
});
