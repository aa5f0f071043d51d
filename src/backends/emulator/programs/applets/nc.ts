/**
 * `nc`, busybox's small netcat, client side: connects to HOST PORT over the container's
 * virtual network, copies standard input to the connection (half-closing it at end of input)
 * and the connection to standard output, and exits 0 once the peer has closed.
 *
 * Failures print what busybox prints (`nc: bad address 'x'`, `nc: can't connect to remote host
 * (172.17.0.1): Connection refused`) and exit 1. Listen mode (`-l`) is not emulated: a
 * program's listeners live until its container stops, so a one-shot listener cannot be
 * closed after its first connection as nc closes it.
 *
 * @module
 */
import type { Duplex } from 'node:stream';
import type { ProgramContext } from '../../program.js';
import { complain, iterate, write } from '../io.js';
import { options } from './common.js';
import { connectFailure, resolveHost } from './net.js';

/** `nc [-w SECS] [-i SECS] HOST PORT`. */
export async function nc(ctx: ProgramContext): Promise<number> {
  const opts = await options(ctx, 'l', 'wpief');
  if (!opts) return 1;
  if (opts.flags.has('l') || opts.flags.has('e') || opts.flags.has('f')) {
    await complain(ctx, 'listen mode, -e and -f are not available in the emulator');
    return 1;
  }
  const [host, portText] = opts.operands;
  if (host === undefined || portText === undefined) {
    await complain(ctx, 'usage: nc [-iN] [-wN] IPADDR PORT');
    return 1;
  }
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    await complain(ctx, `bad port '${portText}'`);
    return 1;
  }
  const ip = await resolveHost(ctx, host);
  if (ip === undefined) return 1;
  let socket: Duplex;
  try {
    socket = await ctx.net.connect(host, port);
  } catch (e) {
    await complain(ctx, connectFailure(ip, e));
    return 1;
  }
  // A reset after the copy has ended must not surface as an unhandled error.
  socket.on('error', () => undefined);
  const done = new AbortController();
  const stop = AbortSignal.any([ctx.signal, done.signal]);
  const upload = (async () => {
    for await (const chunk of iterate(ctx.stdin, stop)) await write(socket, chunk, stop);
    // End of input: the peer reads EOF, and its answer still comes back.
    socket.end();
  })().catch(() => undefined);
  try {
    for await (const chunk of iterate(socket, ctx.signal)) await write(ctx.stdout, chunk, ctx.signal);
  } finally {
    done.abort();
    socket.destroy();
    await upload;
  }
  return 0;
}
