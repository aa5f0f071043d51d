/**
 * Archives against the real Docker Engine: what we write, `docker load` accepts and runs;
 * what `docker save` writes, we read. Skipped only when the engine's socket is absent and
 * STOWAGE_REQUIRE does not name docker.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageArchive, writeImageArchive } from '../../../src/fs-union/archive/index.js';
import { sha256Digest } from '../../../src/fs-union/digest.js';
import { makeTempDir, removeTempDir } from '../host/helpers.js';
import { busyboxLayer, makeImage, readAll } from './fixtures.js';

const run = promisify(execFile);
const socket = '/var/run/docker.sock';
const required = (process.env['STOWAGE_REQUIRE'] ?? '').split(/[\s,]+/).includes('docker');
const available = existsSync(socket);

describe.skipIf(!available && !required)('image archives with the real Docker Engine', () => {
  let work: string;
  const tags: string[] = [];

  beforeAll(() => {
    if (!available) throw new Error(`STOWAGE_REQUIRE names docker but ${socket} is absent`);
    work = makeTempDir('engine');
  });
  afterAll(async () => {
    for (const tag of tags) await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
    if (work !== undefined) removeTempDir(work);
  });

  it.each(['docker', 'oci'] as const)('docker load accepts our %s archive, runs it, and docker save reads back', async (format) => {
    const tag = `stowage-test/archive-${format}-${Math.random().toString(36).slice(2, 10)}:latest`;
    tags.push(tag);
    const layer = await busyboxLayer();
    // A per-run label keeps the image ID unique, so removing it cannot race another run.
    const image = makeImage([layer], [tag], true, { config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'], Labels: { run: tag } } });
    const file = join(work, `${format}.tar`);
    await pipeline(writeImageArchive([image], { format }), createWriteStream(file));

    const loaded = await run('docker', ['load', '-i', file]);
    expect(loaded.stdout).toContain(tag.replace(/:latest$/, ''));
    const inspected = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]);
    expect(inspected.stdout.trim()).toBe(sha256Digest(image.config));

    const hi = await run('docker', ['run', '--rm', tag, '/bin/sh', '-c', 'echo hi']);
    expect(hi.stdout).toBe('hi\n');

    const saved = join(work, `${format}-saved.tar`);
    await run('docker', ['save', '-o', saved, tag]);
    await using archive = await readImageArchive(createReadStream(saved), { spoolDir: work });
    expect(archive.images).toHaveLength(1);
    const [back] = archive.images;
    expect(back!.id).toBe(sha256Digest(image.config));
    expect(back!.repoTags).toEqual([tag]);
    expect(back!.layers.map((l) => l.diffId)).toEqual([sha256Digest(layer)]);
    expect((await readAll(back!.layers[0]!.open())).equals(layer)).toBe(true);
  });
});
