/**
 * Child process of the memory benchmark (run by `memory.ts` as
 * `node --expose-gc --import tsx memory-child.ts <count>`), so its baseline holds nothing but
 * the engine and the image: imports the ~50 MB rootfs into a fresh emulator, measures resident
 * memory after a full gc, creates and starts `count` containers running `sleep 1000`, measures
 * again, and prints one JSON line ({@link MemoryChildReport}) on stdout.
 *
 * @module
 */
import { setImmediate as tick } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Engine } from '../../src/index.js';
import { bigRootfsTar } from './big-rootfs.js';

/** What the child reports; memory figures are bytes. */
export interface MemoryChildReport {
  /** Containers created and started. */
  containers: number;
  /** Size of the imported image as `inspect()` reports it. */
  imageSize: number;
  /** Bytes of the rootfs tar that was imported. */
  tarBytes: number;
  /** RSS after the import and a full gc. */
  rssBefore: number;
  /** RSS with every container running, after a full gc. */
  rssAfter: number;
  /** V8 heap in use after the import (the part of RSS JavaScript objects take). */
  heapBefore: number;
  /** V8 heap in use with every container running. */
  heapAfter: number;
  /** Memory of Buffers and other off-heap objects after the import. */
  externalBefore: number;
  /** Memory of Buffers and other off-heap objects with every container running. */
  externalAfter: number;
  /** Containers `list()` reports as running at the second measurement. */
  running: number;
}

/** Several full collections with turns of the event loop between, so finalisers run too. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc: without it the baseline includes garbage');
  for (let i = 0; i < 4; i++) {
    gc();
    await tick();
  }
}

/** Runs the measurement in this process and returns the report. */
export async function measureContainerMemory(count: number): Promise<MemoryChildReport> {
  const engine = await Engine.open({ backend: 'emulator' });
  let tar: Buffer | undefined = await bigRootfsTar();
  const tarBytes = tar.length;
  const image = await engine.images.import(tar, { ref: 'stowage-bench/big:latest' });
  tar = undefined;
  const imageSize = (await image.inspect()).size;

  await settle();
  const before = process.memoryUsage();

  for (let i = 0; i < count; i++) {
    const c = await engine.containers.create({ image: image.id, cmd: ['sleep', '1000'] });
    await c.start();
  }
  const running = (await engine.containers.list({ filters: { status: ['running'] } })).length;

  await settle();
  const after = process.memoryUsage();
  // No clean-up: the process exits right after reporting, which frees everything at once.
  return {
    containers: count,
    imageSize,
    tarBytes,
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    externalBefore: before.external,
    externalAfter: after.external,
    running,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const count = Number(process.argv[2] ?? '1000');
  const report = await measureContainerMemory(count);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}
