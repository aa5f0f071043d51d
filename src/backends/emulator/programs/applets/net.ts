/**
 * Network clients over the container's virtual network: `ping` and `wget`.
 *
 * The virtual network has no ICMP: a name that resolves answers every echo request, with a
 * fixed round trip so outputs are deterministic. `wget` speaks HTTP/1.1 through node:http's
 * client over the Duplex `ctx.net.connect` returns.
 *
 * @module
 */
import { request, type IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ProgramContext } from '../../program.js';
import { FileSink, closeSink } from '../sh/io-table.js';
import { SignalledError, complain, errorText, iterate, resolvePath, write } from '../io.js';
import { options } from './common.js';

/** Resolves `host`, or prints busybox's `bad address 'x'` and gives undefined. */
export async function resolveHost(ctx: ProgramContext, host: string): Promise<string | undefined> {
  try {
    return await ctx.net.resolve(host);
  } catch {
    await complain(ctx, `bad address '${host}'`);
    return undefined;
  }
}

/** `ping [-c COUNT] [-W SECS] [-w SECS] [-i SECS] [-q] HOST`. */
export async function ping(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'q46', 'cWwisI');
  if (!opts) return 1;
  const host = opts.operands[0];
  if (host === undefined) {
    await complain(ctx, 'usage: ping [OPTIONS] HOST');
    return 1;
  }
  const ip = await resolveHost(ctx, host);
  if (ip === undefined) return 1;
  const count = opts.flags.has('c') ? Number(opts.flags.get('c')) : Infinity;
  const deadline = opts.flags.has('w') ? Number(opts.flags.get('w')) * 1000 : Infinity;
  const interval = Math.max(10, Number(opts.flags.get('i') ?? 1) * 1000);
  const size = Number(opts.flags.get('s') ?? 56);
  const quiet = opts.flags.has('q');
  const rtt = '0.100';
  await write(ctx.stdout, `PING ${host} (${ip}): ${size} data bytes\n`, ctx.signal);
  let sent = 0;
  let elapsed = 0;
  try {
    while (sent < count && elapsed < deadline) {
      if (!quiet) await write(ctx.stdout, `${size + 8} bytes from ${ip}: seq=${sent} ttl=64 time=${rtt} ms\n`, ctx.signal);
      sent++;
      if (sent < count) {
        await ctx.sleep(interval);
        elapsed += interval;
      }
    }
  } catch (e) {
    // Interrupted (Ctrl-C, docker stop): print the statistics like ping does on SIGINT.
    if (!ctx.signal.aborted && !(e instanceof SignalledError)) throw e;
  }
  const summary =
    `\n--- ${host} ping statistics ---\n` +
    `${sent} packets transmitted, ${sent} packets received, 0% packet loss\n` +
    (sent > 0 ? `round-trip min/avg/max = ${rtt}/${rtt}/${rtt} ms\n` : '');
  await write(ctx.stdout, summary);
  return sent > 0 ? 0 : 1;
}

// strerror(3) of the socket errors the virtual network raises, as busybox prints them.
const socketErrorText: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address in use',
  EINVAL: 'Invalid argument',
  ETIMEDOUT: 'Connection timed out',
};

/**
 * busybox's message for a failed connect (libbb's xconnect): the IPv4 address in brackets,
 * nothing for IPv6, then the strerror text (`can't connect to remote host (172.17.0.1):
 * Connection refused`).
 */
export function connectFailure(ip: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === 'string' && socketErrorText[code] ? socketErrorText[code] : errorText(error);
  return `can't connect to remote host${ip.includes(':') ? '' : ` (${ip})`}: ${text}`;
}

interface ParsedUrl {
  host: string;
  port: number;
  path: string;
}

function parseUrl(url: string): ParsedUrl | undefined {
  const m = /^(?:http:\/\/)?([^/:?#]+)(?::(\d+))?([^#]*)/.exec(url);
  if (!m || /^[a-z]+:\/\//i.test(url) && !url.startsWith('http://')) return undefined;
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 80, path: m[3] || '/' };
}

function get(socket: Duplex, url: ParsedUrl, method: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.host,
      port: url.port,
      path: url.path,
      method,
      headers: { Host: url.port === 80 ? url.host : `${url.host}:${url.port}`, 'User-Agent': 'Wget', Connection: 'close', ...headers },
      // node:http only needs a Duplex; its types ask for a net.Socket.
      createConnection: () => socket as never,
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

/** `wget [-q] [-O FILE|-O-] [-S] [--spider] [-T SECS] [--header H] URL`, http:// only. */
export async function wget(ctx: ProgramContext): Promise<number> {
  const argv = ctx.argv.flatMap((a) =>
    a === '--spider' ? ['-s'] : a.startsWith('--header=') ? ['-H', a.slice(9)] : a === '--header' ? ['-H'] : a === '-qO-' ? ['-q', '-O-'] : [a],
  );
  const opts = await options({ ...ctx, argv }, 'qSsc', 'OTHYUP');
  if (!opts) return 1;
  const target = opts.operands[0];
  if (target === undefined) {
    await complain(ctx, 'usage: wget [-q] [-O FILE] URL');
    return 1;
  }
  const quiet = opts.flags.has('q');
  const first = parseUrl(target);
  const headers: Record<string, string> = {};
  for (const h of opts.lists.get('H') ?? []) {
    const c = h.indexOf(':');
    if (c > 0) headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
  }
  if (!first) {
    await complain(ctx, `unsupported URL scheme in '${target}'`);
    return 1;
  }
  let url: ParsedUrl = first;
  for (let redirects = 0; ; redirects++) {
    const ip = await resolveHost(ctx, url.host);
    if (ip === undefined) return 1;
    if (!quiet) await write(ctx.stderr, `Connecting to ${url.host}${url.port === 80 ? '' : `:${url.port}`} (${ip}:${url.port})\n`);
    let socket: Duplex;
    try {
      socket = await ctx.net.connect(url.host, url.port);
    } catch (e) {
      await complain(ctx, connectFailure(ip, e));
      return 1;
    }
    // Errors surface through the request; a destroy after the response must not crash.
    socket.on('error', () => undefined);
    const abort = (): void => {
      socket.destroy();
    };
    ctx.signal.addEventListener('abort', abort, { once: true });
    try {
      const res = await get(socket, url, opts.flags.has('s') ? 'HEAD' : 'GET', headers);
      if (opts.flags.has('S')) {
        let text = `  HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n`;
        for (let i = 0; i < res.rawHeaders.length; i += 2) text += `  ${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\n`;
        await write(ctx.stderr, text);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects < 20) {
        res.resume();
        const next: ParsedUrl | undefined = res.headers.location.startsWith('/') ? { ...url, path: res.headers.location } : parseUrl(res.headers.location);
        if (!next) {
          await complain(ctx, `unsupported URL scheme in '${res.headers.location}'`);
          return 1;
        }
        url = next;
        continue;
      }
      if (status >= 400 || status < 200) {
        res.resume();
        await complain(ctx, `server returned error: HTTP/${res.httpVersion} ${status} ${res.statusMessage}`);
        return 1;
      }
      if (opts.flags.has('s')) {
        res.resume();
        if (!quiet) await write(ctx.stderr, 'remote file exists\n');
        return 0;
      }
      const outArg = opts.flags.get('O');
      const toStdout = outArg === '-';
      const name = typeof outArg === 'string' ? outArg : posix.basename(url.path.split('?')[0]!) || 'index.html';
      let sink: FileSink | undefined;
      if (!toStdout) {
        const path = resolvePath(ctx.cwd, name);
        try {
          if (typeof outArg !== 'string' && !opts.flags.has('c')) await ctx.fs.writeFile(path, '', { flag: 'wx' });
          else await ctx.fs.writeFile(path, '');
        } catch (e) {
          await complain(ctx, `can't open '${name}': ${errorText(e)}`);
          res.resume();
          return 1;
        }
        sink = new FileSink(ctx.fs, path);
      }
      if (!quiet) await write(ctx.stderr, toStdout ? 'writing to stdout\n' : `saving to '${name}'\n`);
      let size = 0;
      for await (const chunk of iterate(res, ctx.signal)) {
        size += chunk.length;
        await write(sink ?? ctx.stdout, chunk, ctx.signal);
      }
      if (sink) await closeSink(sink);
      if (!quiet) {
        const label = (toStdout ? '-' : name).padEnd(20).slice(0, 20);
        await write(ctx.stderr, `${label} 100% |********************************| ${String(size).padStart(5)}  0:00:00 ETA\n`);
        if (!toStdout) await write(ctx.stderr, `'${name}' saved\n`);
      }
      return 0;
    } catch (e) {
      if (ctx.signal.aborted) throw new SignalledError(String(ctx.signal.reason));
      await complain(ctx, `error getting response: ${(e as Error).message}`);
      return 1;
    } finally {
      ctx.signal.removeEventListener('abort', abort);
      socket.destroy();
    }
  }
}
