/** Fixtures shared by the host-directory tests: temp dirs on tmpfs and hand-made layer tars. */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack as tarPack, type Header } from 'tar-stream';

/** A temp dir on /dev/shm when there is one (creating many files on /work is slow). */
export function makeTempDir(prefix: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, `stowage-${prefix}-`));
}

/** Removes a temp dir made by {@link makeTempDir}. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** One entry of a hand-made tar; `content` only for files. */
export type TarEntrySpec = Partial<Header> & { name: string; content?: string | Buffer };

/** Builds a tar in memory with tar-stream, names written exactly as given (no cleaning). */
export async function makeTar(entries: TarEntrySpec[], options: { end?: boolean } = {}): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const { content, ...header } of entries) {
    const body = content === undefined ? undefined : Buffer.from(content);
    await new Promise<void>((resolve, reject) => {
      const full = { mtime: new Date(1_600_000_000_000), ...header, ...(body ? { size: body.length } : {}) };
      const callback = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body === undefined) pack.entry(full, callback);
      else pack.entry(full, body, callback);
    });
  }
  pack.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  return options.end === false ? tar.subarray(0, tar.length - 1024) : tar;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** Whether the attr tools (getfattr/setfattr, Debian's `attr`) are on the PATH. */
export const HAVE_ATTR_TOOLS = onPath('getfattr') && onPath('setfattr');

/**
 * Xattr cases skip visibly on a developer machine without `attr`, and fail in CI (CI=true),
 * whose script installs it, so a missing install step cannot hide there.
 */
export const SKIP_WITHOUT_ATTR = !HAVE_ATTR_TOOLS && process.env.CI !== 'true';
