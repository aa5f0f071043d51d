/**
 * Hand-made tars for the security probes (entries an attacker would write: hard links and
 * symlinks aimed outside) and a reader of what an engine hands back.
 */
import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';

/** One entry of {@link tarOf}. */
export interface ProbeEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  body?: string;
  mode?: number;
  mtime?: Date;
}

/** A tar of `entries`, in order, as a Node Readable. */
export function tarOf(entries: readonly ProbeEntry[]): Readable {
  const p = pack();
  for (const e of entries) {
    const mtime = e.mtime ?? new Date(0);
    if ((e.type ?? 'file') === 'file') p.entry({ name: e.name, mode: e.mode ?? 0o644, mtime }, e.body ?? '');
    else p.entry({ name: e.name, type: e.type!, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o777), mtime, ...(e.linkname === undefined ? {} : { linkname: e.linkname }) });
  }
  p.finalize();
  return Readable.from(p);
}

/** Reads a tar stream into entry name (without `./` or a trailing `/`) -> type and content. */
export async function readTar(stream: Readable): Promise<Map<string, { type: string; data: Buffer; linkname?: string }>> {
  const out = new Map<string, { type: string; data: Buffer; linkname?: string }>();
  const ex = extract();
  stream.on('error', (e) => ex.destroy(e));
  stream.pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const h = entry.header;
    out.set(h.name.replace(/^\.\//, '').replace(/\/$/, ''), {
      type: h.type ?? 'file',
      data: Buffer.concat(chunks),
      ...(h.linkname ? { linkname: h.linkname } : {}),
    });
  }
  return out;
}
