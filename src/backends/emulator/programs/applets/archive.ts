/**
 * `tar` (create, extract, list; gzip with `-z` or detected by magic) through tar-stream, and
 * `gzip`/`gunzip`/`zcat` through node:zlib.
 *
 * Extraction keeps every entry inside the target directory: leading `/` is dropped and names
 * that climb out with `..` are refused, as GNU tar does.
 *
 * @module
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { LayerFormatError } from '../../../../fs-union/errors.js';
import { cleanEntryName } from '../../../../fs-union/paths.js';
import type { ProgramContext } from '../../program.js';
import { complain, errorText, resolvePath, write } from '../io.js';
import { modeString } from './common.js';
import { inputChunks, readInput } from './input.js';

interface TarOptions {
  mode?: 'c' | 'x' | 't';
  gzip: boolean;
  verbose: boolean;
  file?: string;
  dir?: string;
  operands: string[];
  stdout: boolean;
}

function parseTarArgs(argv: string[]): TarOptions {
  const args = [...argv];
  // `tar xzf file` (no dash) bundles the flags in the first argument.
  if (args[0] && !args[0].startsWith('-')) args[0] = `-${args[0]}`;
  const o: TarOptions = { gzip: false, verbose: false, operands: [], stdout: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--gzip' || a === '--gunzip') o.gzip = true;
    else if (a.startsWith('--directory=')) o.dir = a.slice(12);
    else if (a.startsWith('--file=')) o.file = a.slice(7);
    else if (a === '--') o.operands.push(...args.slice(i + 1)), (i = args.length);
    else if (a.startsWith('-') && a.length > 1 && !a.startsWith('--')) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (c === 'c' || c === 'x' || c === 't') o.mode = c;
        else if (c === 'z') o.gzip = true;
        else if (c === 'v') o.verbose = true;
        else if (c === 'O') o.stdout = true;
        else if (c === 'f' || c === 'C') {
          const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (v === undefined) throw new Error(`option requires an argument -- '${c}'`);
          if (c === 'f') o.file = v;
          else o.dir = v;
          break;
        } else if (!'ophmPkS'.includes(c)) throw new Error(`invalid option -- '${c}'`);
      }
    } else o.operands.push(a);
  }
  return o;
}

/**
 * Cleans an archive member name with the layer rules (so `tar` in a container and image
 * layers agree on what escapes); undefined when it would leave the target directory.
 */
function safeName(name: string): string | undefined {
  try {
    return cleanEntryName(name);
  } catch (e) {
    if (e instanceof LayerFormatError) return undefined;
    throw e;
  }
}

/** `tar -c|-x|-t [-z] [-v] [-f FILE] [-C DIR] [FILE...]`. */
export async function tar(ctx: ProgramContext): Promise<number> {
  let o: TarOptions;
  try {
    o = parseTarArgs(ctx.argv.slice(1));
  } catch (e) {
    await complain(ctx, (e as Error).message);
    return 1;
  }
  const base = resolvePath(ctx.cwd, o.dir ?? '.');
  if (!o.mode) {
    await complain(ctx, 'need to specify one of -c, -x or -t');
    return 1;
  }
  if (o.mode === 'c') return createTar(ctx, o, base);
  const input = await readInput(ctx, o.file === undefined || o.file === '-' ? '-' : o.file, true);
  if (!input) {
    await complain(ctx, `can't open '${o.file}': No such file or directory`);
    return 1;
  }
  let data = input;
  if (o.gzip || (data[0] === 0x1f && data[1] === 0x8b)) {
    try {
      data = gunzipSync(data);
    } catch {
      await complain(ctx, 'invalid gzip magic');
      return 1;
    }
  }
  return o.mode === 't' ? listTar(ctx, o, data) : extractTar(ctx, o, data, base);
}

async function createTar(ctx: ProgramContext, o: TarOptions, base: string): Promise<number> {
  if (o.operands.length === 0) {
    await complain(ctx, 'empty archive');
    return 1;
  }
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  let status = 0;
  let warned = false;
  const add = async (shown: string): Promise<void> => {
    ctx.signal.throwIfAborted();
    const path = resolvePath(base, shown);
    const st = await ctx.fs.lstat(path);
    let name = shown.replace(/^\/+/, '');
    if (name !== shown && !warned) {
      warned = true;
      await complain(ctx, "removing leading '/' from member names");
    }
    if (name === '') name = '.';
    const header = { name, mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (o.verbose) await write(o.file === '-' || o.file === undefined ? ctx.stderr : ctx.stdout, `${name}${st.isDirectory() ? '/' : ''}\n`);
    if (st.isDirectory()) {
      pack.entry({ ...header, type: 'directory' });
      for (const child of await ctx.fs.readdir(path)) await add(shown.endsWith('/') ? shown + child : `${shown}/${child}`);
    } else if (st.isSymbolicLink()) {
      pack.entry({ ...header, type: 'symlink', linkname: await ctx.fs.readlink(path) });
    } else if (st.isFile()) {
      pack.entry({ ...header, type: 'file' }, await ctx.fs.readFile(path));
    }
  };
  for (const op of o.operands) {
    try {
      await add(op);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      await complain(ctx, `${op}: ${errorText(e)}`);
      status = 1;
    }
  }
  pack.finalize();
  await collected;
  let out = Buffer.concat(chunks);
  if (o.gzip) out = gzipSync(out);
  if (o.file === undefined || o.file === '-') await write(ctx.stdout, out, ctx.signal);
  else await ctx.fs.writeFile(resolvePath(ctx.cwd, o.file), out);
  return status;
}

async function* entries(data: Buffer): AsyncGenerator<{ header: tarStream.Header; body: Buffer }> {
  const extract = tarStream.extract();
  Readable.from([data]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry as AsyncIterable<Buffer>) chunks.push(c);
    yield { header: entry.header, body: Buffer.concat(chunks) };
  }
}

async function listTar(ctx: ProgramContext, o: TarOptions, data: Buffer): Promise<number> {
  for await (const { header } of entries(data)) {
    if (o.operands.length > 0 && !o.operands.some((p) => header.name === p || header.name.startsWith(`${p.replace(/\/$/, '')}/`))) continue;
    if (o.verbose) {
      const type = header.type === 'symlink' ? 'symlink' : header.type === 'directory' ? 'directory' : 'file';
      const when = (header.mtime ?? new Date(0)).toISOString().replace('T', ' ').slice(0, 19);
      const owner = `${header.uname || header.uid}/${header.gname || header.gid}`;
      const link = header.type === 'symlink' ? ` -> ${header.linkname}` : header.type === 'link' ? ` link to ${header.linkname}` : '';
      await write(ctx.stdout, `${modeString(type, header.mode ?? 0o644)} ${owner} ${String(header.size ?? 0).padStart(9)} ${when} ${header.name}${link}\n`, ctx.signal);
    } else await write(ctx.stdout, `${header.name}\n`, ctx.signal);
  }
  return 0;
}

async function extractTar(ctx: ProgramContext, o: TarOptions, data: Buffer, base: string): Promise<number> {
  let status = 0;
  for await (const { header, body } of entries(data)) {
    ctx.signal.throwIfAborted();
    const name = safeName(header.name);
    if (name === undefined) {
      await complain(ctx, `skipping '${header.name}': path escapes the target directory`);
      status = 1;
      continue;
    }
    if (o.operands.length > 0 && !o.operands.some((p) => name === safeName(p) || name.startsWith(`${safeName(p)}/`))) continue;
    if (o.verbose) await write(ctx.stdout, `${header.name}\n`, ctx.signal);
    if (o.stdout) {
      if (header.type === 'file') await write(ctx.stdout, body, ctx.signal);
      continue;
    }
    if (name === '') continue;
    const path = posix.join(base, name);
    try {
      await ctx.fs.mkdir(posix.dirname(path), { recursive: true });
      switch (header.type) {
        case 'directory':
          await ctx.fs.mkdir(path, { recursive: true, mode: header.mode ?? 0o755 });
          await ctx.fs.chmod(path, header.mode ?? 0o755);
          break;
        case 'symlink':
          await ctx.fs.rm(path, { force: true });
          await ctx.fs.symlink(header.linkname ?? '', path);
          break;
        case 'link': {
          const target = safeName(header.linkname ?? '');
          if (target === undefined) throw new Error('hard link escapes the target directory');
          await ctx.fs.rm(path, { force: true });
          await ctx.fs.link(posix.join(base, target), path);
          break;
        }
        default:
          await ctx.fs.rm(path, { force: true });
          await ctx.fs.writeFile(path, body, { mode: header.mode ?? 0o644 });
          await ctx.fs.chmod(path, header.mode ?? 0o644);
      }
      if (header.type !== 'symlink' && header.type !== 'link') {
        await ctx.fs.chown(path, header.uid ?? 0, header.gid ?? 0).catch(() => undefined);
        if (header.mtime) await ctx.fs.utimes(path, header.mtime).catch(() => undefined);
      }
    } catch (e) {
      await complain(ctx, `can't create '${name}': ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** `gzip [-c] [-d] [-k] [-f] [-1..-9] [FILE...]`; also `gunzip` and `zcat` by name. */
export async function gzip(ctx: ProgramContext): Promise<number> {
  const name = posix.basename(ctx.argv[0] ?? 'gzip');
  const flags = new Set<string>();
  const files: string[] = [];
  for (const a of ctx.argv.slice(1)) {
    if (a.startsWith('-') && a.length > 1) for (const c of a.slice(1)) flags.add(c);
    else files.push(a);
  }
  const decompress = flags.has('d') || name === 'gunzip' || name === 'zcat';
  const toStdout = flags.has('c') || name === 'zcat' || files.length === 0;
  const transform = (data: Buffer): Buffer => (decompress ? gunzipSync(data) : gzipSync(data));
  if (files.length === 0) {
    const chunks: Buffer[] = [];
    for await (const c of inputChunks(ctx)) chunks.push(c);
    try {
      await write(ctx.stdout, transform(Buffer.concat(chunks)), ctx.signal);
    } catch (e) {
      if ((e as { code?: string }).code === 'EPIPE') throw e;
      await complain(ctx, 'invalid magic');
      return 1;
    }
    return 0;
  }
  let status = 0;
  for (const file of files) {
    const path = resolvePath(ctx.cwd, file);
    if (!toStdout && decompress && !file.endsWith('.gz') && !file.endsWith('.tgz')) {
      await complain(ctx, `${file}: unknown suffix - ignored`);
      status = 1;
      continue;
    }
    let data: Buffer;
    try {
      data = await ctx.fs.readFile(path);
    } catch (e) {
      await complain(ctx, `can't open '${file}': ${errorText(e)}`);
      status = 1;
      continue;
    }
    let out: Buffer;
    try {
      out = transform(data);
    } catch {
      await complain(ctx, `${file}: invalid magic`);
      status = 1;
      continue;
    }
    if (toStdout) {
      await write(ctx.stdout, out, ctx.signal);
      continue;
    }
    const target = decompress ? path.replace(/\.gz$/, '').replace(/\.tgz$/, '.tar') : `${path}.gz`;
    const st = await ctx.fs.stat(path);
    try {
      await ctx.fs.writeFile(target, out, { mode: st.mode, ...(flags.has('f') ? {} : { flag: 'wx' as const }) });
    } catch (e) {
      await complain(ctx, `can't open '${posix.basename(target)}': ${errorText(e)}`);
      status = 1;
      continue;
    }
    if (!flags.has('k')) await ctx.fs.unlink(path);
  }
  return status;
}
