/**
 * Shared helpers of the transport tests: collecting streams, engine detection, a tiny image.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import tar from 'tar-stream';

/** Reads a stream to the end as UTF-8. */
export async function collect(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

/** Builds one multiplexed frame. */
export function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Whether the real-engine tests run: the socket exists, or STOWAGE_REQUIRE names docker. */
export function dockerWanted(): { run: boolean; required: boolean } {
  const required = (process.env.STOWAGE_REQUIRE ?? '').split(/[,\s]+/).includes('docker');
  return { run: required || existsSync('/var/run/docker.sock'), required };
}

/** A unique tag for images the tests create. */
export function uniqueTag(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/**
 * A rootfs tar with Debian's static busybox as /bin/busybox and /bin/sh, /bin/cat, /bin/sleep
 * linked to it; enough to exercise attach and exec without pulling anything.
 */
export async function busyboxRootfsTar(): Promise<Buffer> {
  const pack = tar.pack();
  const busybox = readFileSync('/usr/bin/busybox');
  pack.entry({ name: 'bin/', type: 'directory', mode: 0o755 });
  pack.entry({ name: 'bin/busybox', mode: 0o755, size: busybox.length }, busybox);
  for (const applet of ['sh', 'cat', 'sleep', 'echo']) {
    pack.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox' });
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

/** Polls `check` until it returns a value, at most `attempts` times, yielding between tries. */
export async function pollUntil<T>(check: () => Promise<T | undefined> | T | undefined, attempts = 500): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached');
}
