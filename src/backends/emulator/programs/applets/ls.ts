/**
 * `ls` with busybox's flags and long format (`-rw-r--r--    1 root     root  12 Jan  1 00:00 f`).
 * Output is one name per line, as busybox prints when stdout is not a terminal.
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileStats } from '../../../../fs-union/fs-api.js';
import type { ProgramContext } from '../../program.js';
import { complain, errorText, resolvePath, write } from '../io.js';
import { modeString, options, readGroups, readUsers } from './common.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats an mtime as `ls -l` does: time for recent files, year for old ones. */
export function lsDate(mtime: Date, now = new Date()): string {
  const day = String(mtime.getUTCDate()).padStart(2, ' ');
  const month = MONTHS[mtime.getUTCMonth()]!;
  const recent = Math.abs(now.getTime() - mtime.getTime()) < 182 * 24 * 3600 * 1000;
  const tail = recent
    ? `${String(mtime.getUTCHours()).padStart(2, '0')}:${String(mtime.getUTCMinutes()).padStart(2, '0')}`
    : ` ${mtime.getUTCFullYear()}`;
  return `${month} ${day} ${tail}`;
}

function humanSize(n: number): string {
  if (n < 1024) return String(n);
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
}

/** `ls [-1alAdRhFrtSin] [FILE...]`. */
export async function ls(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, '1alAdRhFrtSinpeC');
  if (!opts) return 1;
  const f = (c: string): boolean => opts.flags.has(c);
  const long = f('l') || f('n');
  const users = new Map((await readUsers(ctx.fs)).map((u) => [u.id, u.name]));
  const groups = new Map((await readGroups(ctx.fs)).map((g) => [g.id, g.name]));
  const out: string[] = [];
  let status = 0;

  const line = async (name: string, path: string, st: FileStats): Promise<string> => {
    let shown = name;
    if (f('F') || f('p')) {
      if (st.isDirectory()) shown += '/';
      else if (f('F') && st.isSymbolicLink()) shown += '@';
      else if (f('F') && st.isFile() && st.mode & 0o111) shown += '*';
    }
    if (!long) return `${f('i') ? '      1 ' : ''}${shown}`;
    const user = f('n') ? String(st.uid) : (users.get(st.uid) ?? String(st.uid));
    const group = f('n') ? String(st.gid) : (groups.get(st.gid) ?? String(st.gid));
    const size = st.type === 'char' || st.type === 'block' ? `${st.devMajor ?? 0}, ${st.devMinor ?? 0}` : f('h') ? humanSize(st.size) : String(st.size);
    let text = `${modeString(st.type, st.mode)} ${String(st.nlink).padStart(4)} ${user.padEnd(8)} ${group.padEnd(8)} ${size.padStart(9)} ${lsDate(st.mtime)} ${shown}`;
    if (st.isSymbolicLink()) text += ` -> ${await ctx.fs.readlink(path).catch(() => '?')}`;
    return text;
  };

  const sortEntries = (entries: { name: string; st: FileStats }[]): void => {
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (f('t')) entries.sort((a, b) => b.st.mtime.getTime() - a.st.mtime.getTime());
    if (f('S')) entries.sort((a, b) => b.st.size - a.st.size);
    if (f('r')) entries.reverse();
  };

  const listDir = async (dir: string, shownDir: string, header: boolean): Promise<void> => {
    const names = await ctx.fs.readdir(dir);
    const entries: { name: string; st: FileStats }[] = [];
    if (f('a')) {
      entries.push({ name: '.', st: await ctx.fs.stat(dir) });
      entries.push({ name: '..', st: await ctx.fs.stat(posix.dirname(dir)) });
    }
    for (const name of names) {
      if (name.startsWith('.') && !f('a') && !f('A')) continue;
      ctx.signal.throwIfAborted();
      entries.push({ name, st: await ctx.fs.lstat(posix.join(dir, name)) });
    }
    sortEntries(entries);
    if (header) out.push(`${shownDir}:`);
    if (long) {
      const blocks = entries.reduce((sum, e) => sum + (e.st.isFile() || e.st.isDirectory() ? Math.ceil(e.st.size / 4096) * 4 : 0), 0);
      out.push(`total ${blocks}`);
    }
    for (const e of entries) out.push(await line(e.name, posix.join(dir, e.name), e.st));
    if (f('R')) {
      for (const e of entries) {
        if (e.name === '.' || e.name === '..' || !e.st.isDirectory()) continue;
        out.push('');
        await listDir(posix.join(dir, e.name), shownDir === '.' && !header ? `./${e.name}` : posix.join(shownDir, e.name), true);
      }
    }
  };

  const operands = opts.operands.length > 0 ? opts.operands : ['.'];
  const files: { name: string; st: FileStats }[] = [];
  const dirs: string[] = [];
  for (const op of operands) {
    const path = resolvePath(ctx.cwd, op);
    try {
      const lst = await ctx.fs.lstat(path);
      const st = lst.isSymbolicLink() && !long && !f('d') ? await ctx.fs.stat(path).catch(() => lst) : lst;
      if (st.isDirectory() && !f('d')) dirs.push(op);
      else files.push({ name: op, st });
    } catch (e) {
      await complain(ctx, `${op}: ${errorText(e)}`);
      status = 1;
    }
  }
  sortEntries(files);
  for (const file of files) out.push(await line(file.name, resolvePath(ctx.cwd, file.name), file.st));
  dirs.sort();
  const headers = operands.length > 1 || f('R');
  for (let i = 0; i < dirs.length; i++) {
    if (out.length > 0) out.push('');
    await listDir(resolvePath(ctx.cwd, dirs[i]!), dirs[i]!, headers);
  }
  if (out.length > 0) await write(ctx.stdout, `${out.join('\n')}\n`, ctx.signal);
  return status;
}
