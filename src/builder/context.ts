/**
 * The build context: a host directory or a tar stream, read once into a read-only union view,
 * with its Dockerfile and `.dockerignore` (the core matcher) applied to what COPY and ADD see.
 *
 * @module
 */
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createDockerignoreMatcher, type DockerignoreMatcher } from '../core/dockerignore.js';
import { BuildError, throwIfAborted } from '../core/errors.js';
import { Layer } from '../fs-union/layer.js';
import { LayerBuilder } from '../fs-union/layer-builder.js';
import { UnionFS } from '../fs-union/union-fs.js';
import type { BuildContextSource } from './host.js';

/** A loaded build context. */
export interface BuildContext {
  /** The context's files, read-only, rooted at `/`. */
  fs: UnionFS;
  /** `.dockerignore` of the context (nothing excluded when it has none). */
  ignore: DockerignoreMatcher;
  /** The Dockerfile's text. */
  dockerfile: string;
}

async function readDirectory(dir: string, matcher: DockerignoreMatcher, signal?: AbortSignal): Promise<Layer> {
  const builder = new LayerBuilder();
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      throwIfAborted(signal);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const abs = join(dir, relPath);
      const st = await lstat(abs);
      const excluded = matcher.matches(relPath);
      const meta = { mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
      if (st.isDirectory()) {
        // An excluded directory is still walked when a `!` pattern may bring back something in it.
        if (excluded && !matcher.mayMatchChildren(relPath)) continue;
        builder.addDirectory(relPath, meta);
        await walk(relPath);
      } else if (excluded) {
        continue;
      } else if (st.isSymbolicLink()) {
        builder.addSymlink(relPath, await readlink(abs), meta);
      } else if (st.isFile()) {
        builder.addFile(relPath, await readFile(abs), meta);
      }
    }
  };
  await walk('');
  return builder.build(signal ? { signal } : {});
}

async function readText(fs: UnionFS, path: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(path)).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * Reads a context. The Dockerfile is read even when `.dockerignore` excludes it (Docker sends
 * it anyway); nothing excluded is visible to COPY or ADD.
 *
 * @throws BuildError when the Dockerfile is missing (`failed to read dockerfile`), or what
 *   reading the directory or tar throws
 */
export async function loadBuildContext(source: BuildContextSource, dockerfile: string, signal?: AbortSignal): Promise<BuildContext> {
  throwIfAborted(signal);
  let layer: Layer;
  let ignoreText: string | undefined;
  let dockerfileText: string | undefined;
  const dfPath = `/${dockerfile.replace(/^\.?\/+/, '')}`;
  if (typeof source === 'string') {
    ignoreText = await readFile(join(source, '.dockerignore'), 'utf8').catch(() => undefined);
    dockerfileText = await readFile(join(source, dfPath), 'utf8').catch(() => undefined);
    layer = await readDirectory(source, createDockerignoreMatcher(ignoreText ?? ''), signal);
  } else {
    layer = await Layer.fromTar(source as Readable, signal ? { signal } : {});
  }
  const fs = new UnionFS([layer], { readOnly: true });
  ignoreText ??= await readText(fs, '/.dockerignore');
  dockerfileText ??= await readText(fs, dfPath);
  if (dockerfileText === undefined) {
    throw new BuildError(`failed to read dockerfile: open ${dockerfile}: no such file or directory`, { details: { dockerfile } });
  }
  return { fs, ignore: createDockerignoreMatcher(ignoreText ?? ''), dockerfile: dockerfileText };
}
