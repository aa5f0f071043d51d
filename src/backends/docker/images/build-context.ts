/**
 * Packing a build context directory into a tar with tar-stream, filtered by `.dockerignore`
 * with Docker's rules (src/core/dockerignore.ts), as `docker build` does before `POST /build`.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { createDockerignoreMatcher } from '../../../core/dockerignore.js';
import type { DockerignoreMatcher } from '../../../core/dockerignore.js';

/** Options of {@link packBuildContext}. */
export interface PackBuildContextOptions {
  /** The Dockerfile's path in the context: always sent, even when `.dockerignore` excludes it. */
  dockerfile: string;
  /** Stops packing; the stream fails. */
  signal?: AbortSignal;
  /** Text sent as the Dockerfile instead of the file's own (a Dockerfile with unused stages cut out). */
  dockerfileText?: string;
}

/** Reads `.dockerignore` of a context directory (none: nothing excluded). */
async function matcherOf(dir: string): Promise<DockerignoreMatcher> {
  try {
    return createDockerignoreMatcher(await readFile(join(dir, '.dockerignore'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return createDockerignoreMatcher('');
    throw error;
  }
}

/**
 * Packs `dir` into a tar stream. Entries are written one at a time as the stream is read, so a
 * large context is never held in memory. The Dockerfile and `.dockerignore` are always
 * included (the CLI does the same, the builder needs them).
 */
export function packBuildContext(dir: string, options: PackBuildContextOptions): Readable {
  const tar = pack();
  const dockerfilePath = posix.normalize(options.dockerfile.replace(/^\.?\//, ''));
  const keep = new Set([dockerfilePath, '.dockerignore']);
  const run = async (): Promise<void> => {
    const matcher = await matcherOf(dir);
    const walk = async (rel: string): Promise<void> => {
      const names = (await readdir(join(dir, rel))).sort();
      for (const name of names) {
        options.signal?.throwIfAborted();
        const relPath = rel === '' ? name : `${rel}/${name}`;
        const abs = join(dir, relPath);
        const st = await lstat(abs);
        const excluded = matcher.matches(relPath) && !keep.has(relPath);
        if (st.isDirectory()) {
          if (excluded && !matcher.mayMatchChildren(relPath)) continue;
          if (!excluded) await entry({ name: `${relPath}/`, type: 'directory', mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid });
          await walk(relPath);
          continue;
        }
        if (excluded) continue;
        const header = { name: relPath, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
        if (options.dockerfileText !== undefined && relPath === dockerfilePath && st.isFile()) {
          await entry({ ...header, type: 'file' }, Buffer.from(options.dockerfileText));
          continue;
        }
        if (st.isSymbolicLink()) await entry({ ...header, type: 'symlink', linkname: await readlink(abs) });
        else if (st.isFile()) await fileEntry({ ...header, size: st.size }, abs);
      }
    };
    await walk('');
    tar.finalize();
  };
  const entry = (header: Parameters<typeof tar.entry>[0], body?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (body) tar.entry(header, body, done);
      else tar.entry(header, done);
    });
  const fileEntry = (header: Parameters<typeof tar.entry>[0], abs: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const sink = tar.entry(header, (error) => (error ? reject(error) : resolve()));
      const source = createReadStream(abs);
      source.on('error', (error) => {
        sink.destroy(error);
        reject(error);
      });
      source.pipe(sink as unknown as NodeJS.WritableStream);
    });
  const out = Readable.from(tar);
  // The wrapper carries the failure to the reader; the pack itself is just torn down.
  run().catch((error: unknown) => {
    out.destroy(error as Error);
    tar.destroy();
  });
  return out;
}
