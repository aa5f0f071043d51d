import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import type { Readable } from 'node:stream';
import { packBuildContext } from '../../../src/backends/docker/images/build-context.js';

async function entries(tar: Readable): Promise<Map<string, { type: string; body: string }>> {
  const out = new Map<string, { type: string; body: string }>();
  const ex = extract();
  tar.on('error', (error) => ex.destroy(error));
  tar.pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.set(entry.header.name, { type: entry.header.type ?? 'file', body: Buffer.concat(chunks).toString() });
  }
  return out;
}

describe('build context packing', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-ctx-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies .dockerignore (with re-includes) but always sends the Dockerfile and .dockerignore', async () => {
    await mkdir(join(dir, 'node_modules', 'pkg'), { recursive: true });
    await mkdir(join(dir, 'docs'), { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\n');
    await writeFile(join(dir, '.dockerignore'), 'node_modules\n*.log\ndocs\n!docs/keep.md\nDockerfile\n');
    await writeFile(join(dir, 'app.js'), 'console.log(1)\n');
    await writeFile(join(dir, 'debug.log'), 'noise\n');
    await writeFile(join(dir, 'node_modules', 'pkg', 'index.js'), 'x\n');
    await writeFile(join(dir, 'docs', 'keep.md'), 'keep\n');
    await writeFile(join(dir, 'docs', 'drop.md'), 'drop\n');
    await symlink('app.js', join(dir, 'link.js'));
    const got = await entries(packBuildContext(dir, { dockerfile: 'Dockerfile' }));
    expect([...got.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.js', 'docs/keep.md', 'link.js']);
    expect(got.get('app.js')!.body).toBe('console.log(1)\n');
    expect(got.get('link.js')!.type).toBe('symlink');
  });

  it('packs everything without a .dockerignore, directories included', async () => {
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'a', 'b', 'f'), 'f\n');
    await writeFile(join(dir, 'Dockerfile.dev'), 'FROM busybox\n');
    const got = await entries(packBuildContext(dir, { dockerfile: 'Dockerfile.dev' }));
    expect([...got.keys()].sort()).toEqual(['Dockerfile.dev', 'a/', 'a/b/', 'a/b/f']);
  });

  it('fails the stream for a missing directory', async () => {
    await expect(entries(packBuildContext(join(dir, 'missing'), { dockerfile: 'Dockerfile' }))).rejects.toThrow();
  });
});
