/**
 * The ~50 MB image of the memory benchmark: the busybox test rootfs plus a few hundred files
 * of random bytes, as one plain rootfs tar held in memory (so the child's baseline is taken
 * after the tar is gone, not while it streams from disk).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { busyboxRootfsTar } from '../../src/testing/busybox-rootfs.js';

/** How the generated rootfs is shaped. */
export interface BigRootfsSpec {
  /** Number of random-content files added under `/opt/payload` (default 400). */
  files?: number;
  /** Total bytes of random content across them (default 50 MiB). */
  totalBytes?: number;
}

/** Collects a stream's chunks (Node or streamx, both async-iterable) into one buffer. */
async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * Builds the rootfs tar: every entry of {@link busyboxRootfsTar} (so `sh` resolves in the
 * image) followed by `files` files of distinct random bytes, sizes spread between 0 and twice
 * the mean so both small and large files occur.
 *
 * @returns the uncompressed tar bytes
 */
export async function bigRootfsTar(spec: BigRootfsSpec = {}): Promise<Buffer> {
  const files = spec.files ?? 400;
  const totalBytes = spec.totalBytes ?? 50 * 1024 * 1024;
  const out = pack();
  const done = collect(out);

  // Copy the busybox rootfs entry by entry: tar-stream hands each entry's body as a stream,
  // and the next entry only comes once this one is written into the pack.
  const reader = extract();
  const copied = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header: Header, body, next) => {
      collect(body).then(
        (data) => out.entry(header, data, (err) => (err ? reject(err) : next())),
        reject,
      );
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  busyboxRootfsTar().pipe(createGunzip()).pipe(reader);
  await copied;

  const mtime = new Date('2024-01-01T00:00:00Z');
  out.entry({ name: 'opt/', type: 'directory', mode: 0o755, mtime });
  out.entry({ name: 'opt/payload/', type: 'directory', mode: 0o755, mtime });
  const mean = Math.floor(totalBytes / files);
  let left = totalBytes;
  for (let i = 0; i < files; i++) {
    // Deterministic spread around the mean; the last file takes what is left so the total is exact.
    const size = i === files - 1 ? left : Math.min(left, (i * 7919) % (2 * mean));
    left -= size;
    out.entry({ name: `opt/payload/blob-${i}.bin`, mode: 0o644, mtime }, randomBytes(size));
  }
  out.finalize();
  return done;
}
