/**
 * Reading every xattr of a directory tree in one child process.
 *
 * Node cannot read xattrs. `getfattr -R` (from the `attr` package, present wherever overlayfs
 * layers are managed) dumps a whole tree in one run, so a diff costs one process however many
 * files the upper directory holds. We prefer it to `tar -c --xattrs` because the diff needs the
 * values keyed by path *before* writing each entry (to turn the opaque xattr into a marker and
 * to order entries deterministically), which a tar stream would only give in its own order.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { abortErrorFrom, InvalidArgumentError, UnsupportedError } from '../../core/errors.js';

/** xattrs of one path: name to raw value. */
export type XattrMap = Map<string, Buffer>;

/** Undoes getfattr's octal escaping of special characters (`\012`, `\\`) in file names. */
function unescapeName(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && i + 3 < raw.length && /^[0-7]{3}$/.test(raw.toString('latin1', i + 1, i + 4))) {
      bytes.push(parseInt(raw.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(raw[i]!);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses `getfattr -d -e hex` output into root-relative paths and their xattrs. */
export function parseGetfattrDump(output: string, root: string): Map<string, XattrMap> {
  const result = new Map<string, XattrMap>();
  let current: XattrMap | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('# file: ')) {
      const path = relative(root, unescapeName(line.slice(8)));
      current = new Map();
      result.set(path, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq <= 0) continue;
    const value = line.slice(eq + 1);
    const decoded = value.startsWith('0x') ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value.replace(/^"|"$/g, ''));
    current.set(unescapeName(line.slice(0, eq)), decoded);
  }
  return result;
}

/**
 * Every xattr (all namespaces) of every path under `root`, symlinks not followed, keyed by the
 * root-relative path (`''` for the root). Paths without xattrs are absent.
 *
 * @throws UnsupportedError when getfattr is not installed
 */
export async function readTreeXattrs(root: string, signal?: AbortSignal): Promise<Map<string, XattrMap>> {
  if (signal?.aborted) throw abortErrorFrom(signal);
  const child = spawn('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(signal ? { signal } : {}),
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).catch((error: unknown) => {
    if (signal?.aborted) throw abortErrorFrom(signal);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UnsupportedError('reading xattrs needs getfattr (the attr package) on the PATH', { cause: error });
    }
    throw error;
  });
  // getfattr exits 1 when some file has no readable xattrs; only a failure without output counts.
  if (code !== 0 && out.length === 0 && stderr.trim() !== '') {
    throw new InvalidArgumentError(`cannot read xattrs under ${root}: ${stderr.trim()}`, { details: { path: root, stderr: stderr.trim() } });
  }
  return parseGetfattrDump(Buffer.concat(out).toString('utf8'), root);
}
