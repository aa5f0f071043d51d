/**
 * Small applets about the process and the system: env, hostname, sleep, yes, seq, basename,
 * dirname, whoami, id, uname, date, kill, ps, true, false, pwd.
 *
 * @module
 */
import { posix } from 'node:path';
import type { ProgramContext } from '../../program.js';
import { complain, write } from '../io.js';
import { currentGroups, currentIds, readGroups, readUsers } from './common.js';

/** `env [-i] [-u NAME] [NAME=VALUE...] [CMD [ARG...]]`. */
export async function env(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let vars: Record<string, string> = { ...ctx.env };
  while (args.length > 0) {
    const a = args[0]!;
    if (a === '-i' || a === '-') vars = {};
    else if (a === '-u') {
      args.shift();
      delete vars[args[0] ?? ''];
    } else if (a.includes('=') && !a.startsWith('=')) {
      const eq = a.indexOf('=');
      vars[a.slice(0, eq)] = a.slice(eq + 1);
    } else break;
    args.shift();
  }
  if (args.length > 0) return ctx.exec(args, { env: vars, stdin: ctx.stdin });
  await write(ctx.stdout, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''), ctx.signal);
  return 0;
}

/** `hostname [-s] [-f] [-i]`. Setting the name is refused, as for an unprivileged container. */
export async function hostname(ctx: ProgramContext): Promise<number> {
  const arg = ctx.argv[1];
  if (arg === '-i') {
    const ip = await ctx.net.resolve(ctx.hostname).catch(() => '127.0.0.1');
    await write(ctx.stdout, `${ip}\n`, ctx.signal);
    return 0;
  }
  if (arg !== undefined && !arg.startsWith('-')) {
    await complain(ctx, 'sethostname: Operation not permitted');
    return 1;
  }
  await write(ctx.stdout, `${arg === '-s' ? ctx.hostname.split('.')[0] : ctx.hostname}\n`, ctx.signal);
  return 0;
}

/** Parses a `sleep` duration (`1.5`, `2m`, `1h`, `inf`) in milliseconds. */
export function parseDuration(text: string): number | undefined {
  if (text === 'inf' || text === 'infinity') return Infinity;
  const m = /^(\d*\.?\d+)([smhd]?)$/.exec(text);
  if (!m) return undefined;
  const scale = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!]!;
  return Number(m[1]) * scale;
}

/** `sleep DURATION...` through `ctx.sleep`, so it ends at once when the program is killed. */
export async function sleep(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  if (args.length === 0) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  let total = 0;
  for (const a of args) {
    const ms = parseDuration(a);
    if (ms === undefined) {
      await complain(ctx, `invalid number '${a}'`);
      return 1;
    }
    total += ms;
  }
  ctx.signal.throwIfAborted();
  // Long sleeps are cut into slices so timers stay within setTimeout's range.
  while (total > 0) {
    const slice = Math.min(total, 2 ** 30);
    await ctx.sleep(slice);
    total -= slice;
  }
  return 0;
}

/** `yes [STRING]`: bounded by backpressure, ends on EPIPE or the signal. */
export async function yes(ctx: ProgramContext): Promise<number> {
  const line = `${ctx.argv.length > 1 ? ctx.argv.slice(1).join(' ') : 'y'}\n`;
  const block = Buffer.from(line.repeat(Math.max(1, Math.floor(65536 / line.length))));
  for (;;) {
    ctx.signal.throwIfAborted();
    // Let other programs run even when the reader keeps up.
    const wait = ctx.checkpoint();
    if (wait) await wait;
    await write(ctx.stdout, block, ctx.signal);
  }
}

/** `seq [-s SEP] [-w] [FIRST [INCR]] LAST`. */
export async function seq(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let sep = '\n';
  let widthPad = false;
  while (args[0] !== undefined && /^-[sw]/.test(args[0])) {
    const a = args.shift()!;
    if (a === '-w') widthPad = true;
    else sep = a.length > 2 ? a.slice(2) : (args.shift() ?? '\n');
  }
  const nums = args.map(Number);
  if (nums.length === 0 || nums.length > 3 || nums.some((n) => Number.isNaN(n))) {
    await complain(ctx, nums.length === 0 ? 'missing operand' : `invalid number '${args.find((a) => Number.isNaN(Number(a)))}'`);
    return 1;
  }
  const [first, incr, last] = nums.length === 1 ? [1, 1, nums[0]!] : nums.length === 2 ? [nums[0]!, 1, nums[1]!] : [nums[0]!, nums[1]!, nums[2]!];
  if (incr === 0) return 1;
  const decimals = Math.max(...args.map((a) => (a.includes('.') ? a.split('.')[1]!.length : 0)));
  // Streamed, 1,000 numbers a write: `seq 1 1000000000` must not be built in memory first.
  // Each value is FIRST + k * INCR, so no rounding error piles up over a long run.
  const count = Math.floor((last - first) / incr + 1e-9) + 1;
  const format = (k: number): string => (first + k * incr).toFixed(decimals);
  // The widest value is one of the ends (the sequence is monotonic).
  const width = widthPad && count > 0 ? Math.max(format(0).length, format(count - 1).length) : 0;
  for (let k = 0; k < count; k += 1000) {
    const wait = ctx.checkpoint();
    if (wait) await wait;
    const items: string[] = [];
    for (let j = k; j < Math.min(count, k + 1000); j++) items.push(format(j).padStart(width, '0'));
    await write(ctx.stdout, items.join(sep) + (k + 1000 >= count ? '\n' : sep), ctx.signal);
  }
  return 0;
}

/** `basename PATH [SUFFIX]`. */
export async function basename(ctx: ProgramContext): Promise<number> {
  const [path, suffix] = ctx.argv.slice(1);
  if (path === undefined) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  let base = path === '/' ? '/' : posix.basename(path.replace(/\/+$/, '') || '/');
  if (suffix && base !== suffix && base.endsWith(suffix)) base = base.slice(0, -suffix.length);
  await write(ctx.stdout, `${base}\n`, ctx.signal);
  return 0;
}

/** `dirname PATH`. */
export async function dirname(ctx: ProgramContext): Promise<number> {
  const path = ctx.argv[1];
  if (path === undefined) {
    await complain(ctx, 'missing operand');
    return 1;
  }
  await write(ctx.stdout, `${posix.dirname(path.replace(/(.)\/+$/, '$1'))}\n`, ctx.signal);
  return 0;
}

/** `whoami`. */
export async function whoami(ctx: ProgramContext): Promise<number> {
  const { uid } = currentIds(ctx);
  const user = (await readUsers(ctx.fs)).find((u) => u.id === uid);
  if (!user) {
    await complain(ctx, `unknown uid ${uid}`);
    return 1;
  }
  await write(ctx.stdout, `${user.name}\n`, ctx.signal);
  return 0;
}

/** `id [-u] [-g] [-G] [-n] [USER]` from /etc/passwd and /etc/group. */
export async function id(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  const flags = new Set(args.filter((a) => a.startsWith('-')).flatMap((a) => [...a.slice(1)]));
  const who = args.find((a) => !a.startsWith('-'));
  const users = await readUsers(ctx.fs);
  const groups = await readGroups(ctx.fs);
  let uid: number;
  let gid: number;
  if (who !== undefined) {
    const u = users.find((x) => x.name === who) ?? (/^\d+$/.test(who) ? users.find((x) => x.id === Number(who)) : undefined);
    if (!u) {
      await complain(ctx, `unknown user ${who}`);
      return 1;
    }
    uid = u.id;
    gid = u.gid ?? u.id;
  } else ({ uid, gid } = currentIds(ctx));
  const uname = users.find((u) => u.id === uid)?.name;
  const gname = groups.find((g) => g.id === gid)?.name;
  const n = flags.has('n');
  let text: string;
  if (flags.has('u')) text = n ? (uname ?? String(uid)) : String(uid);
  else if (flags.has('g') || flags.has('G')) text = n ? (gname ?? String(gid)) : String(gid);
  else {
    // As busybox: the primary group, then every group that lists the user as a member.
    const label = (g: number) => `${g}${groups.find((x) => x.id === g) ? `(${groups.find((x) => x.id === g)!.name})` : ''}`;
    const supplementary = groups.filter((g) => uname !== undefined && g.members?.includes(uname) && g.id !== gid).map((g) => g.id);
    // The process's own list when the emulator gave one (a build step); busybox prints no
    // `groups=` when it is empty.
    const all = (who === undefined ? currentGroups(ctx) : undefined) ?? [gid, ...supplementary];
    text = `uid=${uid}${uname ? `(${uname})` : ''} gid=${gid}${gname ? `(${gname})` : ''}${all.length > 0 ? ` groups=${all.map(label).join(',')}` : ''}`;
  }
  await write(ctx.stdout, `${text}\n`, ctx.signal);
  return 0;
}

/** `uname [-asnrvmpio]`. */
export async function uname(ctx: ProgramContext): Promise<number> {
  const flags = new Set(ctx.argv.slice(1).flatMap((a) => [...a.replace(/^-/, '')]));
  const fields: [string, string][] = [
    ['s', 'Linux'], ['n', ctx.hostname], ['r', '6.1.0-stowage'], ['v', '#1 SMP PREEMPT_DYNAMIC'], ['m', 'x86_64'], ['o', 'GNU/Linux'],
  ];
  const all = flags.has('a');
  const chosen = fields.filter(([f]) => all || flags.has(f));
  const text = (chosen.length > 0 ? chosen : [fields[0]!]).map(([, v]) => v).join(' ');
  await write(ctx.stdout, `${text}\n`, ctx.signal);
  return 0;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats a date with the strftime conversions scripts use (UTC, as containers default to). */
export function strftime(format: string, d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return format.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'Y': return String(d.getUTCFullYear());
      case 'y': return p(d.getUTCFullYear() % 100);
      case 'm': return p(d.getUTCMonth() + 1);
      case 'd': return p(d.getUTCDate());
      case 'e': return String(d.getUTCDate()).padStart(2, ' ');
      case 'H': return p(d.getUTCHours());
      case 'M': return p(d.getUTCMinutes());
      case 'S': return p(d.getUTCSeconds());
      case 'N': return p(d.getUTCMilliseconds(), 3) + '000000';
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'a': return DAYS[d.getUTCDay()]!;
      case 'b': case 'h': return MONTHS[d.getUTCMonth()]!;
      case 'j': return p(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3);
      case 'Z': return 'UTC';
      case 'z': return '+0000';
      case 'F': return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
      case 'T': return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
      case 'D': return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCFullYear() % 100)}`;
      case 'n': return '\n';
      case 't': return '\t';
      case '%': return '%';
      default: return all;
    }
  });
}

/** `date [-u] [-d DATE] [-I] [-R] [+FORMAT]`. */
export async function date(ctx: ProgramContext): Promise<number> {
  const args = ctx.argv.slice(1);
  let when = new Date();
  let format = '%a %b %e %H:%M:%S %Z %Y';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-u' || a === '--utc') continue;
    if (a === '-d' || a === '-D') {
      const v = args[++i] ?? '';
      const parsed = v.startsWith('@') ? new Date(Number(v.slice(1)) * 1000) : new Date(v);
      if (Number.isNaN(parsed.getTime())) {
        await complain(ctx, `invalid date '${v}'`);
        return 1;
      }
      when = parsed;
    } else if (a === '-I') format = '%F';
    else if (a === '-R') format = '%a, %d %b %Y %H:%M:%S +0000';
    else if (a.startsWith('+')) format = a.slice(1);
    else {
      await complain(ctx, 'setting the date is not permitted');
      return 1;
    }
  }
  await write(ctx.stdout, `${strftime(format, when)}\n`, ctx.signal);
  return 0;
}

/** `kill`: signalling pids is not supported in the emulator; `-l` lists signal names. */
export async function kill(ctx: ProgramContext): Promise<number> {
  if (ctx.argv[1] === '-l') {
    await write(ctx.stdout, 'HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM\n', ctx.signal);
    return 0;
  }
  const pids = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  for (const pid of pids) await complain(ctx, `can't kill pid ${pid}: Operation not supported`);
  if (pids.length === 0) await complain(ctx, 'usage: kill [-SIGNAL] PID...');
  return 1;
}

/**
 * `ps`: the emulator has no process table; shows PID 1 with the command in `STOWAGE_CMDLINE`
 * when the engine sets it, and `ps` itself.
 */
export async function ps(ctx: ProgramContext): Promise<number> {
  const init = ctx.env['STOWAGE_CMDLINE'];
  let text = 'PID   USER     TIME  COMMAND\n';
  if (init) text += `    1 root      0:00 ${init}\n`;
  text += `    ${init ? 2 : 1} root      0:00 ${ctx.argv.join(' ')}\n`;
  await write(ctx.stdout, text, ctx.signal);
  return 0;
}

/** `pwd`. */
export async function pwd(ctx: ProgramContext): Promise<number> {
  await write(ctx.stdout, `${ctx.cwd}\n`, ctx.signal);
  return 0;
}
