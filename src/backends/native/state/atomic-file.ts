/**
 * Metadata files that are never seen half-written: written to a temp file beside the target,
 * fsynced, renamed over it, and the directory fsynced, so after a crash at any instant the
 * file holds either the old or the new content. Reads validate with zod, because a state
 * file is input like any other (a tool, an older version or a disk error may have changed it).
 *
 * Temp files carry the writer's PID in their name (`.NAME.tmp-PID-RANDOM`), so a later open can
 * tell a crashed writer's leftovers (PID gone) from a live writer's file in flight.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { BackendUnavailableError, throwIfAborted } from '../../../core/errors.js';
import { processIsAlive } from './process-identity.js';

/** Matches the temp names {@link writeFileAtomic} uses; group 1 is the writer's PID. */
const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o644). */
  mode?: number;
  /** Checked before the write starts; a write that began completes (it is short). */
  signal?: AbortSignal;
  /**
   * fsync the directory after the rename (default true). A caller that writes several files
   * into one directory can skip it for all but the last, whose directory fsync covers them.
   */
  syncDirectory?: boolean;
}

/** fsyncs a directory so a rename or unlink in it is durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The temp name a write of `path` by this process uses. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Replaces `path` with `data` atomically and durably (temp file, fsync, rename, directory
 * fsync). The directory must exist.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  throwIfAborted(options.signal);
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (options.syncDirectory !== false) await syncDirectory(dirname(path));
}

/** Writes `value` as JSON with {@link writeFileAtomic}. */
export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value)}\n`, options);
}

/**
 * Reads a JSON state file and validates it. Resolves `undefined` when the file does not exist;
 * a file that is not JSON or does not match `schema` is BackendUnavailableError naming it
 * (the engine cannot trust its own state; recovery at open quarantines such files).
 */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BackendUnavailableError(`state file is not JSON: ${path}`, { details: { path }, cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new BackendUnavailableError(`state file does not match its schema: ${path}`, {
      details: { path, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Whether a directory entry name is a temp file of {@link writeFileAtomic}. */
export function isAtomicTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Deletes the temp files that crashed writers left in `dir` (not recursive). A temp file
 * whose writer is still alive is kept, unless it is older than the process (the PID was
 * reused). Resolves with the paths deleted.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) continue;
    if (await processIsAlive(Number(match[1]), info.mtimeMs)) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
