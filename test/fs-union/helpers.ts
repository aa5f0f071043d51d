/**
 * Fixtures shared by the fs-union tests: hand-made tars (tar-stream pack, so malformed input
 * can be produced on purpose) and snapshots of a filesystem view.
 */
import tarStream from 'tar-stream';
import type { FileSystemApi } from '../../src/fs-union/fs-api.js';

/** One raw tar entry for {@link makeTar}. */
export interface RawEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  data?: string;
  linkname?: string;
  mode?: number;
}

/** Packs raw entries exactly as given (no cleaning, duplicates kept). */
export async function makeTar(entries: RawEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array));
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: new Date(0),
      ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
    };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, e.data ?? '', cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A comparable description of one visible entry. */
export type SnapEntry = string;

/** Walks a view through its public API and describes every entry (type, mode, content). */
export async function snapshot(fs: FileSystemApi, dir = '/'): Promise<Map<string, SnapEntry>> {
  const out = new Map<string, SnapEntry>();
  const walk = async (path: string): Promise<void> => {
    for (const name of await fs.readdir(path)) {
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      const st = await fs.lstat(child);
      const mode = st.mode.toString(8);
      if (st.isSymbolicLink()) out.set(child, `l ${mode} -> ${await fs.readlink(child)}`);
      else if (st.isDirectory()) {
        out.set(child, `d ${mode}`);
        await walk(child);
      } else if (st.isFile()) out.set(child, `f ${mode} ${(await fs.readFile(child)).toString('base64')}`);
      else out.set(child, `${st.type} ${mode}`);
    }
  };
  await walk(dir);
  return out;
}
