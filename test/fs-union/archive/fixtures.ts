/** Images built from scratch for the archive tests: config bytes plus layer tars in memory. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { sha256Digest } from '../../../src/fs-union/digest.js';
import type { ArchiveImage } from '../../../src/fs-union/archive/index.js';
import { makeTar } from '../host/helpers.js';

/** GOARCH of this machine, for image configs. */
export const goArch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;

/** A config JSON for the given diffIDs, as bytes. */
export function makeConfig(diffIds: string[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: goArch,
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'stowage test' })),
      ...extra,
    }),
  );
}

/** An image over in-memory layer tars; `withSize` decides whether sizes are announced. */
export function makeImage(layers: Buffer[], repoTags: string[], withSize = true, extra: Record<string, unknown> = {}): ArchiveImage {
  const diffIds = layers.map((l) => sha256Digest(l));
  return {
    config: makeConfig(diffIds, extra),
    repoTags,
    layers: layers.map((tar, i) => ({ diffId: diffIds[i]!, open: () => Readable.from([tar]), ...(withSize ? { size: tar.length } : {}) })),
  };
}

/** A layer with /bin/busybox (Debian's busybox-static) and /bin/sh -> busybox. */
export async function busyboxLayer(): Promise<Buffer> {
  return makeTar([
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', content: readFileSync('/usr/bin/busybox'), mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  ]);
}

/** Everything a Readable yields, joined. */
export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The member names of a tar, via GNU tar. */
export function tarNames(tar: Buffer): string[] {
  return execFileSync('tar', ['-tf', '-'], { input: tar, encoding: 'utf8' }).split('\n').filter((n) => n !== '');
}
