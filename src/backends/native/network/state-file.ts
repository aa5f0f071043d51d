/**
 * The network half's metadata files: written whole to a temp file, fsynced, renamed over the
 * target and the directory fsynced (after a crash a file holds the old or the new content,
 * never half of one); read back through a zod schema, since a state file is input like any
 * other.
 *
 * Stand-in: native-run's `state/atomic-file.ts` does the same for the rest of the root. When
 * both halves are on main, this file should give way to that one (same contract).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { BackendUnavailableError } from '../../../core/errors.js';

const TEMP_MARK = '.tmp-';

/** Replaces `path` with `value` as JSON, atomically and durably. The directory must exist. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(value)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Reads and validates a JSON state file; undefined when it does not exist. A file that is not
 * JSON or does not match is BackendUnavailableError naming it: the engine cannot trust it.
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
    throw new BackendUnavailableError(`network state file is not JSON: ${path}`, { details: { path }, cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new BackendUnavailableError(`network state file does not match its schema: ${path}`, {
      details: { path, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
      cause: parsed.error,
    });
  }
  return parsed.data as z.infer<S>;
}

/** The names of the JSON files in `dir` (temp files left out); empty when `dir` is missing. */
export async function listJsonFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
}

/**
 * Deletes the temp files of interrupted writes in `dir`. Every write of these files happens
 * under the network lock, so a temp file seen by a lock holder belongs to a writer that died.
 */
export async function removeLeftoverTempFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith('.') && n.includes(TEMP_MARK)).map((n) => rm(join(dir, n), { force: true })));
}
