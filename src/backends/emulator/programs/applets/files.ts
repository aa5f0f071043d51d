/**
 * File applets: cat, mkdir, rm, rmdir, cp, mv, ln, touch, chmod, chown.
 *
 * @module
 */
import { posix } from 'node:path';
import type { FileSystemApi } from '../../../../fs-union/fs-api.js';
import type { ProgramContext } from '../../program.js';
import { complain, errorText, readFileOf, resolvePath, write } from '../io.js';
import { inputChunks } from './input.js';
import { currentIds, options, readGroups, readUsers } from './common.js';

/** `cat [FILE...]` (`-` is stdin). */
export async function cat(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'nbeuvAET');
  if (!opts) return 1;
  const files = opts.operands.length > 0 ? opts.operands : ['-'];
  let status = 0;
  for (const file of files) {
    if (file === '-') {
      for await (const chunk of inputChunks(ctx)) await write(ctx.stdout, chunk, ctx.signal);
      continue;
    }
    try {
      const st = await ctx.fs.stat(resolvePath(ctx.cwd, file)).catch(() => undefined);
      if (st?.isDirectory()) {
        await complain(ctx, `read error: Is a directory`);
        status = 1;
        continue;
      }
      const data = await readFileOf(ctx, file);
      await write(ctx.stdout, data, ctx.signal);
    } catch (e) {
      if ((e as { code?: string }).code === 'EPIPE') throw e;
      await complain(ctx, `can't open '${file}': ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** `mkdir [-p] [-m MODE] DIR...`. */
export async function mkdir(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'pv', 'm');
  if (!opts) return 1;
  const modeArg = opts.flags.get('m');
  const mode = typeof modeArg === 'string' ? applyMode(0o777 & ~0o022, modeArg) : undefined;
  let status = 0;
  for (const dir of opts.operands) {
    const path = resolvePath(ctx.cwd, dir);
    try {
      if (opts.flags.has('p')) {
        const st = await ctx.fs.stat(path).catch(() => undefined);
        if (st && !st.isDirectory()) throw Object.assign(new Error('File exists'), { code: 'EEXIST' });
        await ctx.fs.mkdir(path, { recursive: true, ...(mode !== undefined ? { mode } : {}) });
      } else await ctx.fs.mkdir(path, mode !== undefined ? { mode } : {});
      if (mode !== undefined) await ctx.fs.chmod(path, mode);
      const owner = currentIds(ctx);
      if (owner.uid !== 0 || owner.gid !== 0) await ctx.fs.chown(path, owner.uid, owner.gid);
    } catch (e) {
      await complain(ctx, `can't create directory '${dir}': ${errorText(e)}`);
      status = 1;
    }
  }
  if (opts.operands.length === 0) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  return status;
}

/** `rm [-rRf] FILE...`. */
export async function rm(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'rRfiv');
  if (!opts) return 1;
  const recursive = opts.flags.has('r') || opts.flags.has('R');
  const force = opts.flags.has('f');
  let status = 0;
  for (const file of opts.operands) {
    const path = resolvePath(ctx.cwd, file);
    try {
      const st = await ctx.fs.lstat(path);
      if (st.isDirectory() && !recursive) {
        await complain(ctx, `'${file}' is a directory`);
        status = 1;
        continue;
      }
      await ctx.fs.rm(path, { recursive, force });
    } catch (e) {
      if (force && (e as { code?: string }).code === 'ENOENT') continue;
      await complain(ctx, `can't remove '${file}': ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** `rmdir [-p] DIR...`. */
export async function rmdir(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'p');
  if (!opts) return 1;
  let status = 0;
  for (const dir of opts.operands) {
    let path = resolvePath(ctx.cwd, dir);
    try {
      await ctx.fs.rmdir(path);
      if (opts.flags.has('p')) {
        for (path = posix.dirname(path); path !== '/'; path = posix.dirname(path)) await ctx.fs.rmdir(path);
      }
    } catch (e) {
      await complain(ctx, `'${dir}': ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

async function isDir(fs: FileSystemApi, path: string): Promise<boolean> {
  return fs.stat(path).then((s) => s.isDirectory(), () => false);
}

async function copy(fs: FileSystemApi, from: string, to: string, recursive: boolean, preserve: boolean, top: boolean, owner: { uid: number; gid: number }): Promise<void> {
  const st = top && !preserve ? await fs.stat(from) : await fs.lstat(from);
  if (st.isSymbolicLink()) {
    await fs.rm(to, { force: true });
    await fs.symlink(await fs.readlink(from), to);
    return;
  }
  if (st.isDirectory()) {
    if (!recursive) throw Object.assign(new Error(`omitting directory`), { code: 'OMIT' });
    if (!(await isDir(fs, to))) await fs.mkdir(to, { mode: st.mode });
    for (const name of await fs.readdir(from)) await copy(fs, posix.join(from, name), posix.join(to, name), recursive, preserve, false, owner);
  } else {
    await fs.writeFile(to, await fs.readFile(from), { mode: st.mode, ...owner });
    await fs.chmod(to, st.mode);
  }
  if (preserve) {
    await fs.chown(to, st.uid, st.gid);
    await fs.utimes(to, st.mtime);
  }
}

/** `cp [-rRapdf] SRC... DEST`. */
export async function cp(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'rRapdfPLiuvn');
  if (!opts) return 1;
  const recursive = ['r', 'R', 'a'].some((f) => opts.flags.has(f));
  const preserve = opts.flags.has('a') || opts.flags.has('p');
  return transfer(ctx, opts.operands, async (from, to, name) => {
    try {
      await copy(ctx.fs, from, to, recursive, preserve, true, currentIds(ctx));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'OMIT') await complain(ctx, `omitting directory '${name}'`);
      else if (code === 'ENOENT' && !(await ctx.fs.lstat(from).then(() => true, () => false))) await complain(ctx, `can't stat '${name}': No such file or directory`);
      else await complain(ctx, `can't create '${to}': ${errorText(e)}`);
      return false;
    }
    return true;
  });
}

/** `mv SRC... DEST`. */
export async function mv(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'finvT');
  if (!opts) return 1;
  return transfer(ctx, opts.operands, async (from, to, name) => {
    try {
      await ctx.fs.lstat(from);
      if (await isDir(ctx.fs, to)) await ctx.fs.rm(to, { recursive: false }).catch(() => undefined);
      await ctx.fs.rename(from, to);
      return true;
    } catch (e) {
      await complain(ctx, `can't rename '${name}': ${errorText(e)}`);
      return false;
    }
  });
}

async function transfer(ctx: ProgramContext, operands: string[], one: (from: string, to: string, name: string) => Promise<boolean>): Promise<number> {
  if (operands.length < 2) {
    await complain(ctx, operands.length === 0 ? 'missing file operand' : `missing destination file operand after '${operands[0]}'`);
    return 1;
  }
  const dest = resolvePath(ctx.cwd, operands[operands.length - 1]!);
  const sources = operands.slice(0, -1);
  const intoDir = await isDir(ctx.fs, dest);
  if (sources.length > 1 && !intoDir) {
    await complain(ctx, `'${operands[operands.length - 1]}' is not a directory`);
    return 1;
  }
  let status = 0;
  for (const src of sources) {
    const from = resolvePath(ctx.cwd, src);
    const to = intoDir ? posix.join(dest, posix.basename(from)) : dest;
    if (!(await one(from, to, src))) status = 1;
  }
  return status;
}

/** `ln [-sfn] TARGET [LINK]` or `ln [-sf] TARGET... DIR`. */
export async function ln(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'sfnvT');
  if (!opts) return 1;
  const ops = opts.operands;
  if (ops.length === 0) {
    await complain(ctx, 'missing file operand');
    return 1;
  }
  const targets = ops.length === 1 ? ops : ops.slice(0, -1);
  const lastArg = ops.length === 1 ? '.' : ops[ops.length - 1]!;
  const last = resolvePath(ctx.cwd, lastArg);
  const intoDir = !opts.flags.has('n') && (await isDir(ctx.fs, last));
  let status = 0;
  for (const target of targets) {
    const link = intoDir ? posix.join(last, posix.basename(target)) : last;
    try {
      if (opts.flags.has('f')) await ctx.fs.rm(link, { force: true });
      if (opts.flags.has('s')) await ctx.fs.symlink(target, link);
      else await ctx.fs.link(resolvePath(ctx.cwd, target), link);
    } catch (e) {
      await complain(ctx, `${intoDir ? posix.join(lastArg, posix.basename(target)) : lastArg}: ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** `touch [-c] FILE...`. */
export async function touch(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'cahm', 'dtr');
  if (!opts) return 1;
  let status = 0;
  const dateArg = opts.flags.get('d');
  const when = typeof dateArg === 'string' && !Number.isNaN(Date.parse(dateArg)) ? new Date(dateArg) : new Date();
  for (const file of opts.operands) {
    const path = resolvePath(ctx.cwd, file);
    try {
      const exists = await ctx.fs.stat(path).then(() => true, () => false);
      if (!exists) {
        if (opts.flags.has('c')) continue;
        await ctx.fs.writeFile(path, '', { flag: 'wx', ...currentIds(ctx) });
      }
      await ctx.fs.utimes(path, when);
    } catch (e) {
      await complain(ctx, `${file}: ${errorText(e)}`);
      status = 1;
    }
  }
  return status;
}

/** Applies an octal or symbolic (`u+x,go-w`, `a=rX`) mode to `current`. */
export function applyMode(current: number, spec: string, isDirectory = false): number {
  if (/^[0-7]{1,4}$/.test(spec)) return parseInt(spec, 8);
  let mode = current;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!m) throw new Error(`invalid mode '${spec}'`);
    const who = m[1] === '' || m[1]!.includes('a') ? 'ugo' : m[1]!;
    let bits = 0;
    for (const p of m[3]!) {
      for (const w of who) {
        const shift = w === 'u' ? 6 : w === 'g' ? 3 : 0;
        if (p === 'r') bits |= 4 << shift;
        if (p === 'w') bits |= 2 << shift;
        if (p === 'x' || (p === 'X' && (isDirectory || (current & 0o111) !== 0))) bits |= 1 << shift;
        if (p === 's' && w === 'u') bits |= 0o4000;
        if (p === 's' && w === 'g') bits |= 0o2000;
        if (p === 't') bits |= 0o1000;
      }
    }
    if (m[2] === '+') mode |= bits;
    else if (m[2] === '-') mode &= ~bits;
    else {
      let clear = 0;
      for (const w of who) clear |= w === 'u' ? 0o4700 : w === 'g' ? 0o2070 : 0o1007;
      mode = (mode & ~clear) | bits;
    }
  }
  return mode & 0o7777;
}

async function eachPath(ctx: ProgramContext, paths: string[], recursive: boolean, fn: (path: string, name: string) => Promise<void>): Promise<number> {
  let status = 0;
  const visit = async (path: string, name: string, top: boolean): Promise<void> => {
    try {
      await fn(path, name);
      if (recursive) {
        const st = await ctx.fs.lstat(path);
        if (st.isDirectory()) for (const child of await ctx.fs.readdir(path)) await visit(posix.join(path, child), posix.join(name, child), false);
      }
    } catch (e) {
      if (top || (e as { code?: string }).code !== 'ENOENT') {
        await complain(ctx, `${name}: ${errorText(e)}`);
        status = 1;
      }
    }
  };
  for (const p of paths) await visit(resolvePath(ctx.cwd, p), p, true);
  return status;
}

/** `chmod [-R] MODE FILE...`. */
export async function chmod(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  const recursive = args[0] === '-R';
  if (recursive) args.shift();
  const [spec, ...files] = args;
  if (spec === undefined || files.length === 0) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  try {
    applyMode(0, spec);
  } catch {
    await complain(ctx, `invalid mode '${spec}'`);
    return 1;
  }
  return eachPath(ctx, files, recursive, async (path) => {
    const st = await ctx.fs.stat(path);
    await ctx.fs.chmod(path, applyMode(st.mode, spec, st.isDirectory()));
  });
}

/** `chown [-Rh] USER[:GROUP] FILE...` (names from /etc/passwd and /etc/group, or numbers). */
export async function chown(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'RhfLHP');
  if (!opts) return 1;
  const [spec, ...files] = opts.operands;
  if (spec === undefined || files.length === 0) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  const [userPart, groupPart] = spec.split(/[:.]/, 2);
  const users = await readUsers(ctx.fs);
  const groups = await readGroups(ctx.fs);
  const uid = userPart ? (/^\d+$/.test(userPart) ? Number(userPart) : users.find((u) => u.name === userPart)?.id) : undefined;
  const gid = groupPart ? (/^\d+$/.test(groupPart) ? Number(groupPart) : groups.find((g) => g.name === groupPart)?.id) : undefined;
  if (userPart && uid === undefined) {
    await complain(ctx, `unknown user ${userPart}`);
    return 1;
  }
  if (groupPart && gid === undefined) {
    await complain(ctx, `unknown group ${groupPart}`);
    return 1;
  }
  return eachPath(ctx, files, opts.flags.has('R'), async (path) => {
    const st = await ctx.fs.stat(path);
    await ctx.fs.chown(path, uid ?? st.uid, gid ?? st.gid);
  });
}
