/**
 * Filesystem information applets: stat, du, df, mount. `df` and `mount` describe the
 * container's one overlay root, with plausible fixed numbers: there is no real device.
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileStats } from '../../../../fs-union/fs-api.js';
import type { ProgramContext } from '../../program.js';
import { complain, errorText, resolvePath, write } from '../io.js';
import { modeString, options, readGroups, readUsers, walk } from './common.js';

function typeName(st: FileStats): string {
  if (st.isFile()) return st.size === 0 ? 'regular empty file' : 'regular file';
  const names: Record<string, string> = { directory: 'directory', symlink: 'symbolic link', char: 'character special file', block: 'block special file', fifo: 'fifo' };
  return names[st.type] ?? 'unknown';
}

function timeText(d: Date): string {
  return `${d.toISOString().replace('T', ' ').replace('Z', '').replace(/\.(\d{3})$/, '.$1000000')} +0000`;
}

/** `stat [-L] [-c FORMAT] FILE...`. */
export async function stat(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'Lft', 'c');
  if (!opts) return 1;
  const users = new Map((await readUsers(ctx.fs)).map((u) => [u.id, u.name]));
  const groups = new Map((await readGroups(ctx.fs)).map((g) => [g.id, g.name]));
  let status = 0;
  for (const file of opts.operands) {
    const path = resolvePath(ctx.cwd, file);
    let st: FileStats;
    try {
      st = opts.flags.has('L') ? await ctx.fs.stat(path) : await ctx.fs.lstat(path);
    } catch (e) {
      await complain(ctx, `can't stat '${file}': ${errorText(e)}`);
      status = 1;
      continue;
    }
    const user = users.get(st.uid) ?? 'UNKNOWN';
    const group = groups.get(st.gid) ?? 'UNKNOWN';
    const format = opts.flags.get('c');
    if (typeof format === 'string') {
      const text = format.replace(/%([nsaAugUGFYyX%])/g, (_, c: string) => {
        switch (c) {
          case 'n': return file;
          case 's': return String(st.size);
          case 'a': return (st.mode & 0o7777).toString(8);
          case 'A': return modeString(st.type, st.mode);
          case 'u': return String(st.uid);
          case 'g': return String(st.gid);
          case 'U': return user;
          case 'G': return group;
          case 'F': return typeName(st);
          case 'Y': case 'X': return String(Math.floor(st.mtime.getTime() / 1000));
          case 'y': return timeText(st.mtime);
          default: return '%';
        }
      });
      await write(ctx.stdout, `${text}\n`, ctx.signal);
      continue;
    }
    let name = file;
    if (st.isSymbolicLink()) name = `'${file}' -> '${await ctx.fs.readlink(path)}'`;
    const t = timeText(st.mtime);
    await write(
      ctx.stdout,
      `  File: ${name}\n` +
        `  Size: ${String(st.size).padEnd(10)}\tBlocks: ${String(Math.ceil(st.size / 4096) * 8).padEnd(10)} IO Block: 4096   ${typeName(st)}\n` +
        `Device: 2dh/45d\tInode: 1           Links: ${st.nlink}\n` +
        `Access: (${(st.mode & 0o7777).toString(8).padStart(4, '0')}/${modeString(st.type, st.mode)})  Uid: (${String(st.uid).padStart(5)}/${user.padStart(8)})   Gid: (${String(st.gid).padStart(5)}/${group.padStart(8)})\n` +
        `Access: ${t}\nModify: ${t}\nChange: ${t}\n`,
      ctx.signal,
    );
  }
  return status;
}

/** `du [-s] [-k] [-h] [-a] [FILE...]` in 1K blocks. */
export async function du(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'skhaxmcL', 'd');
  if (!opts) return 1;
  const operands = opts.operands.length > 0 ? opts.operands : ['.'];
  const human = opts.flags.has('h');
  const fmt = (kb: number): string => (human ? (kb < 1024 ? `${kb}.0K` : `${(kb / 1024).toFixed(1)}M`) : String(kb));
  let status = 0;
  for (const op of operands) {
    const root = resolvePath(ctx.cwd, op);
    const totals = new Map<string, number>();
    try {
      const order: string[] = [];
      for await (const { path } of walk(ctx.fs, root)) {
        ctx.signal.throwIfAborted();
        const st = await ctx.fs.lstat(path);
        const kb = st.isDirectory() ? 4 : Math.ceil(st.size / 4096) * 4;
        for (let p = path; ; p = posix.dirname(p)) {
          totals.set(p, (totals.get(p) ?? 0) + kb);
          if (p === root || p === '/') break;
        }
        if (st.isDirectory() || opts.flags.has('a')) order.push(path);
      }
      const shown = (p: string): string => (p === root ? op : posix.join(op, posix.relative(root, p)));
      const lines = opts.flags.has('s') ? [root] : order.reverse();
      for (const p of lines) await write(ctx.stdout, `${fmt(totals.get(p) ?? 0)}\t${shown(p)}\n`, ctx.signal);
    } catch (e) {
      await complain(ctx, `${op}: ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** `df [-h] [-k] [-T]`: the container's root as one overlay filesystem. */
export async function df(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'hkTPam', 't');
  if (!opts) return 1;
  const rows: [string, number, number, string][] = [
    ['overlay', 61255492, 8765432, '/'],
    ['tmpfs', 65536, 0, '/dev'],
    ['shm', 65536, 0, '/dev/shm'],
  ];
  const human = opts.flags.has('h');
  const size = (kb: number): string => (human ? (kb >= 1048576 ? `${(kb / 1048576).toFixed(1)}G` : kb >= 1024 ? `${(kb / 1024).toFixed(1)}M` : `${kb}K`) : String(kb));
  let text = `Filesystem           ${human ? '     Size' : '1K-blocks'}      Used Available Use% Mounted on\n`;
  for (const [fsName, total, used, mount] of rows) {
    const avail = total - used;
    const pct = total === 0 ? 0 : Math.ceil((used * 100) / total);
    text += `${fsName.padEnd(20)} ${size(total).padStart(9)} ${size(used).padStart(9)} ${size(avail).padStart(9)} ${`${pct}%`.padStart(4)} ${mount}\n`;
  }
  await write(ctx.stdout, text, ctx.signal);
  return 0;
}

/** `mount` with no arguments: lists the container's mounts. Mounting is not supported. */
export async function mount(ctx: ProgramContext): Promise<number> {
  if (ctx.argv.length > 1 && !ctx.argv.slice(1).every((a) => a.startsWith('-'))) {
    await complain(ctx, 'permission denied (are you root?)');
    return 255;
  }
  await write(
    ctx.stdout,
    'overlay on / type overlay (rw,relatime)\n' +
      'proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)\n' +
      'tmpfs on /dev type tmpfs (rw,nosuid,size=65536k,mode=755)\n' +
      'sysfs on /sys type sysfs (ro,nosuid,nodev,noexec,relatime)\n' +
      'shm on /dev/shm type tmpfs (rw,nosuid,nodev,noexec,relatime,size=65536k)\n',
    ctx.signal,
  );
  return 0;
}
