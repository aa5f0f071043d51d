/**
 * `nslookup` and `uptime`, printed the way Debian's busybox 1.35 prints them inside a Docker
 * container (checked against a real engine).
 *
 * @module
 */
import { loadavg, uptime as hostUptime } from 'node:os';
import type { ProgramContext } from '../../program.js';
import { complain, write } from '../io.js';

/** The first `nameserver` of the container's /etc/resolv.conf (Docker's embedded DNS by default). */
async function nameserver(ctx: ProgramContext): Promise<string> {
  try {
    const text = (await ctx.fs.readFile('/etc/resolv.conf')).toString('utf8');
    return /^\s*nameserver\s+(\S+)/m.exec(text)?.[1] ?? '127.0.0.11';
  } catch {
    return '127.0.0.11';
  }
}

/**
 * `nslookup HOST [SERVER]`: the A answer from the container's resolver, then the empty AAAA
 * answer, as busybox asks both; an unknown name is NXDOMAIN with status 1.
 */
export async function nslookup(ctx: ProgramContext): Promise<number> {
  const [host, server] = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (host === undefined) {
    await complain(ctx, 'usage: nslookup HOST [DNS_SERVER]');
    return 1;
  }
  const ns = server ?? (await nameserver(ctx));
  let text = `Server:\t\t${ns}\nAddress:\t${ns}:53\n\n`;
  let ip: string | undefined;
  try {
    ip = await ctx.net.resolve(host);
  } catch {
    ip = undefined;
  }
  if (ip === undefined) {
    text += `** server can't find ${host}: NXDOMAIN\n\n** server can't find ${host}: NXDOMAIN\n\n`;
    await write(ctx.stdout, text, ctx.signal);
    return 1;
  }
  text += `Non-authoritative answer:\nName:\t${host}\nAddress: ${ip}\n\nNon-authoritative answer:\n\n`;
  await write(ctx.stdout, text, ctx.signal);
  return 0;
}

/**
 * `uptime`: the host's, since a container shares the host's kernel clock, in busybox's format
 * (` 04:52:48 up  1:48,  0 users,  load average: 1.28, 1.72, 1.68`).
 */
export async function uptime(ctx: ProgramContext): Promise<number> {
  const now = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  const seconds = Math.floor(hostUptime());
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  let up = days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  up += hours > 0 ? `${String(hours).padStart(2, ' ')}:${two(minutes)}` : `${minutes} min`;
  const load = loadavg().map((l) => l.toFixed(2)).join(', ');
  const clock = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  await write(ctx.stdout, ` ${clock} up ${up},  0 users,  load average: ${load}\n`, ctx.signal);
  return 0;
}
